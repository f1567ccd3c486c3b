/// What a user may do with an entry (docs/contract.md §4); the highest applicable role wins.
public enum Role: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// Listed, metadata, reveal and TOTP.
    case viewer = 1
    /// A viewer who may also update fields, enable and disable, read the history and restore.
    case editor = 2
    /// The creator: everything, including sharing and deletion.
    case owner = 3

    /// Orders by the raw value.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A description that never shows secret material.
    public var description: String {
        switch self {
        case .viewer: "viewer"
        case .editor: "editor"
        case .owner: "owner"
        }
    }

    /// Whether this role may do `operation`.
    public func permits(_ operation: EntryOperation) -> Bool { self >= operation.minimumRole }
}

/// The operations of the access table (docs/contract.md §4, with §11 and §13).
public enum EntryOperation: Sendable, CaseIterable {
    /// Appear in lists and read metadata.
    case read
    /// The current TOTP code (docs/contract.md §13: a share without reveal may still use it).
    case code
    /// Reveal the password, the notes or the TOTP seed.
    case reveal
    /// Update fields other than the shares.
    case update
    /// Change `users_allowed` / `groups_allowed`, or the entry's policies.
    case share
    /// Disable or enable.
    case toggleActive
    /// Delete.
    case delete
    /// List the history (docs/contract.md §11): metadata of the old versions.
    case history
    /// Reveal an old version's secrets (docs/contract.md §11, §13).
    case revealVersion
    /// Restore an old version's content as a new version (docs/contract.md §11).
    case restore
    /// Approve or deny another user's access request (docs/contract.md §13).
    case decide

    /// The least role that may do this.
    public var minimumRole: Role {
        switch self {
        case .read, .code, .reveal: .viewer
        case .update, .toggleActive, .history, .revealVersion, .restore, .decide: .editor
        case .share, .delete: .owner
        }
    }

    /// Whether it shows a secret, and so needs the reveal right (docs/contract.md §13).
    public var showsSecrets: Bool {
        switch self {
        case .reveal, .revealVersion: true
        default: false
        }
    }
}

/// What one user may do with one entry (docs/contract.md §4, §13): the highest role, and
/// whether they may see its secrets — each the union over the direct share and every group
/// share (the owner has all).
public struct EntryRights: Sendable, Hashable, CustomStringConvertible {
    /// The highest applicable role.
    public var role: Role
    /// Whether any applicable share lets them see the secrets (always true for the owner).
    public var canReveal: Bool

    /// Rights from their parts.
    public init(role: Role, canReveal: Bool) {
        self.role = role
        self.canReveal = canReveal || role == .owner
    }

    /// The owner's rights: everything.
    public static let owner = EntryRights(role: .owner, canReveal: true)

    /// Whether these rights allow `operation`.
    public func permits(_ operation: EntryOperation) -> Bool {
        role.permits(operation) && (canReveal || !operation.showsSecrets)
    }

    /// The union with another share's rights.
    func union(_ other: EntryRights) -> EntryRights {
        EntryRights(role: Swift.max(role, other.role), canReveal: canReveal || other.canReveal)
    }

    /// `role`, and `noreveal` when the secrets are withheld.
    public var description: String { canReveal ? role.description : "\(role), no reveal" }
}

extension PasswordEntity {
    /// The rights `user` holds on this entry given the groups they belong to, or `nil` when
    /// they have no access at all: ownership, else the union of the direct share and every
    /// group share (docs/contract.md §13).
    public func rights(of user: User, memberOf groups: Set<String>) -> EntryRights? {
        if owner == user.id { return .owner }
        var best: EntryRights? = nil
        for share in usersAllowed where share.username == user.username {
            let rights = EntryRights(role: share.canEdit ? .editor : .viewer, canReveal: share.canReveal)
            best = best.map { $0.union(rights) } ?? rights
        }
        for share in groupsAllowed where groups.contains(share.name) {
            let rights = EntryRights(role: share.canEdit ? .editor : .viewer, canReveal: share.canReveal)
            best = best.map { $0.union(rights) } ?? rights
        }
        return best
    }

    /// The role `user` holds on this entry given the groups they belong to, or `nil` when
    /// they have no access at all (``rights(of:memberOf:)``'s role).
    public func role(of user: User, memberOf groups: Set<String>) -> Role? {
        rights(of: user, memberOf: groups)?.role
    }
}
