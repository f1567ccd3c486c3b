public import PasswordVault
import PostgresNIO

// The storage protocol's reads: each one statement on a pooled connection, served by an index
// (PostgresSchema lists which).

extension PostgresStorage {
    /// See ``VaultStorage/readHeader()``.
    public func readHeader() async throws(StorageError) -> StoredHeader? {
        try await read { connection, logger in
            guard
                let row = try await connection.rows(
                    "SELECT bytes, generation FROM vault_header WHERE id = 1", logger: logger
                ).first
            else { return nil }
            let (bytes, generation) = try row.decode((ByteBuffer, Int64).self)
            return StoredHeader(
                bytes: Array(bytes.readableBytesView), generation: HeaderGeneration(rawValue: UInt64(generation)))
        }
    }

    /// See ``VaultStorage/entity(_:)``.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        var binds = PostgresBindings()
        binds.append(id.rawValue)
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(EntryColumns.selectByIDSQL, bound, logger: logger).first.map(EntryColumns.decode)
        }
    }

    /// See ``VaultStorage/entities(visibleTo:)``: one statement whose three conditions are
    /// answered by the `entry_owner` B-tree and the GIN indexes on the shares' keys (a bitmap OR),
    /// never a scan of every entry; the filter is applied to the rows found.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        let statement = Self.visibilityStatement(query)
        return try await read { connection, logger in
            try await connection.rows(statement.sql, statement.binds, logger: logger)
                .map(EntryColumns.decode).filter(query.filter.matches)
        }
    }

    static func visibilityStatement(_ query: VisibilityQuery) -> (sql: String, binds: PostgresBindings) {
        var binds = PostgresBindings()
        binds.append(query.owner.rawValue)
        binds.append([query.username.canonicalKey])
        var sources = "owner = $1 OR user_keys @> $2::text[]"
        let groups = Array(Set(query.groups.map(\.canonicalKey))).sorted()
        if !groups.isEmpty {
            binds.append(groups)
            sources += " OR group_keys && $3::text[]"
        }
        let active = query.includeDisabled ? "" : " AND is_active"
        return ("SELECT \(EntryColumns.list) FROM entry WHERE (\(sources))\(active) ORDER BY id", binds)
    }

    /// `EXPLAIN` of the listing statement for `query`, one line per plan node (for tests that
    /// prove the listing uses the indexes).
    public func visibilityPlan(for query: VisibilityQuery) async throws(StorageError) -> [String] {
        let statement = Self.visibilityStatement(query)
        return try await read { connection, logger in
            try await connection.rows("EXPLAIN " + statement.sql, statement.binds, logger: logger)
                .map { try $0.decode(String.self) }
        }
    }

    /// See ``VaultStorage/entities(after:limit:)``.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        guard limit > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(after?.rawValue ?? 0)
        binds.append(Int64(clamping: limit))
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(EntryColumns.pageSQL, bound, logger: logger).map(EntryColumns.decode)
        }
    }

    /// See ``VaultStorage/history(of:)``.
    public func history(of id: EntryID) async throws(StorageError) -> [PasswordEntity] {
        var binds = PostgresBindings()
        binds.append(id.rawValue)
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(EntryColumns.historySQL, bound, logger: logger).map(EntryColumns.decode)
        }
    }

    // MARK: Audit trail

    /// See ``VaultStorage/auditHead()``.
    public func auditHead() async throws(StorageError) -> AuditHead {
        try await read { connection, logger in try await Self.readAuditHead(on: connection, logger: logger) }
    }

    /// The stored audit head; with `locking`, the row locked `FOR UPDATE` until the transaction
    /// ends (the commit's rechain after another host moved it).
    static func readAuditHead(
        locking: Bool = false, on connection: PostgresConnection, logger: Logger
    ) async throws -> AuditHead {
        let sql = "SELECT seq, mac FROM audit_head WHERE id = 1" + (locking ? " FOR UPDATE" : "")
        guard let row = try await connection.rows(sql, logger: logger).first else {
            throw StorageError.corrupted("the audit trail's head is missing")
        }
        let (seq, mac) = try row.decode((Int64, ByteBuffer).self)
        guard seq >= 0, let head = AuditMAC(Array(mac.readableBytesView)) else {
            throw StorageError.corrupted("the audit trail's head is damaged")
        }
        return AuditHead(seq: UInt64(seq), mac: head)
    }

    /// See ``VaultStorage/auditRecords(_:)``: every criterion in the `WHERE`, in `seq` order,
    /// from the primary key or the `(entry, seq)` or `(actor_id, seq)` index.
    public func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        guard let statement = Self.auditStatement(query) else { return [] }
        return try await read { connection, logger in
            try await connection.rows(statement.sql, statement.binds, logger: logger).map(AuditColumns.decode)
        }
    }

    static func auditStatement(_ query: AuditQuery) -> (sql: String, binds: PostgresBindings)? {
        guard query.limit > 0, let fromSeq = Int64(exactly: max(query.fromSeq, 1)) else { return nil }
        var binds = PostgresBindings()
        binds.append(fromSeq)
        var conditions = ["seq >= $1"]
        func add(_ condition: (Int) -> String, _ bind: (inout PostgresBindings) -> Void) {
            bind(&binds)
            conditions.append(condition(binds.count))
        }
        if let entry = query.entry { add({ "entry = $\($0)" }, { $0.append(entry.rawValue) }) }
        switch query.actor {
        case nil: break
        case .vault: conditions.append("actor_id IS NULL")
        case .user(let id): add({ "actor_id = $\($0)" }, { $0.append(id.rawValue) })
        }
        if let action = query.action { add({ "action = $\($0)" }, { $0.append(action.rawValue) }) }
        if let since = query.since { add({ "time >= $\($0)" }, { $0.append(since.rawValue) }) }
        if let before = query.before { add({ "time < $\($0)" }, { $0.append(before.rawValue) }) }
        binds.append(Int64(clamping: query.limit))
        let sql = """
            SELECT \(AuditColumns.list) FROM audit_record WHERE \(conditions.joined(separator: " AND ")) \
            ORDER BY seq LIMIT $\(binds.count)
            """
        return (sql, binds)
    }

    // MARK: Access requests

    /// See ``VaultStorage/accessRequest(_:)``.
    public func accessRequest(_ id: AccessRequestID) async throws(StorageError) -> AccessRequest? {
        var binds = PostgresBindings()
        binds.append(id.rawValue)
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(RequestColumns.selectByIDSQL, bound, logger: logger).first
                .map(RequestColumns.decode)
        }
    }

    /// See ``VaultStorage/accessRequests(_:)``: from the `entry` index when the query names
    /// entries, else the `requester` index when it names a requester.
    public func accessRequests(_ query: AccessRequestQuery) async throws(StorageError) -> [AccessRequest] {
        var binds = PostgresBindings()
        var conditions: [String] = []
        if let entries = query.entries {
            guard !entries.isEmpty else { return [] }
            binds.append(entries.map(\.rawValue).sorted())
            conditions.append("entry = ANY($\(binds.count))")
        }
        if let requester = query.requester {
            binds.append(requester.rawValue)
            conditions.append("requester = $\(binds.count)")
        }
        if let states = query.storedStates {
            guard !states.isEmpty else { return [] }
            binds.append(AccessRequestState.allCases.filter(states.contains).map(\.rawValue))
            conditions.append("state = ANY($\(binds.count))")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(RequestColumns.list) FROM access_request\(filter) ORDER BY id"
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(sql, bound, logger: logger).map(RequestColumns.decode)
        }
    }

    // MARK: Directory

    /// See ``VaultStorage/user(named:)``.
    public func user(named username: String) async throws(StorageError) -> User? {
        try await oneUser("SELECT id, username FROM vault_user WHERE username_key = $1") {
            $0.append(username.canonicalKey)
        }
    }

    /// See ``VaultStorage/user(id:)``.
    public func user(id: UserID) async throws(StorageError) -> User? {
        try await oneUser("SELECT id, username FROM vault_user WHERE id = $1") { $0.append(id.rawValue) }
    }

    private func oneUser(_ sql: String, _ bind: (inout PostgresBindings) -> Void) async throws(StorageError) -> User? {
        var binds = PostgresBindings()
        bind(&binds)
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(sql, bound, logger: logger).first.map(Self.user)
        }
    }

    /// See ``VaultStorage/users()``.
    public func users() async throws(StorageError) -> [User] {
        try await read { connection, logger in
            try await connection.rows("SELECT id, username FROM vault_user ORDER BY id", logger: logger).map(Self.user)
        }
    }

    /// See ``VaultStorage/group(named:)``: the group and its members in one statement.
    public func group(named name: String) async throws(StorageError) -> Group? {
        var binds = PostgresBindings()
        binds.append(name.canonicalKey)
        let bound = binds
        return try await read { connection, logger in
            guard
                let row = try await connection.rows(
                    """
                    SELECT g.name, ARRAY(SELECT member FROM group_member m WHERE m.group_key = g.name_key)
                    FROM vault_group g WHERE g.name_key = $1
                    """, bound, logger: logger
                ).first
            else { return nil }
            let (name, members) = try row.decode((String, [String]).self)
            return Group(name: name, members: Set(members))
        }
    }

    /// See ``VaultStorage/groups()``.
    public func groups() async throws(StorageError) -> [Group] {
        try await read { connection, logger in
            try await connection.rows(
                """
                SELECT g.name, ARRAY(SELECT member FROM group_member m WHERE m.group_key = g.name_key)
                FROM vault_group g
                """, logger: logger
            ).map { row in
                let (name, members) = try row.decode((String, [String]).self)
                return Group(name: name, members: Set(members))
            }.sorted { $0.name < $1.name }
        }
    }

    /// See ``VaultStorage/groups(containing:)``.
    public func groups(containing username: String) async throws(StorageError) -> Set<String> {
        var binds = PostgresBindings()
        binds.append(username.canonicalKey)
        let bound = binds
        return try await read { connection, logger in
            Set(
                try await connection.rows(
                    """
                    SELECT g.name FROM group_member m JOIN vault_group g ON g.name_key = m.group_key
                    WHERE m.member_key = $1
                    """, bound, logger: logger
                ).map { try $0.decode(String.self) })
        }
    }

    private static func user(_ row: PostgresRow) throws -> User {
        let (id, username) = try row.decode((Int64, String).self)
        return User(id: UserID(rawValue: id), username: username)
    }
}
