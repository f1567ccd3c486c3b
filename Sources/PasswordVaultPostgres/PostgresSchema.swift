import Foundation
import PasswordVault
import PostgresNIO

/// The PostgreSQL schema (docs/format.md §9), built by numbered migrations run in one transaction
/// under an advisory lock, so that several hosts opening one new database at once build it once.
///
/// `pwvault_meta` names the application and the schema version: a database without it that holds
/// other tables belongs to another application and is refused, untouched; a version above the
/// newest this library knows was written by a newer PasswordVault and is refused too.
///
/// Indexes serve every read the storage protocol makes without a scan: the primary keys, the
/// `entry` owner B-tree and the GIN indexes on the shares' NFC keys (the listing,
/// docs/contract.md §14), `(entry, seq)` and `(actor_id, seq)` for the audit trail,
/// `access_request (entry)` and `(requester)`, `group_member (member_key)`.
enum PostgresSchema {
    /// `pwvault_meta.application`.
    static let application = "PasswordVault"
    /// The key under which the advisory lock of the migrations is taken: "PWV1".
    static let migrationLock: Int64 = 0x5057_5631

    /// Each migration's statements, oldest first; the schema version is their count.
    static let migrations: [String] = [version1]

    static var newest: Int { migrations.count }

    private static let version1 = """
        CREATE TABLE pwvault_meta (
            id integer PRIMARY KEY CHECK (id = 1),
            application text NOT NULL,
            schema_version integer NOT NULL
        );
        CREATE TABLE vault_header (
            id integer PRIMARY KEY CHECK (id = 1),
            bytes bytea NOT NULL,
            generation bigint NOT NULL CHECK (generation >= 1)
        );
        -- Identifiers from sequences: never handed out twice, even after a delete or a rollback.
        CREATE SEQUENCE entry_id_seq AS bigint MINVALUE 1;
        CREATE SEQUENCE request_id_seq AS bigint MINVALUE 1;
        CREATE TABLE entry (
            id bigint PRIMARY KEY CHECK (id >= 1),
            name text NOT NULL,
            username text NOT NULL,
            url text NOT NULL,
            tags text[] NOT NULL,
            owner bigint NOT NULL,
            user_names text[] NOT NULL,       -- the user shares, in order, as given
            user_edit boolean[] NOT NULL,
            user_reveal boolean[] NOT NULL,
            group_names text[] NOT NULL,      -- the group shares, in order, as given
            group_edit boolean[] NOT NULL,
            group_reveal boolean[] NOT NULL,
            is_active boolean NOT NULL,
            created_at double precision NOT NULL,   -- seconds since 2001-01-01 UTC: a Date, exactly
            updated_at double precision NOT NULL,
            version bigint NOT NULL,                -- UInt64 as its bigint bit pattern
            sealed_password bytea NOT NULL,
            sealed_secret_key bytea,
            sealed_notes bytea,
            revision bigint NOT NULL CHECK (revision >= 1),
            changed_by bigint NOT NULL,
            changed_fields integer NOT NULL,
            need_justify boolean NOT NULL,
            need_approval smallint NOT NULL CHECK (need_approval BETWEEN 0 AND 5),
            needs_rotation boolean NOT NULL,
            user_keys text[] NOT NULL,        -- the user shares' NFC names, for the listing
            group_keys text[] NOT NULL        -- the group shares' NFC names, for the listing
        );
        CREATE INDEX entry_owner ON entry (owner);
        CREATE INDEX entry_user_keys ON entry USING gin (user_keys);
        CREATE INDEX entry_group_keys ON entry USING gin (group_keys);
        CREATE TABLE entry_history (
            id bigint NOT NULL,
            name text NOT NULL,
            username text NOT NULL,
            url text NOT NULL,
            tags text[] NOT NULL,
            owner bigint NOT NULL,
            user_names text[] NOT NULL,
            user_edit boolean[] NOT NULL,
            user_reveal boolean[] NOT NULL,
            group_names text[] NOT NULL,
            group_edit boolean[] NOT NULL,
            group_reveal boolean[] NOT NULL,
            is_active boolean NOT NULL,
            created_at double precision NOT NULL,
            updated_at double precision NOT NULL,   -- this version's changed_at
            version bigint NOT NULL,
            sealed_password bytea NOT NULL,
            sealed_secret_key bytea,
            sealed_notes bytea,
            revision bigint NOT NULL CHECK (revision >= 1),
            changed_by bigint NOT NULL,
            changed_fields integer NOT NULL,
            need_justify boolean NOT NULL,
            need_approval smallint NOT NULL CHECK (need_approval BETWEEN 0 AND 5),
            needs_rotation boolean NOT NULL,
            PRIMARY KEY (id, revision)
        );
        CREATE TABLE vault_user (
            id bigint PRIMARY KEY,
            username text NOT NULL,
            username_key text NOT NULL UNIQUE      -- NFC
        );
        CREATE TABLE vault_group (
            name_key text PRIMARY KEY,             -- NFC
            name text NOT NULL
        );
        CREATE TABLE group_member (
            group_key text NOT NULL,
            member_key text NOT NULL,              -- NFC
            member text NOT NULL,                  -- as first added
            PRIMARY KEY (group_key, member_key)
        );
        CREATE INDEX group_member_member ON group_member (member_key);
        CREATE TABLE audit_record (
            seq bigint PRIMARY KEY CHECK (seq >= 1),
            time bigint NOT NULL,                  -- ms since 1970-01-01T00:00:00Z
            actor_id bigint,                       -- NULL: the vault (its administrator)
            actor_username text,
            action text NOT NULL,
            entry bigint CHECK (entry >= 1),
            outcome integer NOT NULL CHECK (outcome BETWEEN 0 AND 65535),
            fields text[] NOT NULL,
            justification text,
            mac bytea NOT NULL CHECK (length(mac) = 32),
            CHECK ((actor_id IS NULL) = (actor_username IS NULL))
        );
        CREATE INDEX audit_record_entry ON audit_record (entry, seq);
        CREATE INDEX audit_record_actor ON audit_record (actor_id, seq);
        CREATE TABLE audit_head (
            id integer PRIMARY KEY CHECK (id = 1),
            seq bigint NOT NULL CHECK (seq >= 0),
            mac bytea NOT NULL CHECK (length(mac) = 32)
        );
        INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000');
        CREATE TABLE access_request (
            id bigint PRIMARY KEY CHECK (id >= 1),
            entry bigint NOT NULL,
            requester bigint NOT NULL,
            requester_name text NOT NULL,
            justification text NOT NULL,
            minutes bigint NOT NULL,
            state text NOT NULL,
            approvals bigint[] NOT NULL,
            denied_by bigint,
            created_at double precision NOT NULL,
            decided_at double precision,
            expires_at double precision,
            version bigint NOT NULL
        );
        CREATE INDEX access_request_entry ON access_request (entry);
        CREATE INDEX access_request_requester ON access_request (requester);
        """

    /// Brings the database to the newest schema, or refuses it with nothing changed: inside one
    /// transaction holding the migrations' advisory lock (other hosts wait for it, then find the
    /// work done).
    static func migrate(
        _ connection: PostgresConnection, schema: String?, logger: Logger, server: String
    ) async throws(StorageError) {
        if let schema, !PostgresConfiguration.isValidSchemaName(schema) {
            throw .failure("'\(schema.prefix(63))' is not a schema name PasswordVault accepts (a-z, 0-9, _)")
        }
        do {
            try await connection.query("BEGIN", logger: logger)
            do {
                try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
                if let schema {
                    // Checked above: lower-case ASCII letters, digits and '_' only.
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger)
                }
                let current = try await currentVersion(connection, logger: logger)
                if current < newest {
                    for index in current..<newest {
                        // One statement per query: the extended protocol takes no more.
                        for statement in statements(migrations[index]) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                    }
                    let version = Int32(newest)
                    if current == 0 {
                        try await connection.query(
                            "INSERT INTO pwvault_meta (id, application, schema_version) VALUES (1, \(application), \(version))",
                            logger: logger)
                    } else {
                        try await connection.query(
                            "UPDATE pwvault_meta SET schema_version = \(version) WHERE id = 1", logger: logger)
                    }
                }
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        } catch {
            throw PostgresErrors.storageError(error, server: server)
        }
    }

    /// A migration's statements: its text cut after each `;` that ends a line (none of ours
    /// holds one inside a literal), `--` comments kept with their statement.
    static func statements(_ migration: String) -> [String] {
        migration.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
    }

    /// The schema version of the database: 0 for an empty one.
    /// - Throws: ``StorageError/corrupted(_:)`` for another application's database,
    ///   ``StorageError/failure(_:)`` for a newer PasswordVault's schema.
    private static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let hasMeta =
            try await connection.query(
                "SELECT to_regclass('pwvault_meta') IS NOT NULL", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
        guard hasMeta else {
            let tables =
                try await connection.query(
                    """
                    SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                    """, logger: logger
                ).collect().first?.decode(Int64.self) ?? 0
            guard tables == 0 else {
                throw StorageError.corrupted(
                    "the database holds \(tables) tables of another application and no PasswordVault schema")
            }
            return 0
        }
        guard
            let row = try await connection.query(
                "SELECT application, schema_version FROM pwvault_meta WHERE id = 1", logger: logger
            ).collect().first
        else { throw StorageError.corrupted("the PasswordVault schema's meta row is missing") }
        let (name, version) = try row.decode((String, Int32).self)
        guard name == application else {
            throw StorageError.corrupted("the database belongs to another application")
        }
        guard version >= 1 else { throw StorageError.corrupted("schema version \(version)") }
        guard Int(version) <= newest else {
            throw StorageError.failure(
                "the vault was written by a newer PasswordVault (PostgreSQL schema \(version), this one knows \(newest)); upgrade first"
            )
        }
        return Int(version)
    }
}
