import Foundation
import GRDB
import PasswordVault

// MARK: Header and identifiers

extension SQLiteStorage {
    /// See `VaultStorage.readHeader()`.
    public func readHeader() async throws(StorageError) -> [UInt8]? {
        try await readStatement { db in
            try Data.fetchOne(db, sql: "SELECT bytes FROM vault_header WHERE id = 1").map { Array($0) }
        }
    }

    /// See `VaultStorage.writeHeader(_:expected:)`.
    public func writeHeader(_ header: [UInt8], expected: [UInt8]?) async throws(StorageError) {
        try await write { db in
            let current = try Data.fetchOne(db, sql: "SELECT bytes FROM vault_header WHERE id = 1").map { Array($0) }
            guard current == expected else { throw StorageError.conflict }
            try db.execute(
                sql: "INSERT OR REPLACE INTO vault_header (id, bytes) VALUES (1, ?)", arguments: [Data(header)])
        }
    }

    /// See `VaultStorage.allocateIdentifier()`.
    public func allocateIdentifier() async throws(StorageError) -> EntryID {
        try await allocateIdentifiers(1)[0]
    }

    /// Reserves `count` fresh identifiers in one transaction, ascending.
    ///
    /// Each is as good as one from ``allocateIdentifier()``; this is for bulk loads.
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
    /// See `VaultStorage.insert(_:)`.
    public func insert(_ entity: PasswordEntity) async throws(StorageError) {
        try await insert(contentsOf: [entity])
    }

    /// See `VaultStorage.entity(_:)`.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        try await readStatement { db in
            // Decoded from the cursor's row in place, not from a copy of it (the row is valid
            // only while the cursor lives).
            let rows = try Row.fetchCursor(db.cachedStatement(sql: EntryRow.selectByIDSQL), arguments: [id.rawValue])
            return try withExtendedLifetime(rows) { try rows.next().map(EntryRow.decode) }
        }
    }

    /// See `VaultStorage.replace(_:expectedVersion:)`.
    public func replace(_ entity: PasswordEntity, expectedVersion: UInt64) async throws(StorageError) {
        try EntryRow.refuseNUL(in: entity)
        var row = EntryRow.arguments(entity)
        row += [entity.identifier.rawValue, Int64(bitPattern: expectedVersion)]
        try await write { [row] db in
            try db.cachedStatement(sql: EntryRow.updateSQL).execute(arguments: row)
            guard db.changesCount == 1 else { throw StorageError.conflict }
            let shares = try ShareIndex(db)
            try shares.remove(entity.identifier)
            try shares.add(entity)
        }
    }

    /// See `VaultStorage.delete(_:expectedVersion:)`.
    public func delete(_ id: EntryID, expectedVersion: UInt64) async throws(StorageError) {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM entry WHERE id = ? AND version = ?")
                .execute(arguments: [id.rawValue, Int64(bitPattern: expectedVersion)])
            guard db.changesCount == 1 else { throw StorageError.conflict }
            try ShareIndex(db).remove(id)
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

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
