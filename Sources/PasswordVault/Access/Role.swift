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

/// The operations of the access table (docs/contract.md §4).
public enum EntryOperation: Sendable, CaseIterable {
    /// Appear in lists and read metadata.
    case read
    /// Reveal the password and notes; the current TOTP code.
    case reveal
    /// Update fields other than the shares.
    case update
    /// Change `users_allowed` / `groups_allowed`.
    case share
    /// Disable or enable.
    case toggleActive
    /// Delete.
    case delete
    /// List the history and reveal an old version's secrets (docs/contract.md §11).
    case history
    /// Restore an old version's content as a new version (docs/contract.md §11).
    case restore

    /// The least role that may do this.
    public var minimumRole: Role {
        switch self {
        case .read, .reveal: .viewer
        case .update, .toggleActive, .history, .restore: .editor
        case .share, .delete: .owner
        }
    }
}

extension PasswordEntity {
    /// The role `user` holds on this entry given the groups they belong to, or
    /// `nil` when they have no access at all. The highest of ownership, the
    /// direct share and every group share wins.
    public func role(of user: User, memberOf groups: Set<String>) -> Role? {
        if owner == user.id { return .owner }
        var best: Role? = nil
        for share in usersAllowed where share.username == user.username {
            best = Swift.max(best ?? .viewer, share.canEdit ? .editor : .viewer)
        }
        if best == .editor { return best }
        for share in groupsAllowed where groups.contains(share.name) {
            best = Swift.max(best ?? .viewer, share.canEdit ? .editor : .viewer)
            if best == .editor { return best }
        }
        return best
    }
}
