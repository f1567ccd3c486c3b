import Foundation
import GRDB
import PasswordVault

// MARK: Header and identifiers

extension SQLiteStorage {
    /// See `VaultStorage.readHeader()`.
    ///
    /// An older schema not upgraded yet (schema migration v1 only: a first-release vault) has no
    /// generation column; its header is generation 1, as the migration v2 makes it. Reading the
    /// header does not upgrade the file: a vault reads it before its credential is checked.
    public func readHeader() async throws(StorageError) -> StoredHeader? {
        let sql =
            isUpgradePending
            ? "SELECT bytes, 1 FROM vault_header WHERE id = 1"
            : "SELECT bytes, generation FROM vault_header WHERE id = 1"
        return try await readStatementAsStored { db in
            try Row.fetchOne(db, sql: sql).map { row in
                StoredHeader(
                    bytes: Array(try row.decode(Data.self, atIndex: 0)),
                    generation: HeaderGeneration(rawValue: UInt64(bitPattern: try row.decode(Int64.self, atIndex: 1))))
            }
        }
    }

    /// Reserves `count` fresh identifiers in one transaction, ascending, for ``insert(contentsOf:)``.
    ///
    /// For bulk loads (imports, benchmarks) of entries whose secrets the caller sealed; the
    /// vault itself creates entries with `VaultStorage.commit(_:)`, one transaction each.
    /// - Throws: `StorageError/failure(_:)` when `count` is negative.
    public func allocateIdentifiers(_ count: Int) async throws(StorageError) -> [EntryID] {
        guard count >= 0 else { throw .failure("cannot allocate \(count) identifiers") }
        guard count > 0 else { return [] }
        let last = try await write { db in
            guard
                let last = try Int64.fetchOne(
                    db,
                    sql: "UPDATE identifier_counter SET last_value = last_value + ? WHERE id = 1 RETURNING last_value",
                    arguments: [count])
            else { throw StorageError.corrupted("the identifier counter is missing") }
            return last
        }
        return (last - Int64(count) + 1...last).map { EntryID(rawValue: $0)! }
    }
}

// MARK: Entries

extension SQLiteStorage {
    /// See `VaultStorage.entity(_:)`.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        try await readStatement { db in
            // Decoded from the cursor's row in place, not from a copy of it (the row is valid
            // only while the cursor lives).
            let rows = try Row.fetchCursor(db.cachedStatement(sql: EntryRow.selectByIDSQL), arguments: [id.rawValue])
            return try withExtendedLifetime(rows) { try rows.next().map(EntryRow.decode) }
        }
    }

    /// See `VaultStorage.entities(after:limit:)`.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        guard limit > 0 else { return [] }
        return try await readStatement { db in
            try Array(
                Row.fetchCursor(
                    db.cachedStatement(sql: EntryRow.pageSQL),
                    arguments: [after?.rawValue ?? 0, Int64(clamping: limit)]
                ).map(EntryRow.decode))
        }
    }

    /// See `VaultStorage.history(of:)`: the `entry_history` rows, by primary key.
    public func history(of id: EntryID) async throws(StorageError) -> [PasswordEntity] {
        try await readStatement { db in
            try Array(
                Row.fetchCursor(db.cachedStatement(sql: HistoryRows.selectSQL), arguments: [id.rawValue])
                    .map(EntryRow.decode))
        }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
