extension Vault {
    /// Shares after the directory's say: known users and groups kept, the rest
    /// reported (docs/contract.md §3, `shared_error`).
    struct ResolvedShares {
        var users: [UserShare]?
        var groups: [GroupShare]?
        var errors: [ShareError] = []
    }

    /// Resolves validated share lists against the directory. `owner` is the
    /// entry's owner: a user share naming them is left out.
    func resolveShares(
        users: [ShareItem]?, groups: [ShareItem]?, owner: User
    ) async throws(VaultError) -> ResolvedShares {
        var resolved = ResolvedShares()
        do {
            if let users {
                var kept: [UserShare] = []
                for item in users {
                    if item.name == owner.username {
                        resolved.errors.append(ShareError(kind: .user, name: item.name, reason: .ownerAlreadyHasAccess))
                    } else if let known = try await directory.user(named: item.name) {
                        if known.id == owner.id {
                            resolved.errors.append(
                                ShareError(kind: .user, name: item.name, reason: .ownerAlreadyHasAccess))
                        } else {
                            kept.append(
                                UserShare(username: item.name, canEdit: item.canEdit, canReveal: item.canReveal))
                        }
                    } else {
                        resolved.errors.append(ShareError(kind: .user, name: item.name, reason: .userNotFound))
                    }
                }
                resolved.users = kept
            }
            if let groups {
                var kept: [GroupShare] = []
                for item in groups {
                    if try await directory.groupExists(named: item.name) {
                        kept.append(GroupShare(name: item.name, canEdit: item.canEdit, canReveal: item.canReveal))
                    } else {
                        resolved.errors.append(ShareError(kind: .group, name: item.name, reason: .groupNotFound))
                    }
                }
                resolved.groups = kept
            }
        } catch {
            throw .unexpected(cause: error)
        }
        return resolved
    }
}
