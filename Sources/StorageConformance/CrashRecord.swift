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
