/// Why a change to the directory (a user, a group, a membership) through the ``Vault`` was refused.
///
/// Nothing is changed when one is thrown. Names in the messages are written with
/// ``NameRule/quoted(_:)``, so a message never carries a control or bidirectional character.
public enum DirectoryError: Error, Sendable {
    /// A username or group name that ``NameRule`` refuses.
    case invalidName(NameKind, NameRule.Refusal)
    /// A user id outside ``UserID/allowedRange``.
    case invalidUserID(Int64)
    /// The username is taken (names compare in NFC).
    case usernameTaken(String)
    /// The user id is taken.
    case userIDTaken(UserID)
    /// No id was given and the highest id in use is the largest there is.
    case noFreeUserID
    /// The group name is taken.
    case groupExists(String)
    /// No user has that username.
    case userNotFound(String)
    /// No group has that name.
    case groupNotFound(String)
    /// The vault's directory belongs to the host and does not take changes (not an ``EditableDirectory``).
    case notEditable
    /// A storage or directory failure; the cause is for logs and tests.
    case unexpected(cause: any Error)

    /// Which name a refusal is about.
    public enum NameKind: String, Sendable {
        case username
        case groupName = "group name"
    }

    /// One line, e.g. `username 'alice' is already taken`.
    public var message: String {
        switch self {
        case .invalidName(let kind, let refusal): "a \(kind.rawValue) \(refusal.reason)"
        case .invalidUserID(let id):
            "a user id must be from \(UserID.allowedRange.lowerBound) to \(UserID.allowedRange.upperBound), not \(id)"
        case .usernameTaken(let name): "username \(NameRule.quoted(name)) is already taken"
        case .userIDTaken(let id): "user id \(id) is already taken"
        case .noFreeUserID:
            "no user id is free above the highest one in use (\(UserID.allowedRange.upperBound)); give the id"
        case .groupExists(let name): "group \(NameRule.quoted(name)) already exists"
        case .userNotFound(let name): "unknown user \(NameRule.quoted(name))"
        case .groupNotFound(let name): "unknown group \(NameRule.quoted(name))"
        case .notEditable: "the vault's directory is kept by its host and cannot be changed through the vault"
        case .unexpected(let cause): "Unexpected error. (\(cause))"
        }
    }
}

extension DirectoryError: CustomStringConvertible {
    /// The ``message``.
    public var description: String { message }
}

extension DirectoryError: Equatable {
    /// Equal when the messages are (causes compare by description).
    public static func == (lhs: DirectoryError, rhs: DirectoryError) -> Bool { lhs.message == rhs.message }
}

extension UserID {
    /// The ids a new user may take: positive and within 64 bits (the save-passwords endpoint's `user`).
    public static let allowedRange: ClosedRange<Int64> = 1...Int64.max
}
