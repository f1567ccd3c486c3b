import Foundation
import GRDB
public import PasswordVault

// The audit trail in SQLite (schema migration v4, docs/format.md §6): `audit_record`, one row per
// record, and `audit_head`, the one-row head moved in the same transaction as the records.

extension SQLiteStorage {
    /// See `VaultStorage/auditHead()`: the `audit_head` row.
    public func auditHead() async throws(StorageError) -> AuditHead {
        try await readStatement { db in try AuditRows.head(db) }
    }

    /// See `VaultStorage/auditRecords(_:)`: one statement with every criterion in its `WHERE`,
    /// in `seq` order, served by the primary key, or by the `entry` or `actor_id` index.
    public func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        guard let statement = AuditQuerySQL(query) else { return [] }
        return try await readStatement { db in
            let rows = try SteppedStatement(db, sql: statement.sql)
            try rows.statement.setArguments(statement.arguments)
            var reader = AuditRecordReader()
            return try reader.readAll(rows)
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
    /// The columns, in the order `AuditRecordReader` reads them and `AuditInsert` binds them.
    static let columns = """
        seq, time, actor_id, actor_username, action, entry, outcome, fields, justification, mac
        """
    static let insertSQL = "INSERT INTO audit_record (\(columns)) VALUES (\(SQLiteStorage.placeholders(10)))"
    static let headSQL = "SELECT seq, mac FROM audit_head WHERE id = 1"
    static let moveHeadSQL = "UPDATE audit_head SET seq = ?, mac = ? WHERE id = 1"

    // The head read, the rows written and read: SQLiteStorage+AuditStatements.swift (C API).
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
