import Foundation

/// Access policies (docs/contract.md §13): the policy step of every read, access requests and
/// their grants, and what follows when someone loses access.
extension Vault {
    // MARK: The policy step

    /// The step of docs/contract.md §3's order after 1005, 1006 and 1007, for a reveal, a TOTP
    /// code or a history read: neither policy binds the owner; `need_justify` needs a
    /// justification (1009) unless an active grant carries one; `need_approval` needs an active
    /// grant (1010). A justification that is given is checked (1002) whether or not a policy binds.
    /// - Returns: the justification to record: the caller's, else their grant's.
    func passPolicy(
        _ entity: PasswordEntity, rights: EntryRights, as user: User, justification: String?
    ) async throws(VaultError) -> String? {
        let given = try JustificationRule.validated(justification)
        guard rights.role != .owner, entity.hasPolicy else { return given }
        var grant: AccessRequest?
        if entity.needApproval > 0 { grant = try await activeGrant(on: entity.identifier, for: user) }
        if entity.needJustify, given == nil, grant == nil { throw .justificationRequired }
        if entity.needApproval > 0, grant == nil { throw .approvalRequired }
        return given ?? grant?.justification
    }

    /// A justification fit for a refusal's record: the text when it passes its rule, else none.
    func recordable(_ justification: String?) -> String? {
        (try? JustificationRule.validated(justification)) ?? nil
    }

    /// `user`'s running grant on entry `id`, if any (the latest one).
    func activeGrant(on id: EntryID, for user: User) async throws(VaultError) -> AccessRequest? {
        let now = clock.now()
        let approved = try await storing { () async throws(StorageError) in
            try await storage.accessRequests(
                AccessRequestQuery(entries: [id], requester: user.id, storedStates: [.approved]))
        }
        return approved.last { $0.isActiveGrant(at: now) }
    }

    /// The usernames of those who may decide requests on `entity`: its owner and its editors,
    /// direct or through a group (docs/contract.md §13).
    func approverNames(of entity: PasswordEntity) async throws(VaultError) -> Set<String> {
        try await approverNames(owner: entity.owner, users: entity.usersAllowed, groups: entity.groupsAllowed)
    }

    /// The same, for an entry owned by `owner` with these shares.
    func approverNames(
        owner: UserID, users: [UserShare], groups: [GroupShare]
    ) async throws(VaultError) -> Set<String> {
        var names = Set(users.filter(\.canEdit).map(\.username))
        do {
            if let owner = try await directory.user(id: owner) { names.insert(owner.username) }
            for share in groups where share.canEdit {
                names.formUnion(try await directory.members(ofGroup: share.name) ?? [])
            }
        } catch {
            throw .unexpected(cause: error)
        }
        return names
    }

    /// 1002 when `entity` asks for more approvals than it has approvers now (docs/contract.md §13).
    func checkApprovalCount(
        _ count: Int, owner: UserID, users: [UserShare], groups: [GroupShare]
    ) async throws(VaultError) {
        guard count > 0 else { return }
        let approvers = try await approverNames(owner: owner, users: users, groups: groups).count
        guard count <= approvers else {
            throw .invalidParameter(
                field: "need_approval",
                reason: "the entry has \(approvers) approver\(approvers == 1 ? "" : "s") (its owner and editors)")
        }
    }

    // MARK: Requests

    /// Asks for a grant to read entry `id` for `minutes` (docs/contract.md §13). Approvers are
    /// the owner and the entry's editors other than `user`; once `need_approval` of them
    /// approve, the grant runs for `minutes` from then.
    /// - Parameters:
    ///   - id: the entry.
    ///   - justification: why (one line, at most 500 scalars); with `need_justify` on, it serves
    ///     the reads the grant allows.
    ///   - minutes: 1 to 1440, 60 by default.
    ///   - user: who asks.
    /// - Throws: 1005, 1007 (disabled), 1002 (`identifier`: the entry asks no approval of
    ///   `user`; `minutes`; `justification`), 1001 (`justification` blank), or unexpected.
    public func requestAccess(
        _ id: EntryID, justification: String?, minutes: Int = FieldLimits.defaultGrantMinutes, as user: User
    ) async throws(VaultError) -> AccessRequest {
        try await requestAccess(
            id, justification: justification.map { .value($0) } ?? .absent, minutes: .value(minutes), as: user)
    }

    /// ``requestAccess(_:justification:minutes:as:)`` with its fields as a body gave them (the
    /// wire): a wrong JSON type is a field rule's 1002, checked after access like every other;
    /// absent or `null` minutes are 60.
    func requestAccess(
        _ id: EntryID, justification: Input<String>, minutes asked: Input<Int>, as user: User
    ) async throws(VaultError) -> AccessRequest {
        let given: String?
        switch justification {
        case .value(let text): given = text
        case .absent, .null, .invalid: given = nil
        }
        return try await audited(.requestAccess, entry: id, by: user, justification: recordable(given)) {
            () async throws(VaultError) in
            let (entity, rights) = try await load(id, as: user, for: .read)
            guard entity.isActive else { throw .disabled }
            guard rights.role != .owner, entity.needApproval > 0 else {
                throw .invalidParameter(field: "identifier", reason: "the entry asks no approval of this user")
            }
            if case .invalid(let reason) = justification {
                throw .invalidParameter(field: "justification", reason: reason)
            }
            guard let text = try JustificationRule.validated(given) else {
                throw .notInformed(field: "justification")
            }
            let minutes: Int
            switch asked {
            case .absent, .null: minutes = FieldLimits.defaultGrantMinutes
            case .value(let value) where FieldLimits.grantMinutes.contains(value): minutes = value
            case .value, .invalid:
                throw .invalidParameter(field: "minutes", reason: "must be an integer from 1 to 1440")
            }
            let now = clock.now()
            let requester = user
            let event = auditEvent(.requestAccess, entry: id, by: user, fields: [String(minutes)], justification: text)
            let result = try await storing { () async throws(StorageError) in
                try await commit(
                    ChangeSet(
                        requests: [
                            .insert { (identifier) throws(StorageError) in
                                AccessRequest(
                                    identifier: identifier, entry: id, requester: requester.id,
                                    requesterName: requester.username, justification: text, minutes: minutes,
                                    createdAt: now)
                            }
                        ]), recording: [event])
            }
            guard let request = result.insertedRequest else {
                throw .unexpected(cause: StorageError.failure("the storage did not return the new request"))
            }
            return request
        }
    }

    /// Approves a pending request (docs/contract.md §13): once the entry's `need_approval`
    /// distinct approvers have, its grant starts and runs for the request's minutes.
    /// - Throws: 1005 (no such request, or no access to its entry), 1006 (a viewer, the
    ///   requester, or a second approval by the same approver), 1007 (the entry is disabled),
    ///   1002 (`request`: it is no longer pending), 1008, or unexpected.
    @discardableResult
    public func approveRequest(_ id: AccessRequestID, as user: User) async throws(VaultError) -> AccessRequest {
        try await decide(id, approving: true, as: user)
    }

    /// Denies a pending request: one denial ends it (docs/contract.md §13).
    /// - Throws: as ``approveRequest(_:as:)``.
    @discardableResult
    public func denyRequest(_ id: AccessRequestID, as user: User) async throws(VaultError) -> AccessRequest {
        try await decide(id, approving: false, as: user)
    }

    private func decide(_ id: AccessRequestID, approving: Bool, as user: User) async throws(VaultError) -> AccessRequest
    {
        let action: AuditAction = approving ? .approve : .deny
        let found = try await audited(action, entry: nil, by: user) {
            () async throws(VaultError) -> AccessRequest in
            let found = try await storing { () async throws(StorageError) in try await storage.accessRequest(id) }
            guard let found else { throw .notFound }
            return found
        }
        return try await audited(action, entry: found.entry, by: user) { () async throws(VaultError) in
            let (entity, _) = try await load(found.entry, as: user, for: .decide)
            guard found.requester != user.id, !found.approvals.contains(user.id) else { throw .accessDenied }
            guard entity.isActive else { throw .disabled }
            let now = clock.now()
            guard found.state(at: now) == .pending else {
                throw .invalidParameter(field: "request", reason: "it is \(found.state(at: now).rawValue), not pending")
            }
            var decided = found
            decided.version = found.version + 1
            if approving {
                decided.approvals.append(user.id)
                if decided.approvals.count >= max(entity.needApproval, 1) {
                    decided.storedState = .approved
                    decided.decidedAt = now
                    decided.expiresAt = now.addingTimeInterval(TimeInterval(found.minutes) * 60)
                }
            } else {
                decided.storedState = .denied
                decided.deniedBy = user.id
                decided.decidedAt = now
            }
            let event = auditEvent(
                action, entry: found.entry, by: user, fields: [id.description, found.requesterName])
            _ = try await storing { () async throws(StorageError) in
                try await commit(
                    ChangeSet(requests: [.replace(decided, expectedVersion: found.version)]), recording: [event])
            }
            return decided
        }
    }

    /// The requests `user` may decide now (pending, on entries they own or edit, not their own and
    /// not yet approved by them) and `user`'s own requests, ascending by identifier. Read from
    /// the storage's indexes; nothing is recorded (no secret is read).
    public func accessRequests(as user: User) async throws(VaultError) -> [AccessRequest] {
        let now = clock.now()
        let decidable = try await list(includeDisabled: true, as: user).filter { $0.role >= .editor }
        var found: [AccessRequestID: AccessRequest] = [:]
        if !decidable.isEmpty {
            let pending = try await storing { () async throws(StorageError) in
                try await storage.accessRequests(
                    AccessRequestQuery(entries: Set(decidable.map(\.entity.identifier)), storedStates: [.pending]))
            }
            for request in pending
            where request.requester != user.id && !request.approvals.contains(user.id)
                && request.state(at: now) == .pending
            {
                found[request.identifier] = request
            }
        }
        let own = try await storing { () async throws(StorageError) in
            try await storage.accessRequests(AccessRequestQuery(requester: user.id))
        }
        for request in own { found[request.identifier] = request }
        return found.values.sorted { $0.identifier < $1.identifier }
    }

    // MARK: Losing access

    /// What follows on `entry` when users' rights change (docs/contract.md §13): for each user
    /// who loses all access, their open requests and grants end (`revoked`); when a user who has
    /// seen the current password loses access to it (no access, or no reveal right), the entry
    /// needs rotation.
    /// - Parameters:
    ///   - before: the entry as it was; `after`: as it will be (`nil`: the same entity, with the
    ///     membership change `membership` applied).
    ///   - candidates: the usernames whose rights may have changed.
    ///   - membership: a group taken away from one user (the directory change being made).
    /// - Returns: the request changes, and whether the entry must be marked.
    func consequences(
        on before: PasswordEntity, after: PasswordEntity, candidates: Set<String>,
        membership: (group: String, username: String)? = nil
    ) async throws(VaultError) -> (requests: [AccessRequestChange], markRotation: Bool) {
        var lostAccess: Set<UserID> = []
        var lostReveal: Set<UserID> = []
        for name in candidates {
            let found: User?
            do { found = try await directory.user(named: name) } catch { throw .unexpected(cause: error) }
            guard let user = found, user.id != before.owner else { continue }
            let groups = try await groups(of: user)
            var groupsAfter = groups
            if let membership, membership.username == name { groupsAfter.remove(membership.group) }
            guard let old = before.rights(of: user, memberOf: groups) else { continue }
            let new = after.rights(of: user, memberOf: groupsAfter)
            if new == nil { lostAccess.insert(user.id) }
            if old.canReveal, new?.canReveal != true { lostReveal.insert(user.id) }
        }
        var changes: [AccessRequestChange] = []
        if !lostAccess.isEmpty {
            changes = try await revocations(of: before.identifier) { lostAccess.contains($0.requester) }
        }
        var mark = false
        if !lostReveal.isEmpty, !before.needsRotation {
            mark = !(try await currentPasswordRevealers(of: before.identifier).isDisjoint(with: lostReveal))
        }
        return (changes, mark)
    }

    /// The usernames that hold a share of `entity`: directly, or as members of a shared group.
    func shareHolders(of entity: PasswordEntity) async throws(VaultError) -> Set<String> {
        var names = Set(entity.usersAllowed.map(\.username))
        do {
            for share in entity.groupsAllowed {
                names.formUnion(try await directory.members(ofGroup: share.name) ?? [])
            }
        } catch {
            throw .unexpected(cause: error)
        }
        return names
    }

    /// The changes that end the open requests and grants of entry `id` that `which` selects.
    func revocations(
        of id: EntryID, where which: (AccessRequest) -> Bool = { _ in true }
    ) async throws(VaultError) -> [AccessRequestChange] {
        let now = clock.now()
        let open = try await storing { () async throws(StorageError) in
            try await storage.accessRequests(AccessRequestQuery(entries: [id], storedStates: [.pending, .approved]))
        }
        return open.filter { $0.isOpen(at: now) && which($0) }.map { request in
            var revoked = request
            revoked.storedState = .revoked
            revoked.decidedAt = now
            revoked.version = request.version + 1
            return .replace(revoked, expectedVersion: request.version)
        }
    }

    /// The users who have seen entry `id`'s current password, per its audit trail
    /// (docs/contract.md §12, §13): successful reveals naming `password` since the last write
    /// that set it.
    func currentPasswordRevealers(of id: EntryID) async throws(VaultError) -> Set<UserID> {
        var revealers: Set<UserID> = []
        var next: UInt64 = 1
        while true {
            let page = try await storing { () async throws(StorageError) in
                try await storage.auditRecords(AuditQuery(fromSeq: next, entry: id, limit: Self.auditPageSize))
            }
            for record in page where record.event.outcome == .ok && record.event.fields.contains("password") {
                switch record.event.action {
                case .create, .update, .restore, .import: revealers.removeAll()
                case .reveal:
                    if case .user(let user, _) = record.event.actor { revealers.insert(user) }
                default: break
                }
            }
            guard page.count == Self.auditPageSize, let last = page.last else { return revealers }
            next = last.seq + 1
        }
    }
}
