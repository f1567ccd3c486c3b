public import Foundation

/// One entry of the vault: metadata in clear, secrets sealed.
///
/// Names, usernames, URLs, tags and shares are metadata, kept in clear so that
/// they can be listed and indexed. The password, the TOTP seed (with its
/// algorithm, digits and period) and the notes exist here only as
/// ``SealedValue``s, bound to this entry and field; the ``Vault`` opens them
/// for a caller who may see them.
public struct PasswordEntity: Sendable, Equatable {
    /// Assigned by the vault's storage; unique and never reused.
    public var identifier: EntryID
    /// The entry's name, e.g. "senseg account".
    public var name: String
    /// The account's username ("" for entries saved through the save-passwords endpoint).
    public var username: String
    /// Free text, usually a URL or host name; "" when none.
    public var url: String
    /// Ordered, unique tags.
    public var tags: [String]
    /// The creator; set by the vault, never by a request.
    public var owner: UserID
    /// Users the entry is shared with, in the order given.
    public var usersAllowed: [UserShare]
    /// Groups the entry is shared with, in the order given.
    public var groupsAllowed: [GroupShare]
    /// False once disabled.
    public var isActive: Bool
    /// When the entry was created.
    public var createdAt: Date
    /// When the entry last changed.
    public var updatedAt: Date
    /// Starts at 1 and increments on every change; writes compare and set on it.
    public var version: UInt64
    /// The sealed password.
    public var sealedPassword: SealedValue
    /// The sealed TOTP seed and parameters, if the entry has one.
    public var sealedSecretKey: SealedValue?
    /// The sealed notes, if the entry has any.
    public var sealedNotes: SealedValue?

    /// Makes an entity from its parts; the ``Vault`` is the usual maker.
    public init(
        identifier: EntryID, name: String, username: String, url: String = "", tags: [String] = [],
        owner: UserID, usersAllowed: [UserShare] = [], groupsAllowed: [GroupShare] = [],
        isActive: Bool = true, createdAt: Date, updatedAt: Date, version: UInt64 = 1,
        sealedPassword: SealedValue, sealedSecretKey: SealedValue? = nil, sealedNotes: SealedValue? = nil
    ) {
        self.identifier = identifier
        self.name = name
        self.username = username
        self.url = url
        self.tags = tags
        self.owner = owner
        self.usersAllowed = usersAllowed
        self.groupsAllowed = groupsAllowed
        self.isActive = isActive
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.sealedPassword = sealedPassword
        self.sealedSecretKey = sealedSecretKey
        self.sealedNotes = sealedNotes
    }

    /// Whether the entry has a TOTP seed.
    public var hasSecretKey: Bool { sealedSecretKey != nil }
    /// Whether the entry has notes.
    public var hasNotes: Bool { sealedNotes != nil }
}
