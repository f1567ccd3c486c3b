import GRDB
import PasswordVault

/// The database schema, built by a `DatabaseMigrator`.
///
/// The `entry` row is the truth about an entry: tags and shares are kept in it as
/// JSON arrays, so they round-trip exactly, in order, with `canEdit` (and `canReveal` where it
/// is false, schema migration v5). The tables
/// `entry_user_share` and `entry_group_share` are indexes derived from the shares,
/// rewritten in the same transaction as the row; together with the index on
/// `entry.owner` they serve ``SQLiteStorage/entities(visibleTo:)`` without a scan.
///
/// Every index serves a query: `entry_owner` and the two share tables start the
/// listing; the share tables' `entry_id` indexes serve the rewrite and the delete;
/// `audit_record_entry` and `audit_record_actor` serve an entry's and an actor's audit records
/// (``SQLiteStorage/auditRecords(_:)``) in seq order; `access_request_entry` and
/// `access_request_requester` serve an entry's and a requester's access requests
/// (``SQLiteStorage/accessRequests(_:)``) in identifier order. There is no index on the list filter's texts (the filter is a substring match,
/// which no B-tree index can answer) nor a tag table (the tag filter only narrows
/// rows the listing already found, which `json_each(entry.tags)` does in place).
/// Names used as keys (usernames, group names, shares) are also stored in Unicode
/// NFC form (`*_key` columns), because Swift compares strings by canonical
/// equivalence and SQLite by bytes.
enum Schema {
    /// `PRAGMA application_id` of a PasswordVault database: "PWV1".
    static let applicationID: Int32 = 0x5057_5631

    /// The identifiers of every migration, oldest first.
    static var migrationIdentifiers: [String] { ["v1", "v2", "v3", "v4", "v5"] }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2") { db in try db.execute(sql: version2) }
        migrator.registerMigration("v3") { db in try db.execute(sql: version3) }
        migrator.registerMigration("v4") { db in try db.execute(sql: version4) }
        migrator.registerMigration("v5") { db in try db.execute(sql: version5) }
        return migrator
    }

    // Migration v1 is edited in place, not followed by a v2: PasswordVault has not been
    // released and no stored vault exists. It lost the indexes entry_name, entry_username and
    // entry_url (NOCASE; no query used them) and the tag table entry_tag with its index.
    // From the first release on, a schema change is a new migration.
    private static let version1 = """
        CREATE TABLE vault_header (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            bytes BLOB NOT NULL
        );
        -- The last identifier handed out. Identifiers come from here, never from
        -- MAX(id) + 1, so one is never reused, even after a delete.
        CREATE TABLE identifier_counter (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_value INTEGER NOT NULL CHECK (last_value >= 0)
        );
        INSERT INTO identifier_counter (id, last_value) VALUES (1, 0);

        CREATE TABLE entry (
            id INTEGER PRIMARY KEY,               -- from identifier_counter
            name TEXT NOT NULL,
            username TEXT NOT NULL,
            url TEXT NOT NULL,
            tags TEXT NOT NULL,                   -- JSON array of strings, in order
            owner INTEGER NOT NULL,
            users_allowed TEXT NOT NULL,          -- JSON [{"username": …, "canEdit": …}], in order
            groups_allowed TEXT NOT NULL,         -- JSON [{"name": …, "canEdit": …}], in order
            is_active INTEGER NOT NULL,
            created_at REAL NOT NULL,             -- seconds since 2001-01-01 UTC: a Date, exactly
            updated_at REAL NOT NULL,
            version INTEGER NOT NULL,             -- UInt64 as its Int64 bit pattern
            sealed_password BLOB NOT NULL,
            sealed_secret_key BLOB,
            sealed_notes BLOB
        );
        CREATE INDEX entry_owner ON entry (owner);

        CREATE TABLE entry_user_share (
            username TEXT NOT NULL,               -- NFC
            entry_id INTEGER NOT NULL,
            PRIMARY KEY (username, entry_id)
        ) WITHOUT ROWID;
        CREATE INDEX entry_user_share_entry ON entry_user_share (entry_id);

        CREATE TABLE entry_group_share (
            group_name TEXT NOT NULL,             -- NFC
            entry_id INTEGER NOT NULL,
            PRIMARY KEY (group_name, entry_id)
        ) WITHOUT ROWID;
        CREATE INDEX entry_group_share_entry ON entry_group_share (entry_id);

        CREATE TABLE vault_user (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            username_key TEXT NOT NULL UNIQUE     -- NFC
        );

        CREATE TABLE vault_group (
            name_key TEXT PRIMARY KEY,            -- NFC
            name TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE group_member (
            group_key TEXT NOT NULL,
            member_key TEXT NOT NULL,             -- NFC
            member TEXT NOT NULL,                 -- as first added
            PRIMARY KEY (group_key, member_key)
        ) WITHOUT ROWID;
        CREATE INDEX group_member_member ON group_member (member_key);
        """

    // v2: the header generation (docs/contract.md §14). Every header write increases it; every
    // entry write that seals checks it in its transaction. A first-release header counts as
    // generation 1. A first-release library refuses a migrated file (unknown migration v2).
    private static let version2 = """
        ALTER TABLE vault_header ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
        """

    // v3: history (docs/contract.md §11). The entry row gains its revision (the history's
    // version number; an earlier entry's is its version), who made it and what it changed (a
    // bit mask, docs/format.md §6); `entry_history` keeps the old versions as whole rows of the
    // same columns, keyed by (id, revision), secrets still sealed.
    private static let version3 = """
        ALTER TABLE entry ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE entry ADD COLUMN changed_by INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entry ADD COLUMN changed_fields INTEGER NOT NULL DEFAULT 0;
        UPDATE entry SET revision = version, changed_by = owner;
        CREATE TABLE entry_history (
            id INTEGER NOT NULL,                  -- the entry's
            name TEXT NOT NULL,
            username TEXT NOT NULL,
            url TEXT NOT NULL,
            tags TEXT NOT NULL,
            owner INTEGER NOT NULL,
            users_allowed TEXT NOT NULL,
            groups_allowed TEXT NOT NULL,
            is_active INTEGER NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,             -- this version's changed_at
            version INTEGER NOT NULL,
            sealed_password BLOB NOT NULL,
            sealed_secret_key BLOB,
            sealed_notes BLOB,
            revision INTEGER NOT NULL,
            changed_by INTEGER NOT NULL,
            changed_fields INTEGER NOT NULL,
            PRIMARY KEY (id, revision)
        ) WITHOUT ROWID;
        """

    // v4: the audit trail (docs/contract.md §12, docs/format.md §6). One row per record, in seq
    // order (the rowid: served in order without a sort); `entry` and `actor_id` are indexed with
    // `seq` so that an entry's records and an actor's are read from an index, in order. The
    // head is a one-row table moved in the same transaction as the records. A vault migrated
    // from v1–v3 starts with an empty trail: head seq 0 and the genesis MAC (32 zero bytes).
    // No CHECK on `action`: the set of actions may grow without a table rebuild; a reader
    // refuses a name it does not know.
    private static let version4 = """
        CREATE TABLE audit_record (
            seq INTEGER PRIMARY KEY CHECK (seq >= 1),
            time INTEGER NOT NULL CHECK (typeof(time) = 'integer'),   -- ms since 1970-01-01T00:00:00Z
            actor_id INTEGER,                     -- NULL: the vault (its administrator)
            actor_username TEXT,                  -- NULL exactly when actor_id is
            action TEXT NOT NULL,                 -- the action's name, as exports write it
            entry INTEGER CHECK (entry >= 1),     -- NULL: no entry
            outcome INTEGER NOT NULL CHECK (outcome BETWEEN 0 AND 65535),  -- 0 ok, else the code
            fields TEXT NOT NULL,                 -- JSON array of strings, in order
            justification TEXT,
            mac BLOB NOT NULL CHECK (typeof(mac) = 'blob' AND length(mac) = 32),
            CHECK ((actor_id IS NULL) = (actor_username IS NULL))
        );
        CREATE INDEX audit_record_entry ON audit_record (entry, seq);
        CREATE INDEX audit_record_actor ON audit_record (actor_id, seq);
        CREATE TABLE audit_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL CHECK (seq >= 0),
            mac BLOB NOT NULL CHECK (typeof(mac) = 'blob' AND length(mac) = 32)
        );
        INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, zeroblob(32));
        """

    // v5: access policies (docs/contract.md §13, docs/format.md §6). `entry` and `entry_history`
    // gain the entry's policies and its rotation mark, with defaults under which a row written
    // before v5 reads as it meant: no justification, no approval, no rotation needed. A share's
    // `canReveal` needs no column: the shares' JSON carries `"canReveal":false` only where it is
    // false, and a share without the key reveals (as every share written before v5 does).
    // `access_request` keeps the requests, one row each, indexed by entry and by requester (the
    // rowid, the identifier, closes each index key, so each serves its requests in identifier
    // order); its identifiers come from `request_counter`, never from MAX(id) + 1, so a deleted
    // request's identifier is never handed out again. A request goes with its entry's delete.
    private static let version5 = """
        ALTER TABLE entry ADD COLUMN need_justify INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entry ADD COLUMN need_approval INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entry ADD COLUMN needs_rotation INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entry_history ADD COLUMN need_justify INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entry_history ADD COLUMN need_approval INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entry_history ADD COLUMN needs_rotation INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE request_counter (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_value INTEGER NOT NULL CHECK (last_value >= 0)
        );
        INSERT INTO request_counter (id, last_value) VALUES (1, 0);
        CREATE TABLE access_request (
            id INTEGER PRIMARY KEY CHECK (id >= 1),   -- from request_counter
            entry INTEGER NOT NULL,
            requester INTEGER NOT NULL,               -- user id
            requester_name TEXT NOT NULL,
            justification TEXT NOT NULL,
            minutes INTEGER NOT NULL,
            state TEXT NOT NULL,                      -- pending, approved, denied, expired or revoked
            approvals TEXT NOT NULL,                  -- JSON array of user ids, in the order they approved
            denied_by INTEGER,                        -- user id, or NULL
            created_at REAL NOT NULL,                 -- seconds since 2001-01-01 UTC, as entry's dates
            decided_at REAL,
            expires_at REAL,
            version INTEGER NOT NULL                  -- UInt64 as its Int64 bit pattern
        );
        CREATE INDEX access_request_entry ON access_request (entry);
        CREATE INDEX access_request_requester ON access_request (requester);
        """

    /// Checks, through a read-only connection, that the file is a PasswordVault
    /// database this version can use; returns whether migrations are pending.
    /// Nothing is written, so a refused file is left as it was.
    static func verify(_ path: String, configuration: Configuration) throws(StorageError) -> Bool {
        var configuration = configuration
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db throws -> Bool in
                let id = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard id == applicationID else {
                    throw StorageError.corrupted(foreignApplicationID(id))
                }
                guard try db.tableExists("grdb_migrations") else {
                    throw StorageError.corrupted("an SQLite database with PasswordVault's id but not its schema")
                }
                let applied = try migrator.appliedIdentifiers(db)
                if let unknown = applied.subtracting(migrationIdentifiers).first {
                    throw StorageError.failure(
                        "the vault was written by a newer PasswordVault (schema migration \(unknown)); upgrade first")
                }
                let tables = ["vault_header", "identifier_counter", "entry", "entry_user_share", "entry_group_share"]
                let auditTables = applied.contains("v4") ? ["audit_record", "audit_head"] : []
                let requestTables = applied.contains("v5") ? ["access_request", "request_counter"] : []
                for table in tables + auditTables + requestTables where applied.contains("v1") {
                    guard try db.tableExists(table) else {
                        throw StorageError.corrupted("the PasswordVault schema lacks the table \(table)")
                    }
                }
                return applied.count < migrationIdentifiers.count
            }
        } catch {
            throw StorageError(error)
        }
    }

    /// How many times ``migrate(_:)`` tries while other processes upgrade the same file.
    static let migrationAttempts = 5

    /// Applies the migrations a verified database lacks.
    ///
    /// Several processes may upgrade one older vault at once (each at its first read or write).
    /// GRDB reads the applied migrations before its migration's `BEGIN IMMEDIATE` takes the write
    /// lock, so a process can try a migration another has just committed: its statement fails
    /// (`duplicate column name`) and its transaction rolls back, having changed nothing. It then
    /// starts again from what is applied now, and is done when every migration is. Each such
    /// failure follows another process's commit of a migration, so a few attempts suffice.
    static func migrate(_ writer: some DatabaseWriter) throws(StorageError) {
        var attempt = 1
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch {
                let complete = (try? writer.read { db in try migrator.hasCompletedMigrations(db) }) ?? false
                if complete { return }
                guard attempt < migrationAttempts else { throw StorageError(error) }
                attempt += 1
            }
        }
    }

    static func foreignApplicationID(_ id: Int32) -> String {
        let hex = String(UInt32(bitPattern: id), radix: 16)
        return "a foreign SQLite database (application_id 0x\(hex), a PasswordVault vault has 0x50575631)"
    }
}
