public import PasswordVault
import PostgresNIO

extension PostgresStorage {
    /// See ``VaultStorage/commit(_:)``: one transaction, locks taken in the order the type's
    /// documentation gives (header row, entry, requests, audit head), checks in the order the
    /// protocol gives; the first that fails rolls everything back.
    @discardableResult
    public func commit(_ change: ChangeSet) async throws(StorageError) -> CommitResult {
        if change.header != nil, change.headerGeneration == nil {
            throw .failure("a header write must name the generation it replaces")
        }
        try Self.precheck(change)
        return try await transaction { connection, logger in
            let (stored, nextEntryID) = try await Self.lockHeader(change, on: connection, logger: logger)
            if let expected = change.headerGeneration, expected != stored { throw StorageError.staleHeader }
            let inserted = try await change.entry.asyncFlatMap {
                try await Self.apply($0, identifier: nextEntryID, on: connection, logger: logger)
            }
            let insertedRequest = try await Self.apply(change.requests, on: connection, logger: logger)
            if !change.rotationMarks.isEmpty {
                var binds = PostgresBindings()
                binds.append(change.rotationMarks.map(\.rawValue).sorted())
                try await connection.rows(Statements.markSQL, binds, logger: logger)
            }
            if let directory = change.directory { try await Self.apply(directory, on: connection, logger: logger) }
            var auditHead: AuditHead?
            if let audit = change.audit {
                auditHead = try await Self.append(
                    audit, inserted: inserted?.identifier, on: connection, logger: logger)
            }
            guard let header = change.header else {
                return CommitResult(
                    headerGeneration: stored, inserted: inserted, auditHead: auditHead, insertedRequest: insertedRequest
                )
            }
            let next = stored.next
            var binds = PostgresBindings()
            binds.append(ByteBuffer(bytes: header))
            binds.append(Int64(bitPattern: next.rawValue))
            let written = try await connection.rows(
                stored == .noHeader ? Statements.insertHeaderSQL : Statements.updateHeaderSQL, binds, logger: logger)
            // Another host's first header won the race (the insert found its row and did nothing).
            guard written.count == 1 else { throw StorageError.staleHeader }
            return CommitResult(
                headerGeneration: next, inserted: inserted, auditHead: auditHead, insertedRequest: insertedRequest)
        }
    }

    /// Refuses, before the transaction, what no transaction could store.
    private static func precheck(_ change: ChangeSet) throws(StorageError) {
        if case .replace(let entity, _, let history) = change.entry {
            try EntryColumns.refuseUnstorable(entity)
            if case .archive(let previous, _) = history { try EntryColumns.refuseUnstorable(previous) }
        }
        var inserts = 0
        for request in change.requests {
            switch request {
            case .insert: inserts += 1
            case .replace(let request, _):
                try EntryColumns.refuseNUL(
                    [request.requesterName, request.justification], what: "access request \(request.identifier)")
            }
        }
        if inserts > 1 { throw .failure("a change set may insert one access request") }
        switch change.directory {
        case .addUser(let user): try EntryColumns.refuseNUL([user.username], what: "user \(user.id)")
        case .addGroup(let name): try EntryColumns.refuseNUL([name], what: "group")
        case .setMembership(let group, let username, _):
            try EntryColumns.refuseNUL([group, username], what: "membership")
        case nil: break
        }
    }

    /// The stored header generation, with the header row locked as the change needs: `FOR UPDATE`
    /// to write a header, `FOR SHARE` to write under a known generation (so that no header write
    /// commits between the check and this transaction's commit), no lock otherwise. For an entry
    /// insert, the next entry identifier in the same statement (one round trip, not two); a
    /// commit refused after it skips that identifier, as a rollback does.
    private static func lockHeader(
        _ change: ChangeSet, on connection: PostgresConnection, logger: Logger
    ) async throws -> (HeaderGeneration, EntryID?) {
        let lock = change.header != nil ? " FOR UPDATE" : change.headerGeneration != nil ? " FOR SHARE" : ""
        let inserts: Bool
        switch change.entry {
        case .insert, .insertWithHistory: inserts = true
        case .replace, .delete, nil: inserts = false
        }
        let generationSQL = "SELECT generation FROM vault_header WHERE id = 1" + lock
        guard inserts else {
            let rows = try await connection.rows(generationSQL, logger: logger)
            guard let row = rows.first else { return (.noHeader, nil) }
            return (HeaderGeneration(rawValue: UInt64(bitPattern: try row.decode(Int64.self))), nil)
        }
        guard
            let row = try await connection.rows(
                "SELECT (\(generationSQL)), nextval('entry_id_seq')", logger: logger
            ).first
        else { throw StorageError.corrupted("an identifier sequence gave nothing") }
        let (generation, raw) = try row.decode((Int64?, Int64).self)
        guard let id = EntryID(rawValue: raw) else { throw StorageError.corrupted("entry identifier \(raw)") }
        return (generation.map { HeaderGeneration(rawValue: UInt64(bitPattern: $0)) } ?? .noHeader, id)
    }

    /// The entry part; the inserted entry for an insert.
    private static func apply(
        _ change: EntryChange, identifier: EntryID?, on connection: PostgresConnection, logger: Logger
    ) async throws -> PasswordEntity? {
        switch change {
        case .insert(let make):
            let id = try await nextIdentifier(identifier, on: connection, logger: logger)
            let entity = try make(id)
            guard entity.identifier == id else {
                throw StorageError.failure("an insert built entry \(entity.identifier) for identifier \(id)")
            }
            try EntryColumns.refuseUnstorable(entity)
            var binds = PostgresBindings(capacity: EntryColumns.count + 2)
            EntryColumns.bind(entity, keys: true, into: &binds)
            try await connection.rows(EntryColumns.insertEntrySQL, binds, logger: logger)
            return entity
        case .insertWithHistory(let make):
            let id = try await nextIdentifier(identifier, on: connection, logger: logger)
            let versions = try EntryChange.checkedVersions(try make(id), for: id)
            for version in versions.history + [versions.entry] { try EntryColumns.refuseUnstorable(version) }
            var binds = PostgresBindings(capacity: EntryColumns.count + 2)
            EntryColumns.bind(versions.entry, keys: true, into: &binds)
            try await connection.rows(EntryColumns.insertEntrySQL, binds, logger: logger)
            for old in versions.history { try await insertHistory(old, on: connection, logger: logger) }
            return versions.entry
        case .replace(let entity, let expectedVersion, let history):
            var binds = PostgresBindings(capacity: EntryColumns.count + 4)
            EntryColumns.bind(entity, keys: true, into: &binds)
            binds.append(entity.identifier.rawValue)
            binds.append(Int64(bitPattern: expectedVersion))
            let updated = try await connection.rows(EntryColumns.updateSQL + " RETURNING id", binds, logger: logger)
            guard updated.count == 1 else { throw StorageError.conflict }
            try await apply(history, of: entity.identifier, on: connection, logger: logger)
            return nil
        case .delete(let id, let expectedVersion):
            var binds = PostgresBindings()
            binds.append(id.rawValue)
            binds.append(Int64(bitPattern: expectedVersion))
            let deleted = try await connection.rows(Statements.deleteEntrySQL, binds, logger: logger)
            guard deleted.count == 1 else { throw StorageError.conflict }
            var idBind = PostgresBindings()
            idBind.append(id.rawValue)
            try await connection.rows(Statements.deleteDependentsSQL, idBind, logger: logger)
            return nil
        }
    }

    private static func insertHistory(
        _ version: PasswordEntity, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var binds = PostgresBindings(capacity: EntryColumns.count)
        EntryColumns.bind(version, keys: false, into: &binds)
        try await connection.rows(EntryColumns.insertHistorySQL, binds, logger: logger)
    }

    /// A replace's history part (docs/contract.md §11), in its transaction.
    private static func apply(
        _ update: HistoryUpdate, of id: EntryID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        switch update {
        case .unchanged: return
        case .archive(let previous, let depth):
            guard previous.identifier == id else {
                throw StorageError.failure("entry \(id) cannot archive a version of entry \(previous.identifier)")
            }
            guard depth >= 0 else { throw StorageError.failure("a history depth of \(depth) is negative") }
            var idBind = PostgresBindings()
            idBind.append(id.rawValue)
            let newest = try await connection.rows(Statements.newestRevisionSQL, idBind, logger: logger).first?
                .decode(Int64?.self)
            if let newest, newest >= Int64(bitPattern: previous.revision) {
                throw StorageError.failure("entry \(id) already holds revision \(newest) in its history")
            }
            try await insertHistory(previous, on: connection, logger: logger)
            var purge = PostgresBindings()
            purge.append(id.rawValue)
            purge.append(Int64(depth))
            try await connection.rows(Statements.purgeHistorySQL, purge, logger: logger)
        case .reseal(let versions):
            for version in versions {
                guard version.identifier == id else { throw StorageError.conflict }
                var binds = PostgresBindings()
                binds.append(ByteBuffer(bytes: version.sealedPassword.bytes))
                binds.append(version.sealedSecretKey.map { ByteBuffer(bytes: $0.bytes) })
                binds.append(version.sealedNotes.map { ByteBuffer(bytes: $0.bytes) })
                binds.append(id.rawValue)
                binds.append(Int64(bitPattern: version.revision))
                let updated = try await connection.rows(Statements.resealHistorySQL, binds, logger: logger)
                guard updated.count == 1 else { throw StorageError.conflict }
            }
        }
    }

    /// The request parts (docs/contract.md §13), after the entry part; the inserted request.
    private static func apply(
        _ changes: [AccessRequestChange], on connection: PostgresConnection, logger: Logger
    ) async throws -> AccessRequest? {
        var inserted: AccessRequest?
        for change in changes {
            switch change {
            case .insert(let make):
                let raw = try await nextRaw(Statements.nextRequestSQL, on: connection, logger: logger)
                guard let id = AccessRequestID(rawValue: raw) else {
                    throw StorageError.corrupted("access request identifier \(raw)")
                }
                let request = try make(id)
                guard request.identifier == id else {
                    throw StorageError.failure(
                        "an insert built access request \(request.identifier) for identifier \(id)")
                }
                try EntryColumns.refuseNUL(
                    [request.requesterName, request.justification], what: "access request \(request.identifier)")
                // The entry row, locked: a delete of it cannot commit between this check and ours.
                var entry = PostgresBindings()
                entry.append(request.entry.rawValue)
                let exists = try await connection.rows(
                    "SELECT 1 FROM entry WHERE id = $1 FOR SHARE", entry, logger: logger)
                guard exists.count == 1 else { throw StorageError.conflict }
                var binds = PostgresBindings(capacity: RequestColumns.count)
                RequestColumns.bind(request, into: &binds)
                try await connection.rows(RequestColumns.insertSQL, binds, logger: logger)
                inserted = request
            case .replace(let request, let expectedVersion):
                var binds = PostgresBindings(capacity: RequestColumns.count + 3)
                RequestColumns.bind(request, into: &binds)
                binds.append(request.identifier.rawValue)
                binds.append(Int64(bitPattern: expectedVersion))
                binds.append(request.entry.rawValue)
                let updated = try await connection.rows(
                    RequestColumns.updateSQL + " RETURNING id", binds, logger: logger)
                guard updated.count == 1 else { throw StorageError.conflict }
            }
        }
        return inserted
    }

    /// The directory part.
    private static func apply(
        _ change: DirectoryChange, on connection: PostgresConnection, logger: Logger
    ) async throws {
        switch change {
        case .addUser(let user):
            var byID = PostgresBindings()
            byID.append(user.id.rawValue)
            guard try await connection.rows("SELECT 1 FROM vault_user WHERE id = $1", byID, logger: logger).isEmpty
            else { throw StorageError.duplicate("user id \(user.id)") }
            var binds = PostgresBindings()
            binds.append(user.id.rawValue)
            binds.append(user.username)
            binds.append(user.username.canonicalKey)
            // ON CONFLICT: a concurrent add of the same name waits for the other, then inserts nothing.
            let inserted = try await connection.rows(
                """
                INSERT INTO vault_user (id, username, username_key) VALUES ($1, $2, $3)
                ON CONFLICT DO NOTHING RETURNING id
                """, binds, logger: logger)
            guard inserted.count == 1 else { throw StorageError.duplicate("username \(user.username)") }
        case .addGroup(let name):
            var binds = PostgresBindings()
            binds.append(name.canonicalKey)
            binds.append(name)
            let inserted = try await connection.rows(
                "INSERT INTO vault_group (name_key, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name_key",
                binds, logger: logger)
            guard inserted.count == 1 else { throw StorageError.duplicate("group \(name)") }
        case .setMembership(let group, let username, let isMember):
            var key = PostgresBindings()
            key.append(group.canonicalKey)
            guard
                !(try await connection.rows(
                    "SELECT 1 FROM vault_group WHERE name_key = $1 FOR SHARE", key, logger: logger
                )
                .isEmpty)
            else { throw StorageError.notFound("group \(group)") }
            var binds = PostgresBindings()
            binds.append(group.canonicalKey)
            binds.append(username.canonicalKey)
            if isMember {
                binds.append(username)
                try await connection.rows(
                    """
                    INSERT INTO group_member (group_key, member_key, member) VALUES ($1, $2, $3)
                    ON CONFLICT DO NOTHING
                    """, binds, logger: logger)
            } else {
                try await connection.rows(
                    "DELETE FROM group_member WHERE group_key = $1 AND member_key = $2", binds, logger: logger)
            }
        }
    }

    /// Appends the records after the stored head and moves it, in one statement: the head's
    /// `UPDATE … WHERE seq = $after AND mac = $after` is the compare-and-set (it locks the row, and
    /// a head another host moved meanwhile matches no row), and the records are inserted only
    /// when it moved the head. When another host moved it and the append can be chained after any
    /// head (``AuditAppend/chainingAfter``, as the engine's are), the head is locked (`FOR
    /// UPDATE`: after the commits that hold it), the records are chained after it, and stored the
    /// same way, in this transaction: many hosts writing at once wait for one another instead of
    /// failing (docs/contract.md §14). Otherwise ``StorageError/auditHeadMoved``.
    private static func append(
        _ audit: AuditAppend, inserted: EntryID?, on connection: PostgresConnection, logger: Logger
    ) async throws -> AuditHead {
        if let head = try await store(try audit.records(inserted), after: audit.after, on: connection, logger: logger) {
            return head
        }
        guard let chain = audit.chainingAfter else {
            let head = try await connection.rows("SELECT 1 FROM audit_head WHERE id = 1", logger: logger)
            if head.isEmpty { throw StorageError.corrupted("the audit trail's head is missing") }
            throw StorageError.auditHeadMoved
        }
        // Locked: nobody else moves it before this transaction ends.
        let current = try await readAuditHead(locking: true, on: connection, logger: logger)
        guard let head = try await store(try chain(current, inserted), after: current, on: connection, logger: logger)
        else { throw StorageError.auditHeadMoved }
        return head
    }

    /// Stores `records` after `after` and moves the head to the last of them, if the stored head
    /// still is `after`; the new head, or `nil` when it is not (nothing stored).
    private static func store(
        _ records: [AuditRecord], after: AuditHead, on connection: PostgresConnection, logger: Logger
    ) async throws -> AuditHead? {
        let newHead = try AuditAppend.head(after: after, appending: records)
        guard let newSeq = Int64(exactly: newHead.seq), let afterSeq = Int64(exactly: after.seq) else {
            throw StorageError.failure("audit record \(newHead.seq): seq above the largest PostgreSQL bigint")
        }
        var binds = PostgresBindings(capacity: 4 + 10 * records.count)
        binds.append(newSeq)
        binds.append(ByteBuffer(bytes: newHead.mac.bytes))
        binds.append(afterSeq)
        binds.append(ByteBuffer(bytes: after.mac.bytes))
        for record in records { try AuditColumns.bind(record, into: &binds) }
        let moved = try await connection.rows(Statements.appendAuditSQL(records: records.count), binds, logger: logger)
            .first?.decode(Int64.self)
        return moved == 1 ? newHead : nil
    }

    /// `prefetched`, or else the entry sequence's next identifier.
    private static func nextIdentifier(
        _ prefetched: EntryID?, on connection: PostgresConnection, logger: Logger
    ) async throws -> EntryID {
        if let prefetched { return prefetched }
        let raw = try await nextRaw(Statements.nextEntrySQL, on: connection, logger: logger)
        guard let id = EntryID(rawValue: raw) else { throw StorageError.corrupted("entry identifier \(raw)") }
        return id
    }

    private static func nextRaw(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws
        -> Int64
    {
        guard let row = try await connection.rows(sql, logger: logger).first else {
            throw StorageError.corrupted("an identifier sequence gave nothing")
        }
        return try row.decode(Int64.self)
    }
}

/// The statements of the commit that are not a row's whole columns.
enum Statements {
    static let insertHeaderSQL = """
        INSERT INTO vault_header (id, bytes, generation) VALUES (1, $1, $2) ON CONFLICT DO NOTHING RETURNING id
        """
    static let updateHeaderSQL = "UPDATE vault_header SET bytes = $1, generation = $2 WHERE id = 1 RETURNING id"
    static let nextEntrySQL = "SELECT nextval('entry_id_seq')"
    static let nextRequestSQL = "SELECT nextval('request_id_seq')"
    static let deleteEntrySQL = "DELETE FROM entry WHERE id = $1 AND version = $2 RETURNING id"
    /// An entry's history and access requests, in one statement.
    static let deleteDependentsSQL = """
        WITH history AS (DELETE FROM entry_history WHERE id = $1)
        DELETE FROM access_request WHERE entry = $1
        """
    static let newestRevisionSQL = "SELECT max(revision) FROM entry_history WHERE id = $1"
    /// Keeps the newest `$2` revisions of entry `$1`.
    static let purgeHistorySQL = """
        DELETE FROM entry_history WHERE id = $1 AND revision NOT IN
            (SELECT revision FROM entry_history WHERE id = $1 ORDER BY revision DESC LIMIT $2)
        """
    static let resealHistorySQL = """
        UPDATE entry_history SET sealed_password = $1, sealed_secret_key = $2, sealed_notes = $3
        WHERE id = $4 AND revision = $5 RETURNING id
        """
    /// Marks the entries not marked yet and moves their version by one (wrapping as a `UInt64`
    /// kept as its bigint bit pattern does), not their revision (docs/contract.md §13).
    static let markSQL = """
        UPDATE entry SET needs_rotation = true,
            version = CASE WHEN version = 9223372036854775807 THEN -9223372036854775808 ELSE version + 1 END
        WHERE id = ANY($1) AND NOT needs_rotation
        """
    /// Moves the audit head from (`$3`, `$4`) to (`$1`, `$2`) and, only if it did, inserts
    /// `records` records (ten parameters each, from `$5`); the number of heads moved, 0 or 1.
    static func appendAuditSQL(records: Int) -> String {
        let moveHead = "UPDATE audit_head SET seq = $1, mac = $2 WHERE id = 1 AND seq = $3 AND mac = $4 RETURNING id"
        guard records > 0 else { return "WITH moved AS (\(moveHead)) SELECT count(*) FROM moved" }
        let types = ["bigint", "bigint", "bigint", "text", "text", "bigint", "integer", "text[]", "text", "bytea"]
        let rows = (0..<records).map { record in
            "(" + types.enumerated().map { "$\(5 + record * 10 + $0.offset)::\($0.element)" }.joined(separator: ", ")
                + ")"
        }
        return """
            WITH moved AS (\(moveHead)), added AS (
                INSERT INTO audit_record (\(AuditColumns.list))
                SELECT * FROM (VALUES \(rows.joined(separator: ", "))) AS v WHERE EXISTS (SELECT 1 FROM moved)
            )
            SELECT count(*) FROM moved
            """
    }
}

extension Optional {
    fileprivate func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
