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
    /// When the entry last changed: the current revision's `changed_at`.
    public var updatedAt: Date
    /// The storage's compare-and-set counter: starts at 1 and increments on every stored write,
    /// a key rotation's resealing included. Writes compare and set on it.
    public var version: UInt64
    /// The history's version number (docs/contract.md §11): 1 when created, one more for every
    /// write that changes the entry (update, restore, disable, enable, a share change). A key
    /// rotation reseals without making a version, so it changes ``version`` but not this.
    public var revision: UInt64
    /// The user whose write made this revision (the owner for revision 1).
    public var changedBy: UserID
    /// What this revision changed relative to the one before (for revision 1, what the create set).
    public var changedFields: ChangedFields
    /// The sealed password.
    public var sealedPassword: SealedValue
    /// The sealed TOTP seed and parameters, if the entry has one.
    public var sealedSecretKey: SealedValue?
    /// The sealed notes, if the entry has any.
    public var sealedNotes: SealedValue?
    /// Whether every reveal, TOTP code and history read by anyone but the owner needs a
    /// justification (docs/contract.md §13). Set by the owner; kept in history.
    public var needJustify: Bool
    /// How many distinct approvals such a read needs before a grant lets it happen, 0 to 5
    /// (0: none) (docs/contract.md §13). Set by the owner; kept in history.
    public var needApproval: Int
    /// Whether someone who has seen the current password has since lost access to it
    /// (docs/contract.md §13): true until the password changes.
    public var needsRotation: Bool

    /// Makes an entity from its parts; the ``Vault`` is the usual maker.
    public init(
        identifier: EntryID, name: String, username: String, url: String = "", tags: [String] = [],
        owner: UserID, usersAllowed: [UserShare] = [], groupsAllowed: [GroupShare] = [],
        isActive: Bool = true, createdAt: Date, updatedAt: Date, version: UInt64 = 1, revision: UInt64 = 1,
        changedBy: UserID? = nil, changedFields: ChangedFields = [],
        sealedPassword: SealedValue, sealedSecretKey: SealedValue? = nil, sealedNotes: SealedValue? = nil,
        needJustify: Bool = false, needApproval: Int = 0, needsRotation: Bool = false
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
        self.revision = revision
        self.changedBy = changedBy ?? owner
        self.changedFields = changedFields
        self.sealedPassword = sealedPassword
        self.sealedSecretKey = sealedSecretKey
        self.sealedNotes = sealedNotes
        self.needJustify = needJustify
        self.needApproval = needApproval
        self.needsRotation = needsRotation
    }

    /// Whether the entry has a TOTP seed.
    public var hasSecretKey: Bool { sealedSecretKey != nil }
    /// Whether the entry has notes.
    public var hasNotes: Bool { sealedNotes != nil }
    /// Whether either policy of docs/contract.md §13 is on.
    public var hasPolicy: Bool { needJustify || needApproval > 0 }
}
