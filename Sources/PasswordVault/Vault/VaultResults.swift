/// A share that a create or update left out (docs/contract.md §3, `shared_error`); the rest of the request applied.
public struct ShareError: Sendable, Hashable {
    /// Whether a user share or a group share was left out.
    public enum Kind: String, Sendable, Hashable {
        case user
        case group
    }

    /// Why it was left out.
    public enum Reason: Sendable, Hashable {
        /// The directory does not know the user.
        case userNotFound
        /// The directory does not know the group.
        case groupNotFound
        /// The share named the entry's owner.
        case ownerAlreadyHasAccess

        /// The wire message.
        public var message: String {
            switch self {
            case .userNotFound: "User not found"
            case .groupNotFound: "Group not found"
            case .ownerAlreadyHasAccess: "Owner already has access"
            }
        }
    }

    /// User or group.
    public var kind: Kind
    /// The name as sent.
    public var name: String
    /// Why.
    public var reason: Reason

    /// A share error.
    public init(kind: Kind, name: String, reason: Reason) {
        self.kind = kind
        self.name = name
        self.reason = reason
    }
}

/// What a create or update answers: the entry as stored, its notes (the wire's
/// `note`) and the shares left out.
public struct WriteResult: Sendable {
    /// The entry after the write.
    public var entity: PasswordEntity
    /// The entry's notes after the write, opened for the caller; `nil` when it has none, or when
    /// they were not opened (``notesIncluded`` is then false).
    public var notes: SecretBytes?
    /// Whether ``notes`` is the entry's notes. A create, and an update that sets or clears them,
    /// always include them; an update that leaves them opens the stored notes only when asked
    /// (``Vault/update(_:_:includingNotes:as:)``).
    public var notesIncluded: Bool
    /// Shares left out, in request order.
    public var sharedErrors: [ShareError]
}

/// An entry opened for a caller: the wire's get-one answer.
public struct RevealedEntry: Sendable {
    /// The entry's metadata.
    public var entity: PasswordEntity
    /// The caller's role on it.
    public var role: Role
    /// Whether the caller may see its secrets (docs/contract.md §13); without it ``password``,
    /// ``notes``, ``secretKey`` and ``secretKeyText`` are `nil` and only ``code`` is given.
    public var canReveal: Bool
    /// The password; `nil` for a caller without the reveal right.
    public var password: SecretBytes?
    /// The notes, if any.
    public var notes: SecretBytes?
    /// The TOTP generator (seed and parameters), if any.
    public var secretKey: TOTP?
    /// The `secret_key` as the wire shows it: the base32 seed, or the `otpauth://totp/…` URI with
    /// its label, issuer and every parameter (docs/contract.md §8); `nil` without a seed.
    public var secretKeyText: SecretBytes?
    /// The TOTP code at the time asked, if the entry has a seed.
    public var code: String?

    /// The names of the secrets this answer holds, as its audit record lists them (docs/contract.md §12).
    var secretNames: [String] {
        (password == nil ? [] : ["password"]) + (notes == nil ? [] : ["notes"])
            + (secretKeyText == nil ? [] : ["secret_key"])
    }
}

/// One item of a list: the entry and the caller's rights on it.
public struct ListedEntry: Sendable, Equatable {
    /// The entry's metadata.
    public var entity: PasswordEntity
    /// The caller's role.
    public var role: Role
    /// Whether the caller may see the entry's secrets (docs/contract.md §13).
    public var canReveal: Bool

    /// An item.
    public init(entity: PasswordEntity, rights: EntryRights) {
        self.entity = entity
        role = rights.role
        canReveal = rights.canReveal
    }

    /// Whether the entry's `need_justify` policy binds the caller (everyone but the owner).
    public var needJustify: Bool { entity.needJustify && role != .owner }
    /// Whether the entry's `need_approval` policy binds the caller.
    public var needApproval: Bool { entity.needApproval > 0 && role != .owner }
    /// Whether someone who saw the current password has lost access since (docs/contract.md §13).
    public var needsRotation: Bool { entity.needsRotation }
}

/// What disable and enable did.
public enum StateChange: Sendable, Equatable {
    /// The state changed.
    case changed
    /// The entry already was in that state (disable of a disabled entry, enable of an active one).
    case alreadyInState
}

/// How far a key rotation is.
public struct RotationProgress: Sendable, Equatable {
    /// Entries examined so far.
    public var examined: Int
    /// Entries resealed so far (some may already have been under the new key).
    public var resealed: Int
    /// Entries in the vault when the rotation started counting.
    public var total: Int
}
