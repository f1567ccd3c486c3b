import Foundation
import GRDB
import GRDBSQLite
import PasswordVault

// The batch insert binds its values through SQLite's C API on the statements GRDB prepared:
// with SQLiteStorage+AuditStatements.swift (the audit trail's rows), the only files of the
// adapter that call SQLite directly; every other path uses GRDB.

extension SQLiteStorage {
    /// Inserts many entries in one transaction: all of them, or none.
    ///
    /// The rules of `VaultStorage.insert(headerGeneration:_:)` apply to each entry (identifiers allocated, not yet used).
    /// The statements are prepared once per batch (and cached by the connection) and bound
    /// row by row.
    public func insert(contentsOf entities: [PasswordEntity]) async throws(StorageError) {
        guard !entities.isEmpty else { return }
        for entity in entities { try EntryRow.refuseNUL(in: entity) }
        try await write { db in
            let last = try Int64.fetchOne(db, sql: "SELECT last_value FROM identifier_counter WHERE id = 1") ?? 0
            var batch = try BatchInsert(db)
            for entity in entities {
                let id = entity.identifier
                guard id.rawValue <= last else { throw StorageError.notFound("identifier \(id) was never allocated") }
                try batch.insert(entity)
            }
        }
    }
}

/// The `entry` row and share index rows of each entity of a batch, bound with
/// `sqlite3_bind_*` on GRDB's prepared statements and stepped with `sqlite3_step`.
///
/// Texts and blobs are bound with `SQLITE_STATIC`, never `SQLITE_TRANSIENT`: each row's
/// bytes are first copied into `scratch`, and the binding, the step, the reset and the
/// clearing of the bindings all happen inside one `withUnsafeBufferPointer` on it, so the
/// buffer outlives every use SQLite makes of the pointers, and no binding is left pointing
/// at it afterwards.
///
/// An error becomes a GRDB `DatabaseError` with SQLite's extended code and message (never
/// the values), which `StorageError.init(_:)` maps as for every other statement: busy or
/// locked is `StorageError/busy(_:)` (and retried with the whole transaction), the primary
/// key's constraint is `StorageError/duplicate(_:)`, anything else `StorageError/failure(_:)`
/// (or `corrupted`). Any error ends the transaction, which GRDB rolls back.
struct BatchInsert {
    private let connection: SQLiteConnection
    // The GRDB statements, kept so their SQLite statements live as long as this.
    private let statements: (entry: Statement, user: Statement, group: Statement)
    private var scratch: [UInt8] = []

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw StorageError.failure("the database is closed") }
        self.connection = connection
        statements = (
            try db.cachedStatement(sql: EntryRow.insertSQL), try db.cachedStatement(sql: ShareIndex.userInsertSQL),
            try db.cachedStatement(sql: ShareIndex.groupInsertSQL)
        )
        // GRDB leaves a statement as its last execution left it: start each from the top.
        for statement in [statements.entry, statements.user, statements.group] {
            sqlite3_reset(statement.sqliteStatement)
            sqlite3_clear_bindings(statement.sqliteStatement)
        }
        scratch.reserveCapacity(1024)
    }

    /// Inserts the row of `entity`, then its share index rows. Its texts must have passed
    /// `EntryRow.refuseNUL(in:)`.
    mutating func insert(_ entity: PasswordEntity) throws {
        // Byte 0 is never a value's, so the buffer is never empty and an empty text still
        // gets a non-null pointer (a null one would bind NULL).
        scratch.removeAll(keepingCapacity: true)
        scratch.append(0)
        let name = append(entity.name)
        let username = append(entity.username)
        let url = append(entity.url)
        let tagsStart = scratch.count
        JSONText.appendStrings(entity.tags, to: &scratch)
        let tags = tagsStart..<scratch.count
        let users = append(JSONText.userShares(entity.usersAllowed))
        let groups = append(JSONText.groupShares(entity.groupsAllowed))
        let password = append(entity.sealedPassword.bytes)
        let secretKey = entity.sealedSecretKey.map { append($0.bytes) }
        let notes = entity.sealedNotes.map { append($0.bytes) }
        guard scratch.count <= Int(CInt.max) else {
            throw StorageError.failure("entry \(entity.identifier) is too large for SQLite")
        }
        let id = entity.identifier.rawValue
        let statement = statements.entry.sqliteStatement
        try scratch.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            func text(_ index: CInt, _ range: Range<Int>) -> CInt {
                let start = UnsafeRawPointer(base + range.lowerBound).assumingMemoryBound(to: CChar.self)
                return sqlite3_bind_text(statement, index, start, CInt(range.count), nil)  // SQLITE_STATIC
            }
            func blob(_ index: CInt, _ range: Range<Int>?) -> CInt {
                guard let range else { return sqlite3_bind_null(statement, index) }
                return sqlite3_bind_blob(statement, index, base + range.lowerBound, CInt(range.count), nil)
            }
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            try check(sqlite3_bind_int64(statement, 1, id))
            try check(text(2, name))
            try check(text(3, username))
            try check(text(4, url))
            try check(text(5, tags))
            try check(sqlite3_bind_int64(statement, 6, entity.owner.rawValue))
            try check(text(7, users))
            try check(text(8, groups))
            try check(sqlite3_bind_int64(statement, 9, entity.isActive ? 1 : 0))
            try check(sqlite3_bind_double(statement, 10, entity.createdAt.timeIntervalSinceReferenceDate))
            try check(sqlite3_bind_double(statement, 11, entity.updatedAt.timeIntervalSinceReferenceDate))
            try check(sqlite3_bind_int64(statement, 12, Int64(bitPattern: entity.version)))
            try check(blob(13, password))
            try check(blob(14, secretKey))
            try check(blob(15, notes))
            try check(sqlite3_bind_int64(statement, 16, Int64(bitPattern: entity.revision)))
            try check(sqlite3_bind_int64(statement, 17, entity.changedBy.rawValue))
            try check(sqlite3_bind_int64(statement, 18, Int64(entity.changedFields.rawValue)))
            try check(sqlite3_bind_int64(statement, 19, entity.needJustify ? 1 : 0))
            try check(sqlite3_bind_int64(statement, 20, Int64(entity.needApproval)))
            try check(sqlite3_bind_int64(statement, 21, entity.needsRotation ? 1 : 0))
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else {
                let failure = error(code)
                // The primary key is the existence check: no look-up before each row.
                if failure.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                    throw StorageError.duplicate("entry \(entity.identifier)")
                }
                throw failure
            }
        }
        for share in entity.usersAllowed { try insertShare(statements.user.sqliteStatement, share.username, id) }
        for share in entity.groupsAllowed { try insertShare(statements.group.sqliteStatement, share.name, id) }
    }

    /// One share index row: the name's NFC form (`canonicalKey`) and the entry, its text in
    /// `scratch` as the row's were.
    private mutating func insertShare(_ statement: SQLiteStatement, _ name: String, _ id: Int64) throws {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(0)
        let key = append(name.canonicalKey)
        try scratch.withUnsafeBufferPointer { buffer in
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            let start = UnsafeRawPointer(buffer.baseAddress! + key.lowerBound).assumingMemoryBound(to: CChar.self)
            try check(sqlite3_bind_text(statement, 1, start, CInt(key.count), nil))  // SQLITE_STATIC
            try check(sqlite3_bind_int64(statement, 2, id))
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE else { throw error(code) }
        }
    }

    /// Appends `text`'s UTF-8 to `scratch`; the range it occupies.
    private mutating func append(_ text: String) -> Range<Int> {
        var text = text
        return text.withUTF8 { append($0) }
    }

    /// Appends `bytes` to `scratch`; the range they occupy.
    private mutating func append(_ bytes: some Collection<UInt8>) -> Range<Int> {
        let start = scratch.count
        scratch.append(contentsOf: bytes)
        return start..<scratch.count
    }

    /// Throws unless `code` is `SQLITE_OK`.
    private func check(_ code: CInt) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    /// SQLite's error `code`, with the connection's message.
    private func error(_ code: CInt) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)))
    }
}
