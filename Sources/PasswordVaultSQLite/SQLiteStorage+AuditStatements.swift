import Foundation
import GRDB
import GRDBSQLite
import PasswordVault

// The audit trail's statements through SQLite's C API, on statements GRDB prepared and caches:
// the head read and moved in every commit that carries records, the records inserted, and the
// records read back (a page of a `verify` is 8,192 of them). GRDB's `Row`, `DatabaseValue` and
// `StatementArguments` cost an allocation or more per column; here each value is read or bound in
// place (docs/performance.md, "The audit trail on SQLite"). The rows, their checks and the errors
// are the ones GRDB's decoding gave (docs/format.md §6), value for value.

/// A GRDB statement stepped with `sqlite3_step`; errors become GRDB `DatabaseError`s with
/// SQLite's code and message (never a value), which `StorageError.init(_:)` maps as usual.
struct SteppedStatement {
    let statement: Statement
    var handle: SQLiteStatement { statement.sqliteStatement }

    /// `sql` from the connection's cache, reset and without bindings: GRDB leaves a statement as
    /// its last execution left it.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    /// Throws unless `code` is `SQLITE_OK`.
    func check(_ code: CInt) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    /// SQLite's error `code`, with the connection's message.
    func error(_ code: CInt) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
    }

    /// Steps once: `true` for a row, `false` when done; any other outcome throws.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw error(code)
        }
    }

    /// Ends the execution and drops the bindings (no pointer of ours stays bound).
    func finish() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The column's storage class.
    func type(_ column: CInt) -> CInt { sqlite3_column_type(handle, column) }

    /// An INTEGER column, or `nil` for any other storage class.
    func int64(_ column: CInt) -> Int64? {
        type(column) == SQLITE_INTEGER ? sqlite3_column_int64(handle, column) : nil
    }

    /// A TEXT column's bytes as GRDB reads them (`String(cString:)`: up to the first NUL), for
    /// the duration of `body`; `nil` for any other storage class.
    func text<R>(_ column: CInt, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        guard type(column) == SQLITE_TEXT, let start = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        let bytes = UnsafeBufferPointer(start: start, count: count)
        return try body(UnsafeBufferPointer(rebasing: bytes[..<(bytes.firstIndex(of: 0) ?? count)]))
    }

    /// A BLOB column's bytes, for the duration of `body` (empty for an empty blob); `nil` for any
    /// other storage class.
    func blob<R>(_ column: CInt, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard type(column) == SQLITE_BLOB else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let start = sqlite3_column_blob(handle, column) else {
            return try body(.init(start: nil, count: 0))
        }
        return try body(UnsafeRawBufferPointer(start: start, count: count))
    }
}

extension AuditRows {
    /// The stored head; a missing or damaged head row is `StorageError/corrupted(_:)`.
    static func head(_ db: Database) throws -> AuditHead {
        let statement = try SteppedStatement(db, sql: headSQL)
        defer { statement.finish() }
        guard try statement.step() else { throw StorageError.corrupted("the audit trail's head is missing") }
        guard let seq = statement.int64(0), seq >= 0,
            let mac = statement.blob(1, { $0.count == AuditMAC.byteCount ? AuditMAC(Array($0)) : nil }) ?? nil
        else { throw StorageError.corrupted("the audit trail's head is damaged") }
        return AuditHead(seq: UInt64(seq), mac: mac)
    }

    /// Appends `audit`'s records after the stored head and moves the head, in `db`'s transaction
    /// (the change set's), after its entry part: `inserted` is the identifier an insert received.
    /// - Throws: `StorageError/auditHeadMoved` when the stored head is not `audit.after`; what
    ///   `audit.records` throws; a failure for records that do not continue the trail or that
    ///   cannot be stored (a NUL in a text, a seq or code out of the columns' range).
    static func append(_ audit: AuditAppend, inserted: EntryID?, in db: Database) throws -> AuditHead {
        guard try head(db) == audit.after else { throw StorageError.auditHeadMoved }
        let records = try audit.records(inserted)
        let newHead = try AuditAppend.head(after: audit.after, appending: records)
        var insert = try AuditInsert(db)
        for record in records { try insert.insert(record) }
        let move = try SteppedStatement(db, sql: moveHeadSQL)
        defer { move.finish() }
        guard let seq = Int64(exactly: newHead.seq) else {
            throw StorageError.failure("audit record \(newHead.seq): seq above the largest SQLite integer")
        }
        try move.check(sqlite3_bind_int64(move.handle, 1, seq))
        try newHead.mac.bytes.withUnsafeBytes { mac in
            // SQLITE_STATIC: the bytes outlive the step below, and `finish` drops the binding.
            try move.check(sqlite3_bind_blob(move.handle, 2, mac.baseAddress, CInt(mac.count), nil))
            guard try !move.step() else { throw move.error(SQLITE_MISUSE) }
        }
        return newHead
    }
}

/// The `audit_record` rows of a commit, bound in place. Texts and the MAC are copied into one
/// reused buffer and bound `SQLITE_STATIC` inside one `withUnsafeBufferPointer` on it, with the
/// step, the reset and the clearing of the bindings, as `BatchInsert` does.
struct AuditInsert {
    private let statement: SteppedStatement
    private var scratch: [UInt8] = []

    init(_ db: Database) throws {
        statement = try SteppedStatement(db, sql: AuditRows.insertSQL)
        scratch.reserveCapacity(256)
    }

    /// Inserts `record`; refused when the columns cannot hold it exactly: a seq above SQLite's
    /// largest integer, a text with a NUL (GRDB reads text as C strings and would cut it), a
    /// refusal without a code.
    mutating func insert(_ record: AuditRecord) throws {
        let event = record.event
        guard let seq = Int64(exactly: record.seq) else {
            throw StorageError.failure("audit record \(record.seq): seq above the largest SQLite integer")
        }
        // Byte 0 is never a value's, so an empty text still gets a non-null pointer.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(0)
        var actorID: Int64?
        var username: Range<Int>?
        if case .user(let id, let name) = event.actor {
            actorID = id.rawValue
            username = try append(name, seq: record.seq)
        }
        let action = try append(event.action.rawValue, seq: record.seq)
        for field in event.fields where field.utf8.contains(0) { throw Self.nul(record.seq) }
        let fieldsStart = scratch.count
        JSONText.appendStrings(event.fields, to: &scratch)
        let fields = fieldsStart..<scratch.count
        let justification = try event.justification.map { try append($0, seq: record.seq) }
        let outcome: Int64
        switch event.outcome {
        case .ok: outcome = 0
        case .refused(let code):
            // 0 stands for ok, in this column as in the canonical encoding.
            guard code != 0 else { throw StorageError.failure("audit record \(record.seq): a refusal without a code") }
            outcome = Int64(code)
        }
        let macStart = scratch.count
        scratch.append(contentsOf: record.mac.bytes)
        let mac = macStart..<scratch.count
        guard scratch.count <= Int(CInt.max) else {
            throw StorageError.failure("audit record \(record.seq) is too large for SQLite")
        }
        let statement = statement
        try scratch.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            let handle = statement.handle
            func text(_ index: CInt, _ range: Range<Int>?) -> CInt {
                guard let range else { return sqlite3_bind_null(handle, index) }
                let start = UnsafeRawPointer(base + range.lowerBound).assumingMemoryBound(to: CChar.self)
                return sqlite3_bind_text(handle, index, start, CInt(range.count), nil)  // SQLITE_STATIC
            }
            func integer(_ index: CInt, _ value: Int64?) -> CInt {
                guard let value else { return sqlite3_bind_null(handle, index) }
                return sqlite3_bind_int64(handle, index, value)
            }
            defer { statement.finish() }
            try statement.check(sqlite3_bind_int64(handle, 1, seq))
            try statement.check(sqlite3_bind_int64(handle, 2, event.time.rawValue))
            try statement.check(integer(3, actorID))
            try statement.check(text(4, username))
            try statement.check(text(5, action))
            try statement.check(integer(6, event.entry?.rawValue))
            try statement.check(sqlite3_bind_int64(handle, 7, outcome))
            try statement.check(text(8, fields))
            try statement.check(text(9, justification))
            try statement.check(sqlite3_bind_blob(handle, 10, base + mac.lowerBound, CInt(mac.count), nil))
            guard try !statement.step() else { throw statement.error(SQLITE_MISUSE) }
        }
    }

    private static func nul(_ seq: UInt64) -> StorageError {
        .failure("audit record \(seq): text with a NUL character cannot be stored in SQLite")
    }

    /// Appends `text`'s UTF-8 to `scratch`; the range it occupies. A NUL is refused.
    private mutating func append(_ text: String, seq: UInt64) throws(StorageError) -> Range<Int> {
        var text = text
        let start = scratch.count
        let clean = text.withUTF8 { bytes in
            guard !bytes.contains(0) else { return false }
            scratch.append(contentsOf: bytes)
            return true
        }
        guard clean else { throw Self.nul(seq) }
        return start..<scratch.count
    }
}

/// Reads `audit_record` rows of ``AuditRows/columns`` from a statement, in place: each column
/// read through the C API, and the texts that repeat from row to row (the username, the action,
/// the field list) decoded once while they repeat.
struct AuditRecordReader {
    /// The last text decoded in one column, and what it decoded to.
    private struct Repeat<Value> {
        var bytes: [UInt8] = []
        var value: Value?

        mutating func value(
            of text: UnsafeBufferPointer<UInt8>, _ decode: (UnsafeBufferPointer<UInt8>) -> Value?
        ) -> Value? {
            if let value, bytes.count == text.count,
                text.isEmpty
                    || bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 })
            {
                return value
            }
            value = decode(text)
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: text)
            return value
        }
    }

    private var usernames = Repeat<String>()
    private var actions = Repeat<AuditAction>()
    private var fieldLists = Repeat<[String]>()

    /// Every row `statement` (already bound) gives, in order.
    mutating func readAll(_ statement: SteppedStatement) throws -> [AuditRecord] {
        defer { statement.finish() }
        var records: [AuditRecord] = []
        while try statement.step() { records.append(try record(statement)) }
        return records
    }

    /// The record of the row `row` stands on. A damaged row (a value of the wrong type, an unknown
    /// action, an outcome or MAC out of shape) is `StorageError/corrupted(_:)` naming its seq,
    /// never a value.
    private mutating func record(_ row: SteppedStatement) throws -> AuditRecord {
        guard let rawSeq = row.int64(0), rawSeq >= 1 else {
            throw StorageError.corrupted("an audit record has a damaged seq")
        }
        let seq = UInt64(rawSeq)
        func damaged(_ what: String) -> StorageError {
            .corrupted("audit record \(seq) cannot be read: \(what)")
        }
        guard let time = row.int64(1) else { throw damaged("its time") }
        let actor: AuditActor
        switch (row.type(2), row.type(3)) {
        case (SQLITE_NULL, SQLITE_NULL): actor = .vault
        case (SQLITE_INTEGER, SQLITE_TEXT):
            let username = row.text(3) { text in usernames.value(of: text) { String(decoding: $0, as: UTF8.self) } }
            guard let username = username ?? nil else { throw damaged("its actor") }
            actor = .user(id: UserID(rawValue: sqlite3_column_int64(row.handle, 2)), username: username)
        default: throw damaged("its actor")
        }
        let action = row.text(4) { text in
            actions.value(of: text) { AuditAction(rawValue: String(decoding: $0, as: UTF8.self)) }
        }
        guard let action = action ?? nil else { throw damaged("its action") }
        let entry: EntryID?
        switch row.type(5) {
        case SQLITE_NULL: entry = nil
        case SQLITE_INTEGER:
            guard let id = EntryID(rawValue: sqlite3_column_int64(row.handle, 5)) else { throw damaged("its entry") }
            entry = id
        default: throw damaged("its entry")
        }
        guard let rawOutcome = row.int64(6), let code = UInt16(exactly: rawOutcome) else {
            throw damaged("its outcome")
        }
        let fields = row.text(7) { text in
            fieldLists.value(of: text) { try? JSONText.decodeStrings(String(decoding: $0, as: UTF8.self)) }
        }
        guard let fields = fields ?? nil else { throw damaged("its fields") }
        let justification: String?
        switch row.type(8) {
        case SQLITE_NULL: justification = nil
        case SQLITE_TEXT: justification = row.text(8) { String(decoding: $0, as: UTF8.self) }
        default: throw damaged("its justification")
        }
        let mac = row.blob(9) { $0.count == AuditMAC.byteCount ? AuditMAC(Array($0)) : nil }
        guard let mac = mac ?? nil else { throw damaged("its MAC") }
        return AuditRecord(
            seq: seq,
            event: AuditEvent(
                time: AuditTime(rawValue: time), actor: actor, action: action, entry: entry,
                outcome: code == 0 ? .ok : .refused(code: code), fields: fields, justification: justification),
            mac: mac)
    }
}
