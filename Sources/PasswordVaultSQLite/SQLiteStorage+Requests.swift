import Foundation
import GRDB
public import PasswordVault

// Access requests and rotation marks in SQLite (schema migration v5, docs/contract.md §13,
// docs/format.md §6): `access_request`, one row per request, its identifiers from
// `request_counter`; the marks set `entry.needs_rotation`.

extension SQLiteStorage {
    /// See `VaultStorage/accessRequest(_:)`: one row by primary key.
    public func accessRequest(_ id: AccessRequestID) async throws(StorageError) -> AccessRequest? {
        try await readStatement { db in
            try Row.fetchOne(db.cachedStatement(sql: RequestRows.selectByIDSQL), arguments: [id.rawValue])
                .map(RequestRows.decode)
        }
    }

    /// See `VaultStorage/accessRequests(_:)`: one statement with every criterion in its `WHERE`,
    /// in identifier order, served by the `access_request_entry` index when the query names
    /// entries, else by `access_request_requester` when it names a requester.
    public func accessRequests(_ query: AccessRequestQuery) async throws(StorageError) -> [AccessRequest] {
        guard let statement = RequestQuerySQL(query) else { return [] }
        return try await readStatement { db in
            try Array(
                Row.fetchCursor(db.cachedStatement(sql: statement.sql), arguments: statement.arguments)
                    .map(RequestRows.decode))
        }
    }

    /// `EXPLAIN QUERY PLAN` of the statement ``accessRequests(_:)`` runs for `query`, one detail
    /// per step (for tests that prove the requests come from an index).
    func accessRequestQueryPlan(for query: AccessRequestQuery) async throws(StorageError) -> [String] {
        guard let statement = RequestQuerySQL(query) else { return [] }
        return try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
                .map { try $0.decode(String.self, atIndex: 3) }
        }
    }
}

/// How an ``AccessRequest`` maps to an `access_request` row.
enum RequestRows {
    /// The columns, in the order ``decode(_:)`` reads them and ``insertSQL`` binds them.
    static let columns = """
        id, entry, requester, requester_name, justification, minutes, state, approvals, denied_by, created_at, \
        decided_at, expires_at, version
        """
    static let columnCount = 13
    static let insertSQL = "INSERT INTO access_request (\(columns)) VALUES (\(SQLiteStorage.placeholders(columnCount)))"
    static let selectByIDSQL = "SELECT \(columns) FROM access_request WHERE id = ?"
    /// Compare-and-set: the values of ``columns``, then the identifier, the expected version and
    /// the entry (a request never moves to another entry).
    static let updateSQL = """
        UPDATE access_request SET (\(columns)) = (\(SQLiteStorage.placeholders(columnCount))) \
        WHERE id = ? AND version = ? AND entry = ?
        """
    static let nextIdentifierSQL =
        "UPDATE request_counter SET last_value = last_value + 1 WHERE id = 1 RETURNING last_value"
    static let entryExistsSQL = "SELECT 1 FROM entry WHERE id = ?"
    static let deleteForEntrySQL = "DELETE FROM access_request WHERE entry = ?"
    /// Sets the mark of an entry not marked yet and moves its version by one (wrapping, as a
    /// `UInt64` kept as its `Int64` bit pattern does), not its revision.
    static let markSQL = """
        UPDATE entry SET needs_rotation = 1,
            version = CASE WHEN version = 9223372036854775807 THEN -9223372036854775808 ELSE version + 1 END
        WHERE id = ? AND needs_rotation = 0
        """

    /// Refuses, before the transaction, what the change set's request parts cannot store: a
    /// second insert, a text with a NUL.
    static func precheck(_ changes: [AccessRequestChange]) throws(StorageError) {
        var inserts = 0
        for change in changes {
            switch change {
            case .insert: inserts += 1
            case .replace(let request, _): try refuseUnstorable(request)
            }
        }
        if inserts > 1 { throw .failure("a change set may insert one access request") }
    }

    /// Applies the request parts in `db`'s transaction (the change set's), after its entry part;
    /// the inserted request, if any.
    /// - Throws: `StorageError/conflict` for an insert whose entry is gone, or a replace whose
    ///   request is gone or has another version (or entry).
    static func apply(_ changes: [AccessRequestChange], in db: Database) throws -> AccessRequest? {
        var inserted: AccessRequest?
        for change in changes {
            switch change {
            case .insert(let make):
                guard let raw = try Int64.fetchOne(db.cachedStatement(sql: nextIdentifierSQL)) else {
                    throw StorageError.corrupted("the access request counter is missing")
                }
                guard let id = AccessRequestID(rawValue: raw) else {
                    throw StorageError.corrupted("access request identifier \(raw)")
                }
                let request = try make(id)
                guard request.identifier == id else {
                    throw StorageError.failure(
                        "an insert built access request \(request.identifier) for identifier \(id)")
                }
                try refuseUnstorable(request)
                guard
                    try Bool.fetchOne(db.cachedStatement(sql: entryExistsSQL), arguments: [request.entry.rawValue])
                        != nil
                else { throw StorageError.conflict }
                try db.cachedStatement(sql: insertSQL).execute(arguments: arguments(request))
                inserted = request
            case .replace(let request, let expectedVersion):
                var row = arguments(request)
                row += [request.identifier.rawValue, Int64(bitPattern: expectedVersion), request.entry.rawValue]
                try db.cachedStatement(sql: updateSQL).execute(arguments: row)
                guard db.changesCount == 1 else { throw StorageError.conflict }
            }
        }
        return inserted
    }

    /// Applies the rotation marks (`ChangeSet/rotationMarks`), after the entry part: an entry
    /// that is missing or already marked is left as it is.
    static func mark(_ ids: Set<EntryID>, in db: Database) throws {
        guard !ids.isEmpty else { return }
        let statement = try db.cachedStatement(sql: markSQL)
        for id in ids.sorted(by: { $0.rawValue < $1.rawValue }) { try statement.execute(arguments: [id.rawValue]) }
    }

    /// A request's texts go through C strings (see ``EntryRow/refuseNUL(in:)``).
    private static func refuseUnstorable(_ request: AccessRequest) throws(StorageError) {
        try EntryRow.refuseNUL(
            [request.requesterName, request.justification], what: "access request \(request.identifier)")
    }

    /// The values for ``columns``.
    static func arguments(_ request: AccessRequest) -> StatementArguments {
        [
            request.identifier.rawValue, request.entry.rawValue, request.requester.rawValue, request.requesterName,
            request.justification, Int64(request.minutes), request.storedState.rawValue,
            approvalsText(request.approvals), request.deniedBy?.rawValue,
            request.createdAt.timeIntervalSinceReferenceDate, request.decidedAt?.timeIntervalSinceReferenceDate,
            request.expiresAt?.timeIntervalSinceReferenceDate, Int64(bitPattern: request.version),
        ]
    }

    /// `[1,2,…]`: the approvers' user ids, in order.
    static func approvalsText(_ approvals: [UserID]) -> String {
        "[" + approvals.map { String($0.rawValue) }.joined(separator: ",") + "]"
    }

    /// A request from a row of ``columns``; a damaged row is `StorageError/corrupted(_:)` naming
    /// its identifier, never a value.
    static func decode(_ row: Row) throws -> AccessRequest {
        let raw: Int64 = try row.decode(atIndex: 0)
        guard let id = AccessRequestID(rawValue: raw) else {
            throw StorageError.corrupted("an access request has identifier \(raw)")
        }
        func damaged(_ what: String) -> StorageError { .corrupted("access request \(id) cannot be read: \(what)") }
        do {
            guard let entry = EntryID(rawValue: try row.decode(atIndex: 1)) else { throw damaged("its entry") }
            guard let state = AccessRequestState(rawValue: try row.decode(atIndex: 6)) else {
                throw damaged("its state")
            }
            guard let minutes = Int(exactly: try row.decode(Int64.self, atIndex: 5)) else {
                throw damaged("its minutes")
            }
            let approvals: [Int64]
            do {
                approvals = try JSONDecoder().decode(
                    [Int64].self, from: Data(try row.decode(String.self, atIndex: 7).utf8))
            } catch {
                throw damaged("its approvals")
            }
            return AccessRequest(
                identifier: id, entry: entry, requester: UserID(rawValue: try row.decode(atIndex: 2)),
                requesterName: try row.decode(atIndex: 3), justification: try row.decode(atIndex: 4),
                minutes: minutes, storedState: state, approvals: approvals.map(UserID.init(rawValue:)),
                deniedBy: (try row.decode(Int64?.self, atIndex: 8)).map(UserID.init(rawValue:)),
                createdAt: Date(timeIntervalSinceReferenceDate: try row.decode(atIndex: 9)),
                decidedAt: (try row.decode(Double?.self, atIndex: 10)).map(Date.init(timeIntervalSinceReferenceDate:)),
                expiresAt: (try row.decode(Double?.self, atIndex: 11)).map(Date.init(timeIntervalSinceReferenceDate:)),
                version: UInt64(bitPattern: try row.decode(Int64.self, atIndex: 12)))
        } catch let error as StorageError {
            throw error
        } catch {
            throw damaged("\(type(of: error))")
        }
    }
}

/// The statement ``SQLiteStorage/accessRequests(_:)`` runs for a query: every criterion in its
/// `WHERE`, the entries as one JSON array (`json_each`), the states as literals of the closed set.
struct RequestQuerySQL {
    let sql: String
    let arguments: StatementArguments

    /// `nil` when the query cannot match anything (no entries, or no states, asked for).
    init?(_ query: AccessRequestQuery) {
        var conditions: [String] = []
        var values: [(any DatabaseValueConvertible)?] = []
        if let entries = query.entries {
            guard !entries.isEmpty else { return nil }
            conditions.append("entry IN (SELECT value FROM json_each(?))")
            values.append("[" + entries.map { String($0.rawValue) }.sorted().joined(separator: ",") + "]")
        }
        if let requester = query.requester {
            conditions.append("requester = ?")
            values.append(requester.rawValue)
        }
        if let states = query.storedStates {
            guard !states.isEmpty else { return nil }
            // The closed set's names: no quote can occur in them.
            let names = AccessRequestState.allCases.filter(states.contains).map { "'\($0.rawValue)'" }
            conditions.append("state IN (\(names.joined(separator: ", ")))")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        sql = "SELECT \(RequestRows.columns) FROM access_request\(filter) ORDER BY id"
        arguments = StatementArguments(values)
    }
}
