import Foundation
import PasswordVault

/// What the crash writer stores, derived from the identifier and the writer's tag
/// alone, so that a checker can tell an intact record from a damaged one.
public enum CrashRecord {
    /// The header the crash test seeds before the writers start.
    public static let header: [UInt8] = Array("crash-test header".utf8)
    /// The user and group the crash test seeds.
    public static let reader = User(id: UserID(rawValue: 1), username: "reader")
    /// The group every record is shared with.
    public static let crew = "crew"

    /// The entry writer `tag` stores under `id`.
    public static func entity(_ id: EntryID, writer tag: String) -> PasswordEntity {
        let n = id.rawValue
        let seed = UInt8(truncatingIfNeeded: n)
        return PasswordEntity(
            identifier: id, name: "\(tag) record \(n)", username: tag, url: "crash.example/\(n)",
            tags: [tag, "t\(n % 7)"], owner: UserID(rawValue: 100 + n % 3),
            usersAllowed: [UserShare(username: reader.username, canEdit: n % 2 == 0)],
            groupsAllowed: [GroupShare(name: crew)],
            createdAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(n) / 8),
            updatedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(n) / 8),
            sealedPassword: SealedValue(bytes: (0..<48).map { seed &+ UInt8($0) }),
            sealedNotes: SealedValue(bytes: (0..<200).map { seed ^ UInt8($0) }))
    }

    /// The user writer `tag` adds after the entry `id`.
    public static func user(after id: EntryID, writer tag: String) -> User {
        User(id: UserID(rawValue: 1_000_000 + id.rawValue), username: "\(tag)-user-\(id.rawValue)")
    }
}

// MARK: The audited mode (docs/contract.md §12)

extension CrashRecord {
    /// The key the crash writers chain their records under: `00 01 … 1f`.
    public static func auditKey() throws -> AuditKey { try AuditKey(SecretBytes([UInt8](0..<32))) }

    /// The record of writer `tag`'s insert of entry `id`.
    public static func created(_ id: EntryID, writer tag: String) -> AuditEvent {
        AuditEvent(
            time: AuditTime(rawValue: 1_700_000_000_000 + id.rawValue), actor: .vault, action: .create, entry: id,
            fields: ["name", "username", "password", "notes"], justification: tag)
    }

    /// The record of adding `user` (its username as the field, as the engine records it).
    public static func userAdded(_ user: User) -> AuditEvent {
        AuditEvent(
            time: AuditTime(rawValue: 1_700_000_000_000), actor: .vault, action: .userAdd, fields: [user.username])
    }

    /// The record of deleting entry `id`.
    public static func deleted(_ id: EntryID) -> AuditEvent {
        AuditEvent(time: AuditTime(rawValue: 1_700_000_000_000), actor: .vault, action: .delete, entry: id)
    }

    /// Commits `change` with one record, chained after the stored head under ``auditKey()``;
    /// when another writer moved the head meanwhile, reads it again and retries.
    /// - Parameters:
    ///   - change: the change set to commit.
    ///   - storage: the store to commit it to.
    ///   - event: the record's event, given the identifier an insert received.
    @discardableResult
    public static func commitAudited(
        _ change: ChangeSet, to storage: any VaultStorage, event: @escaping @Sendable (EntryID?) -> AuditEvent
    ) async throws -> CommitResult {
        let key = try auditKey()
        while true {
            let head = try await storage.auditHead()
            var audited = change
            audited.audit = AuditAppend(after: head) { inserted throws(StorageError) in
                do { return [try AuditChain.append(event(inserted), after: head, key: key).record] } catch {
                    throw .failure("\(error)")
                }
            }
            do throws(StorageError) { return try await storage.commit(audited) } catch {
                guard error == .auditHeadMoved else { throw error }
            }
        }
    }
}
