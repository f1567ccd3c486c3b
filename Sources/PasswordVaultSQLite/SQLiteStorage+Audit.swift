import Foundation
import GRDB
public import PasswordVault

// The audit trail in SQLite (schema migration v4, docs/format.md §6): `audit_record`, one row per
// record, and `audit_head`, the one-row head moved in the same transaction as the records.

extension SQLiteStorage {
    /// See ``VaultStorage/auditHead()``: the `audit_head` row.
    public func auditHead() async throws(StorageError) -> AuditHead {
        try await readStatement { db in try AuditRows.head(db) }
    }

    /// See ``VaultStorage/auditRecords(_:)``: one statement with every criterion in its `WHERE`,
    /// in `seq` order, served by the primary key, or by the `entry` or `actor_id` index.
    public func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        guard let statement = AuditQuerySQL(query) else { return [] }
        return try await readStatement { db in
            try Array(
                Row.fetchCursor(db.cachedStatement(sql: statement.sql), arguments: statement.arguments)
                    .map(AuditRows.decode))
        }
    }

    /// `EXPLAIN QUERY PLAN` of the statement ``auditRecords(_:)`` runs for `query`, one detail per
    /// step (for tests that prove an entry's or an actor's records come from an index).
    func auditQueryPlan(for query: AuditQuery) async throws(StorageError) -> [String] {
        guard let statement = AuditQuerySQL(query) else { return [] }
        return try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                .map { try $0.decode(String.self, atIndex: 3) }
        }
    }
}

/// How an ``AuditRecord`` maps to an `audit_record` row, and the head to the `audit_head` row.
enum AuditRows {
    /// The columns, in the order ``decode(_:)`` reads them and ``insertSQL`` binds them.
    static let columns = """
        seq, time, actor_id, actor_username, action, entry, outcome, fields, justification, mac
        """
    static let insertSQL = "INSERT INTO audit_record (\(columns)) VALUES (\(SQLiteStorage.placeholders(10)))"
    static let headSQL = "SELECT seq, mac FROM audit_head WHERE id = 1"
    static let moveHeadSQL = "UPDATE audit_head SET seq = ?, mac = ? WHERE id = 1"

    /// The stored head; a missing or damaged head row is `StorageError/corrupted(_:)`.
    static func head(_ db: Database) throws -> AuditHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: headSQL)) else {
            throw StorageError.corrupted("the audit trail's head is missing")
        }
        guard case .int64(let seq) = (row[0] as DatabaseValue).storage, seq >= 0,
            case .blob(let bytes) = (row[1] as DatabaseValue).storage,
            let mac = AuditMAC(Array(bytes))
        else { throw StorageError.corrupted("the audit trail's head is damaged") }
        return AuditHead(seq: UInt64(seq), mac: mac)
    }

    /// Appends `audit`'s records after the stored head and moves the head, in `db`'s transaction
    /// (the change set's), after its entry part: `inserted` is the identifier an insert received.
    /// - Throws: ``StorageError/auditHeadMoved`` when the stored head is not `audit.after`; what
    ///   `audit.records` throws; a failure for records that do not continue the trail or that
    ///   cannot be stored (a NUL in a text, a seq or code out of the columns' range).
    static func append(_ audit: AuditAppend, inserted: EntryID?, in db: Database) throws -> AuditHead {
        guard try head(db) == audit.after else { throw StorageError.auditHeadMoved }
        let records = try audit.records(inserted)
        let newHead = try AuditAppend.head(after: audit.after, appending: records)
        let insert = try db.cachedStatement(sql: insertSQL)
        for record in records { try insert.execute(arguments: arguments(record)) }
        try db.cachedStatement(sql: moveHeadSQL).execute(arguments: [
            Int64(bitPattern: newHead.seq), Data(newHead.mac.bytes),
        ])
        return newHead
    }

    /// The values for ``columns``; a record the columns cannot hold exactly is refused.
    static func arguments(_ record: AuditRecord) throws(StorageError) -> StatementArguments {
        let event = record.event
        guard let seq = Int64(exactly: record.seq) else {
            throw .failure("audit record \(record.seq): seq above the largest SQLite integer")
        }
        var texts = event.fields + [event.action.rawValue]
        var actorID: Int64?
        var username: String?
        if case .user(let id, let name) = event.actor {
            actorID = id.rawValue
            username = name
            texts.append(name)
        }
        if let justification = event.justification { texts.append(justification) }
        try EntryRow.refuseNUL(texts, what: "audit record \(record.seq)")
        let outcome: Int64
        switch event.outcome {
        case .ok: outcome = 0
        case .refused(let code):
            // 0 stands for ok, in this column as in the canonical encoding.
            guard code != 0 else { throw .failure("audit record \(record.seq): a refusal without a code") }
            outcome = Int64(code)
        }
        return [
            seq, event.time.rawValue, actorID, username, event.action.rawValue, event.entry?.rawValue, outcome,
            JSONText.strings(event.fields), event.justification, Data(record.mac.bytes),
        ]
    }

    /// A record from a row of ``columns``. A damaged row (a value of the wrong type, an unknown
    /// action, an outcome or MAC out of shape) is `StorageError/corrupted(_:)` naming its seq,
    /// never a value.
    static func decode(_ row: Row) throws -> AuditRecord {
        func storage(_ index: Int) -> DatabaseValue.Storage { (row[index] as DatabaseValue).storage }
        guard case .int64(let rawSeq) = storage(0), rawSeq >= 1 else {
            throw StorageError.corrupted("an audit record has a damaged seq")
        }
        let seq = UInt64(rawSeq)
        func damaged(_ what: String) -> StorageError {
            .corrupted("audit record \(seq) cannot be read: \(what)")
        }
        guard case .int64(let time) = storage(1) else { throw damaged("its time") }
        let actor: AuditActor
        switch (storage(2), storage(3)) {
        case (.null, .null): actor = .vault
        case (.int64(let id), .string(let username)): actor = .user(id: UserID(rawValue: id), username: username)
        default: throw damaged("its actor")
        }
        guard case .string(let actionName) = storage(4), let action = AuditAction(rawValue: actionName) else {
            throw damaged("its action")
        }
        let entry: EntryID?
        switch storage(5) {
        case .null: entry = nil
        case .int64(let raw):
            guard let id = EntryID(rawValue: raw) else { throw damaged("its entry") }
            entry = id
        default: throw damaged("its entry")
        }
        guard case .int64(let rawOutcome) = storage(6), let code = UInt16(exactly: rawOutcome) else {
            throw damaged("its outcome")
        }
        guard case .string(let fieldsText) = storage(7), let fields = try? JSONText.decodeStrings(fieldsText)
        else { throw damaged("its fields") }
        let justification: String?
        switch storage(8) {
        case .null: justification = nil
        case .string(let text): justification = text
        default: throw damaged("its justification")
        }
        guard case .blob(let macBytes) = storage(9), let mac = AuditMAC(Array(macBytes)) else {
            throw damaged("its MAC")
        }
        return AuditRecord(
            seq: seq,
            event: AuditEvent(
                time: AuditTime(rawValue: time), actor: actor, action: action, entry: entry,
                outcome: code == 0 ? .ok : .refused(code: code), fields: fields, justification: justification),
            mac: mac)
    }
}

/// The `SELECT` for an ``AuditQuery``: every criterion in its `WHERE`, `seq` order, the limit.
/// The text depends only on which criteria are set, so the connection's statement cache holds
/// at most one statement per combination.
struct AuditQuerySQL {
    let sql: String
    let arguments: StatementArguments

    /// `nil` when nothing can match: no record has a seq above SQLite's largest integer, and a
    /// limit of 0 or less selects nothing (SQLite would read a negative `LIMIT` as none).
    init?(_ query: AuditQuery) {
        guard query.limit > 0, let fromSeq = Int64(exactly: max(query.fromSeq, 1)) else { return nil }
        var conditions = ["seq >= ?"]
        var values: [(any DatabaseValueConvertible)?] = [fromSeq]
        if let entry = query.entry {
            conditions.append("entry = ?")
            values.append(entry.rawValue)
        }
        switch query.actor {
        case nil: break
        case .vault: conditions.append("actor_id IS NULL")
        case .user(let id):
            conditions.append("actor_id = ?")
            values.append(id.rawValue)
        }
        if let action = query.action {
            conditions.append("action = ?")
            values.append(action.rawValue)
        }
        if let since = query.since {
            conditions.append("time >= ?")
            values.append(since.rawValue)
        }
        if let before = query.before {
            conditions.append("time < ?")
            values.append(before.rawValue)
        }
        // Int is 64 bits here: Int.max binds as SQLite's largest integer, no overflow.
        values.append(Int64(clamping: query.limit))
        sql = """
            SELECT \(AuditRows.columns) FROM audit_record WHERE \(conditions.joined(separator: " AND ")) \
            ORDER BY seq LIMIT ?
            """
        arguments = StatementArguments(values)
    }
}
