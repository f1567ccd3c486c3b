public import PasswordVault
import PostgresNIO

extension PostgresStorage {
    /// Rows per `INSERT` of ``insert(contentsOf:)``: 27 parameters each, under PostgreSQL's 65,535.
    static let batchRows = 1_000

    /// Reserves `count` new entry identifiers from the sequence, ascending, for
    /// ``insert(contentsOf:)`` (an import, a test's large store). An identifier reserved and not
    /// used is never handed out again.
    public func allocateIdentifiers(_ count: Int) async throws(StorageError) -> [EntryID] {
        guard count > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(Int64(count))
        let bound = binds
        return try await read { connection, logger in
            try await connection.rows(
                "SELECT nextval('entry_id_seq') FROM generate_series(1, $1) ORDER BY 1", bound, logger: logger
            ).map { row in
                let raw = try row.decode(Int64.self)
                guard let id = EntryID(rawValue: raw) else { throw StorageError.corrupted("entry identifier \(raw)") }
                return id
            }
        }
    }

    /// Stores entries whose identifiers ``allocateIdentifiers(_:)`` reserved, in one transaction:
    /// all of them or none (an identifier already stored is a failure, nothing written).
    public func insert(contentsOf entities: [PasswordEntity]) async throws(StorageError) {
        for entity in entities { try EntryColumns.refuseUnstorable(entity) }
        guard !entities.isEmpty else { return }
        try await transaction { connection, logger in
            var start = entities.startIndex
            while start < entities.endIndex {
                let end = min(start + Self.batchRows, entities.endIndex)
                let width = EntryColumns.count + 2
                var binds = PostgresBindings(capacity: (end - start) * width)
                var rows: [String] = []
                rows.reserveCapacity(end - start)
                for (offset, entity) in entities[start..<end].enumerated() {
                    EntryColumns.bind(entity, keys: true, into: &binds)
                    rows.append("(" + placeholders(offset * width + 1...offset * width + width) + ")")
                }
                try await connection.rows(
                    "INSERT INTO entry (\(EntryColumns.list), user_keys, group_keys) VALUES "
                        + rows.joined(separator: ", "), binds, logger: logger)
                start = end
            }
        }
    }
}
