import Foundation
import GRDB
import PasswordVault

extension SQLiteStorage {
    /// See `VaultStorage.commit(_:)`: one `IMMEDIATE` transaction, so the header generation
    /// read first is still the stored one when the transaction commits (SQLite has one writer
    /// at a time, across processes). A create is this one transaction: the generation check,
    /// the identifier counter's increment, the entry row and its share index rows, its audit
    /// records with the trail's head compare-and-set — one fsync. The access requests and the
    /// rotation marks (docs/contract.md §13) move in it too, after the entry part.
    @discardableResult
    public func commit(_ change: ChangeSet) async throws(StorageError) -> CommitResult {
        if case .replace(let entity, _, let history) = change.entry {
            try EntryRow.refuseNUL(in: entity)
            if case .archive(let previous, _) = history { try EntryRow.refuseNUL(in: previous) }
        }
        if let directory = change.directory { try Self.refuseNUL(in: directory) }
        try RequestRows.precheck(change.requests)
        if change.header != nil, change.headerGeneration == nil {
            throw .failure("a header write must name the generation it replaces")
        }
        return try await write { db in
            let stored = try HeaderRow.generation(db)
            if let expected = change.headerGeneration, expected != stored { throw StorageError.staleHeader }
            let inserted = try change.entry.flatMap { try Self.apply($0, in: db) }
            // docs/contract.md §13: the requests and the marks see the entry part's result.
            let insertedRequest = try RequestRows.apply(change.requests, in: db)
            try RequestRows.mark(change.rotationMarks, in: db)
            if let directory = change.directory { try Self.apply(directory, in: db) }
            // The records and the head move in this transaction: the COMMIT below (fsync'd,
            // `synchronous = FULL`) makes them durable with the rest, or none of it is written.
            let auditHead = try change.audit.map { try AuditRows.append($0, inserted: inserted?.identifier, in: db) }
            guard let header = change.header else {
                return CommitResult(
                    headerGeneration: stored, inserted: inserted, auditHead: auditHead, insertedRequest: insertedRequest
                )
            }
            let next = stored.next
            try db.cachedStatement(sql: HeaderRow.writeSQL).execute(
                arguments: [Data(header), Int64(bitPattern: next.rawValue)])
            return CommitResult(
                headerGeneration: next, inserted: inserted, auditHead: auditHead, insertedRequest: insertedRequest)
        }
    }

    /// The entry part; the inserted entry for an insert.
    private static func apply(_ change: EntryChange, in db: Database) throws -> PasswordEntity? {
        switch change {
        case .insert(let make):
            let id = try nextIdentifier(db)
            let entity = try make(id)
            guard entity.identifier == id else {
                throw StorageError.failure("an insert built entry \(entity.identifier) for identifier \(id)")
            }
            try EntryRow.refuseNUL(in: entity)
            var batch = try BatchInsert(db)
            try batch.insert(entity)
            return entity
        case .insertWithHistory(let make):
            let id = try nextIdentifier(db)
            let versions = try EntryChange.checkedVersions(try make(id), for: id)
            for version in versions.history + [versions.entry] { try EntryRow.refuseNUL(in: version) }
            var batch = try BatchInsert(db)
            try batch.insert(versions.entry)
            let statement = try db.cachedStatement(sql: HistoryRows.insertSQL)
            for old in versions.history { try statement.execute(arguments: EntryRow.arguments(old)) }
            return versions.entry
        case .replace(let entity, let expectedVersion, let history):
            var row = EntryRow.arguments(entity)
            row += [entity.identifier.rawValue, Int64(bitPattern: expectedVersion)]
            try db.cachedStatement(sql: EntryRow.updateSQL).execute(arguments: row)
            guard db.changesCount == 1 else { throw StorageError.conflict }
            let shares = try ShareIndex(db)
            try shares.remove(entity.identifier)
            try shares.add(entity)
            try HistoryRows.apply(history, of: entity.identifier, in: db)
            return nil
        case .delete(let id, let expectedVersion):
            try db.cachedStatement(sql: "DELETE FROM entry WHERE id = ? AND version = ?")
                .execute(arguments: [id.rawValue, Int64(bitPattern: expectedVersion)])
            guard db.changesCount == 1 else { throw StorageError.conflict }
            try ShareIndex(db).remove(id)
            try db.cachedStatement(sql: HistoryRows.deleteAllSQL).execute(arguments: [id.rawValue])
            try db.cachedStatement(sql: RequestRows.deleteForEntrySQL).execute(arguments: [id.rawValue])
            return nil
        }
    }

    /// The next entry identifier, from the counter (never handed out twice once committed).
    private static func nextIdentifier(_ db: Database) throws -> EntryID {
        guard
            let raw = try Int64.fetchOne(
                db.cachedStatement(
                    sql: "UPDATE identifier_counter SET last_value = last_value + 1 WHERE id = 1 RETURNING last_value"))
        else { throw StorageError.corrupted("the identifier counter is missing") }
        guard let id = EntryID(rawValue: raw) else { throw StorageError.corrupted("identifier \(raw)") }
        return id
    }

    /// The directory part.
    private static func apply(_ change: DirectoryChange, in db: Database) throws {
        switch change {
        case .addUser(let user):
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM vault_user WHERE id = ?", arguments: [user.id.rawValue])
                    == nil
            else { throw StorageError.duplicate("user id \(user.id)") }
            let key = user.username.canonicalKey
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM vault_user WHERE username_key = ?", arguments: [key]) == nil
            else { throw StorageError.duplicate("username \(user.username)") }
            try db.execute(
                sql: "INSERT INTO vault_user (id, username, username_key) VALUES (?, ?, ?)",
                arguments: [user.id.rawValue, user.username, key])
        case .addGroup(let name):
            let key = name.canonicalKey
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM vault_group WHERE name_key = ?", arguments: [key]) == nil
            else { throw StorageError.duplicate("group \(name)") }
            try db.execute(sql: "INSERT INTO vault_group (name_key, name) VALUES (?, ?)", arguments: [key, name])
        case .setMembership(let group, let username, let isMember):
            let groupKey = group.canonicalKey
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM vault_group WHERE name_key = ?", arguments: [groupKey]) != nil
            else { throw StorageError.notFound("group \(group)") }
            if isMember {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO group_member (group_key, member_key, member) VALUES (?, ?, ?)",
                    arguments: [groupKey, username.canonicalKey, username])
            } else {
                try db.execute(
                    sql: "DELETE FROM group_member WHERE group_key = ? AND member_key = ?",
                    arguments: [groupKey, username.canonicalKey])
            }
        }
    }

    private static func refuseNUL(in change: DirectoryChange) throws(StorageError) {
        switch change {
        case .addUser(let user): try EntryRow.refuseNUL([user.username], what: "user \(user.id)")
        case .addGroup(let name): try EntryRow.refuseNUL([name], what: "group")
        case .setMembership(let group, let username, _): try EntryRow.refuseNUL([group, username], what: "membership")
        }
    }
}

/// The `entry_history` rows of an entry (schema migration v3): whole rows of `EntryRow`'s
/// columns, one per old revision.
enum HistoryRows {
    static let selectSQL = "SELECT \(EntryRow.columns) FROM entry_history WHERE id = ? ORDER BY revision"
    static let insertSQL = """
        INSERT INTO entry_history (\(EntryRow.columns)) VALUES (\(SQLiteStorage.placeholders(EntryRow.columnCount)))
        """
    static let newestSQL = "SELECT MAX(revision) FROM entry_history WHERE id = ?"
    /// Keeps the newest `?2` revisions of entry `?1`.
    static let purgeSQL = """
        DELETE FROM entry_history WHERE id = ?1 AND revision NOT IN
            (SELECT revision FROM entry_history WHERE id = ?1 ORDER BY revision DESC LIMIT ?2)
        """
    static let resealSQL = """
        UPDATE entry_history SET sealed_password = ?, sealed_secret_key = ?, sealed_notes = ?
        WHERE id = ? AND revision = ?
        """
    static let deleteAllSQL = "DELETE FROM entry_history WHERE id = ?"

    /// Applies a replace's history part, in its transaction.
    static func apply(_ update: HistoryUpdate, of id: EntryID, in db: Database) throws {
        switch update {
        case .unchanged: return
        case .archive(let previous, let depth):
            guard previous.identifier == id else {
                throw StorageError.failure("entry \(id) cannot archive a version of entry \(previous.identifier)")
            }
            guard depth >= 0 else { throw StorageError.failure("a history depth of \(depth) is negative") }
            let newest = try Int64.fetchOne(db.cachedStatement(sql: newestSQL), arguments: [id.rawValue])
            if let newest, newest >= Int64(bitPattern: previous.revision) {
                throw StorageError.failure("entry \(id) already holds revision \(newest) in its history")
            }
            try db.cachedStatement(sql: insertSQL).execute(arguments: EntryRow.arguments(previous))
            try db.cachedStatement(sql: purgeSQL).execute(arguments: [id.rawValue, depth])
        case .reseal(let versions):
            let statement = try db.cachedStatement(sql: resealSQL)
            for version in versions {
                guard version.identifier == id else { throw StorageError.conflict }
                try statement.execute(arguments: [
                    Data(version.sealedPassword.bytes), version.sealedSecretKey.map { Data($0.bytes) },
                    version.sealedNotes.map { Data($0.bytes) }, id.rawValue, Int64(bitPattern: version.revision),
                ])
                guard db.changesCount == 1 else { throw StorageError.conflict }
            }
        }
    }
}

/// The `vault_header` row: the header's bytes and its generation (schema migration v2).
enum HeaderRow {
    static let writeSQL = "INSERT OR REPLACE INTO vault_header (id, bytes, generation) VALUES (1, ?, ?)"

    /// The stored generation; `HeaderGeneration/noHeader` without a header.
    static func generation(_ db: Database) throws -> HeaderGeneration {
        let raw = try Int64.fetchOne(db.cachedStatement(sql: "SELECT generation FROM vault_header WHERE id = 1"))
        return HeaderGeneration(rawValue: UInt64(bitPattern: raw ?? 0))
    }
}
