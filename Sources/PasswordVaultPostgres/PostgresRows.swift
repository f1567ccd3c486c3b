import Foundation
import PasswordVault
import PostgresNIO

// How the engine's values map to PostgreSQL rows (docs/format.md §9). Every statement binds its
// values as parameters (never spliced into the text), and a row that cannot be read is
// `StorageError.corrupted` naming the row, never a value.

/// An `entry` (or `entry_history`) row.
enum EntryColumns {
    /// The columns read and written, in order. `entry` also has `user_keys` and `group_keys` (the
    /// shares' NFC names, GIN-indexed for the listing), written with the row and never read.
    static let list = """
        id, name, username, url, tags, owner, user_names, user_edit, user_reveal, group_names, group_edit, \
        group_reveal, is_active, created_at, updated_at, version, sealed_password, sealed_secret_key, sealed_notes, \
        revision, changed_by, changed_fields, need_justify, need_approval, needs_rotation
        """
    static let count = 25

    static let insertEntrySQL = """
        INSERT INTO entry (\(list), user_keys, group_keys) VALUES (\(placeholders(1...count + 2)))
        """
    static let insertHistorySQL = "INSERT INTO entry_history (\(list)) VALUES (\(placeholders(1...count)))"
    /// Compare-and-set: the row's values, the two key arrays, then the identifier and the expected version.
    static let updateSQL = """
        UPDATE entry SET (\(list), user_keys, group_keys) = (\(placeholders(1...count + 2))) \
        WHERE id = $\(count + 3) AND version = $\(count + 4)
        """
    static let selectByIDSQL = "SELECT \(list) FROM entry WHERE id = $1"
    static let pageSQL = "SELECT \(list) FROM entry WHERE id > $1 ORDER BY id LIMIT $2"
    static let historySQL = "SELECT \(list) FROM entry_history WHERE id = $1 ORDER BY revision"

    /// Binds the row's values in the order of ``list``; with `keys`, the two key arrays after them.
    static func bind(_ entity: PasswordEntity, keys: Bool, into binds: inout PostgresBindings) {
        binds.append(entity.identifier.rawValue)
        binds.append(entity.name)
        binds.append(entity.username)
        binds.append(entity.url)
        binds.append(entity.tags)
        binds.append(entity.owner.rawValue)
        binds.append(entity.usersAllowed.map(\.username))
        binds.append(entity.usersAllowed.map(\.canEdit))
        binds.append(entity.usersAllowed.map(\.canReveal))
        binds.append(entity.groupsAllowed.map(\.name))
        binds.append(entity.groupsAllowed.map(\.canEdit))
        binds.append(entity.groupsAllowed.map(\.canReveal))
        binds.append(entity.isActive)
        binds.append(entity.createdAt.timeIntervalSinceReferenceDate)
        binds.append(entity.updatedAt.timeIntervalSinceReferenceDate)
        binds.append(Int64(bitPattern: entity.version))
        binds.append(ByteBuffer(bytes: entity.sealedPassword.bytes))
        binds.append(entity.sealedSecretKey.map { ByteBuffer(bytes: $0.bytes) })
        binds.append(entity.sealedNotes.map { ByteBuffer(bytes: $0.bytes) })
        binds.append(Int64(bitPattern: entity.revision))
        binds.append(entity.changedBy.rawValue)
        binds.append(Int32(entity.changedFields.rawValue))
        binds.append(entity.needJustify)
        binds.append(Int16(clamping: entity.needApproval))
        binds.append(entity.needsRotation)
        if keys {
            binds.append(Array(Set(entity.usersAllowed.map(\.username.canonicalKey))).sorted())
            binds.append(Array(Set(entity.groupsAllowed.map(\.name.canonicalKey))).sorted())
        }
    }

    /// PostgreSQL text holds no NUL character: such a text is refused rather than cut, and a
    /// `needApproval` outside 0–5 (docs/contract.md §13), which a read would take for damage, too.
    static func refuseUnstorable(_ entity: PasswordEntity) throws(StorageError) {
        guard (0...5).contains(entity.needApproval) else {
            throw .failure("entry \(entity.identifier): need_approval \(entity.needApproval) is outside 0 to 5")
        }
        let texts =
            [entity.name, entity.username, entity.url] + entity.tags + entity.usersAllowed.map(\.username)
            + entity.groupsAllowed.map(\.name)
        try refuseNUL(texts, what: "entry \(entity.identifier)")
    }

    static func refuseNUL(_ texts: [String], what: String) throws(StorageError) {
        if texts.contains(where: { $0.utf8.contains(0) }) {
            throw .failure("\(what): text with a NUL character cannot be stored in PostgreSQL")
        }
    }

    /// An entity from a row of ``list``.
    static func decode(_ row: PostgresRow) throws(StorageError) -> PasswordEntity {
        let cells = row.makeRandomAccess()
        let raw: Int64
        do { raw = try cells[0].decode(Int64.self) } catch { throw .corrupted("an entry has no readable identifier") }
        guard let id = EntryID(rawValue: raw) else { throw .corrupted("an entry has identifier \(raw)") }
        do {
            let userNames = try cells[6].decode([String].self)
            let userEdit = try cells[7].decode([Bool].self)
            let userReveal = try cells[8].decode([Bool].self)
            let groupNames = try cells[9].decode([String].self)
            let groupEdit = try cells[10].decode([Bool].self)
            let groupReveal = try cells[11].decode([Bool].self)
            guard userEdit.count == userNames.count, userReveal.count == userNames.count,
                groupEdit.count == groupNames.count, groupReveal.count == groupNames.count
            else { throw Damaged() }
            let revision = try cells[19].decode(Int64.self)
            let changedFields = try cells[21].decode(Int32.self)
            let needApproval = try cells[23].decode(Int16.self)
            guard revision >= 1, (0...5).contains(needApproval),
                let bits = UInt16(exactly: changedFields),
                ChangedFields.known.isSuperset(of: ChangedFields(rawValue: bits))
            else { throw Damaged() }
            return PasswordEntity(
                identifier: id, name: try cells[1].decode(String.self), username: try cells[2].decode(String.self),
                url: try cells[3].decode(String.self), tags: try cells[4].decode([String].self),
                owner: UserID(rawValue: try cells[5].decode(Int64.self)),
                usersAllowed: userNames.indices.map {
                    UserShare(username: userNames[$0], canEdit: userEdit[$0], canReveal: userReveal[$0])
                },
                groupsAllowed: groupNames.indices.map {
                    GroupShare(name: groupNames[$0], canEdit: groupEdit[$0], canReveal: groupReveal[$0])
                },
                isActive: try cells[12].decode(Bool.self),
                createdAt: Date(timeIntervalSinceReferenceDate: try cells[13].decode(Double.self)),
                updatedAt: Date(timeIntervalSinceReferenceDate: try cells[14].decode(Double.self)),
                version: UInt64(bitPattern: try cells[15].decode(Int64.self)), revision: UInt64(revision),
                changedBy: UserID(rawValue: try cells[20].decode(Int64.self)),
                changedFields: ChangedFields(rawValue: bits),
                sealedPassword: SealedValue(bytes: try bytes(cells[16])),
                sealedSecretKey: try optionalBytes(cells[17]).map(SealedValue.init(bytes:)),
                sealedNotes: try optionalBytes(cells[18]).map(SealedValue.init(bytes:)),
                needJustify: try cells[22].decode(Bool.self), needApproval: Int(needApproval),
                needsRotation: try cells[24].decode(Bool.self))
        } catch {
            throw .corrupted("entry \(id) cannot be read")
        }
    }

    struct Damaged: Error {}
}

/// An `access_request` row (docs/contract.md §13).
enum RequestColumns {
    static let list = """
        id, entry, requester, requester_name, justification, minutes, state, approvals, denied_by, created_at, \
        decided_at, expires_at, version
        """
    static let count = 13
    static let insertSQL = "INSERT INTO access_request (\(list)) VALUES (\(placeholders(1...count)))"
    static let selectByIDSQL = "SELECT \(list) FROM access_request WHERE id = $1"
    /// Compare-and-set on the version; a request never moves to another entry.
    static let updateSQL = """
        UPDATE access_request SET (\(list)) = (\(placeholders(1...count))) \
        WHERE id = $\(count + 1) AND version = $\(count + 2) AND entry = $\(count + 3)
        """

    static func bind(_ request: AccessRequest, into binds: inout PostgresBindings) {
        binds.append(request.identifier.rawValue)
        binds.append(request.entry.rawValue)
        binds.append(request.requester.rawValue)
        binds.append(request.requesterName)
        binds.append(request.justification)
        binds.append(Int64(request.minutes))
        binds.append(request.storedState.rawValue)
        binds.append(request.approvals.map(\.rawValue))
        binds.append(request.deniedBy?.rawValue)
        binds.append(request.createdAt.timeIntervalSinceReferenceDate)
        binds.append(request.decidedAt?.timeIntervalSinceReferenceDate)
        binds.append(request.expiresAt?.timeIntervalSinceReferenceDate)
        binds.append(Int64(bitPattern: request.version))
    }

    static func decode(_ row: PostgresRow) throws(StorageError) -> AccessRequest {
        let cells = row.makeRandomAccess()
        let raw: Int64
        do { raw = try cells[0].decode(Int64.self) } catch {
            throw .corrupted("an access request has no readable identifier")
        }
        guard let id = AccessRequestID(rawValue: raw) else {
            throw .corrupted("an access request has identifier \(raw)")
        }
        do {
            guard let entry = EntryID(rawValue: try cells[1].decode(Int64.self)),
                let state = AccessRequestState(rawValue: try cells[6].decode(String.self)),
                let minutes = Int(exactly: try cells[5].decode(Int64.self))
            else { throw EntryColumns.Damaged() }
            return AccessRequest(
                identifier: id, entry: entry, requester: UserID(rawValue: try cells[2].decode(Int64.self)),
                requesterName: try cells[3].decode(String.self), justification: try cells[4].decode(String.self),
                minutes: minutes, storedState: state,
                approvals: try cells[7].decode([Int64].self).map(UserID.init(rawValue:)),
                deniedBy: try cells[8].decode(Int64?.self).map(UserID.init(rawValue:)),
                createdAt: Date(timeIntervalSinceReferenceDate: try cells[9].decode(Double.self)),
                decidedAt: try cells[10].decode(Double?.self).map(Date.init(timeIntervalSinceReferenceDate:)),
                expiresAt: try cells[11].decode(Double?.self).map(Date.init(timeIntervalSinceReferenceDate:)),
                version: UInt64(bitPattern: try cells[12].decode(Int64.self)))
        } catch {
            throw .corrupted("access request \(id) cannot be read")
        }
    }
}

/// An `audit_record` row (docs/contract.md §12, docs/format.md §9).
enum AuditColumns {
    static let list = "seq, time, actor_id, actor_username, action, entry, outcome, fields, justification, mac"
    static let insertSQL = "INSERT INTO audit_record (\(list)) VALUES (\(placeholders(1...10)))"

    static func bind(_ record: AuditRecord, into binds: inout PostgresBindings) throws(StorageError) {
        guard let seq = Int64(exactly: record.seq) else {
            throw .failure("audit record \(record.seq): seq above the largest PostgreSQL bigint")
        }
        let event = record.event
        try EntryColumns.refuseNUL(
            event.fields + [event.justification ?? ""] + [event.actorName ?? ""], what: "audit record \(record.seq)")
        binds.append(seq)
        binds.append(event.time.rawValue)
        switch event.actor {
        case .vault:
            binds.appendNull()
            binds.appendNull()
        case .user(let id, let username):
            binds.append(id.rawValue)
            binds.append(username)
        }
        binds.append(event.action.rawValue)
        binds.append(event.entry?.rawValue)
        switch event.outcome {
        case .ok: binds.append(Int32(0))
        case .refused(let code): binds.append(Int32(code))
        }
        binds.append(event.fields)
        binds.append(event.justification)
        binds.append(ByteBuffer(bytes: record.mac.bytes))
    }

    static func decode(_ row: PostgresRow) throws(StorageError) -> AuditRecord {
        let cells = row.makeRandomAccess()
        let seq: Int64
        do { seq = try cells[0].decode(Int64.self) } catch { throw .corrupted("an audit record has no readable seq") }
        do {
            let actor: AuditActor
            switch (try cells[2].decode(Int64?.self), try cells[3].decode(String?.self)) {
            case (nil, nil): actor = .vault
            case (let id?, let name?): actor = .user(id: UserID(rawValue: id), username: name)
            default: throw EntryColumns.Damaged()
            }
            let outcomeCode = try cells[6].decode(Int32.self)
            let outcome: AuditOutcome
            if outcomeCode == 0 {
                outcome = .ok
            } else if let code = UInt16(exactly: outcomeCode) {
                outcome = .refused(code: code)
            } else {
                throw EntryColumns.Damaged()
            }
            let entry = try cells[5].decode(Int64?.self)
            guard seq >= 1, let action = AuditAction(rawValue: try cells[4].decode(String.self)),
                let mac = AuditMAC(try bytes(cells[9]))
            else { throw EntryColumns.Damaged() }
            let entryID: EntryID?
            if let entry {
                guard let id = EntryID(rawValue: entry) else { throw EntryColumns.Damaged() }
                entryID = id
            } else {
                entryID = nil
            }
            return AuditRecord(
                seq: UInt64(seq),
                event: AuditEvent(
                    time: AuditTime(rawValue: try cells[1].decode(Int64.self)), actor: actor, action: action,
                    entry: entryID, outcome: outcome, fields: try cells[7].decode([String].self),
                    justification: try cells[8].decode(String?.self)),
                mac: mac)
        } catch {
            throw .corrupted("audit record \(seq) cannot be read")
        }
    }
}

extension AuditEvent {
    fileprivate var actorName: String? {
        if case .user(_, let username) = actor { return username }
        return nil
    }
}

/// `$a, $a+1, …, $b`.
func placeholders(_ range: ClosedRange<Int>) -> String {
    range.map { "$\($0)" }.joined(separator: ", ")
}

private func bytes(_ cell: PostgresCell) throws -> [UInt8] {
    var buffer = try cell.decode(ByteBuffer.self)
    return buffer.readBytes(length: buffer.readableBytes) ?? []
}

private func optionalBytes(_ cell: PostgresCell) throws -> [UInt8]? {
    guard var buffer = try cell.decode(ByteBuffer?.self) else { return nil }
    return buffer.readBytes(length: buffer.readableBytes) ?? []
}

extension String {
    /// The Unicode NFC form, under which PostgreSQL's byte comparison of keys agrees with Swift's
    /// canonical-equivalence `==`. ASCII is its own NFC form.
    var canonicalKey: String {
        utf8.allSatisfy { $0 < 0x80 } ? self : precomposedStringWithCanonicalMapping
    }
}
