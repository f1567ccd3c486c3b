extension Vault {
    /// The vault's directory as one that takes changes, or ``DirectoryError/notEditable``.
    private func editable() throws(DirectoryError) -> any EditableDirectory {
        guard let editable = directory as? any EditableDirectory else { throw .notEditable }
        return editable
    }

    /// Runs a directory call, turning a failure that is not already a ``DirectoryError`` into `unexpected`.
    private func directoryCall<T>(_ body: () async throws -> T) async throws(DirectoryError) -> T {
        do {
            return try await body()
        } catch let error as DirectoryError {
            throw error
        } catch {
            throw .unexpected(cause: error)
        }
    }

    /// The user with that username (names compare in NFC), if any.
    public func user(named username: String) async throws(DirectoryError) -> User? {
        try await directoryCall { try await directory.user(named: username) }
    }

    /// The user with that id, if any.
    public func user(id: UserID) async throws(DirectoryError) -> User? {
        try await directoryCall { try await directory.user(id: id) }
    }

    /// Every user, ascending by id.
    /// - Throws: ``DirectoryError/notEditable`` when the directory is the host's own.
    public func users() async throws(DirectoryError) -> [User] {
        let directory = try editable()
        return try await directoryCall { try await directory.users() }
    }

    /// Every group with its members, ascending by name.
    /// - Throws: ``DirectoryError/notEditable`` when the directory is the host's own.
    public func groups() async throws(DirectoryError) -> [Group] {
        let directory = try editable()
        return try await directoryCall { try await directory.groups() }
    }

    /// Adds a user under the name rule (``NameRule``, docs/contract.md §3).
    ///
    /// - Parameters:
    ///   - username: the new username; no other user may have it (in NFC).
    ///   - id: the numeric id, in ``UserID/allowedRange``; `nil` takes the one above the highest in use (1 in an
    ///     empty directory).
    /// - Returns: the user added.
    /// - Throws: ``DirectoryError``: `invalidName`, `invalidUserID`, `usernameTaken`, `userIDTaken`,
    ///   `noFreeUserID` (no `id` given and the highest in use is `Int64.max`), `notEditable` or `unexpected`.
    @discardableResult
    public func addUser(named username: String, id: Int64? = nil) async throws(DirectoryError) -> User {
        do { try NameRule.check(username) } catch { throw .invalidName(.username, error) }
        if let id, !UserID.allowedRange.contains(id) { throw .invalidUserID(id) }
        let directory = try editable()
        let users = try await directoryCall { try await directory.users() }
        guard !users.contains(where: { $0.username == username }) else { throw .usernameTaken(username) }
        let raw: Int64
        if let id {
            raw = id
        } else {
            let highest = users.map(\.id.rawValue).max() ?? 0
            // One above the highest, without overflow: after Int64.max there is none.
            let (next, overflow) = highest.addingReportingOverflow(1)
            guard !overflow else { throw .noFreeUserID }
            raw = max(next, UserID.allowedRange.lowerBound)
        }
        let user = User(id: UserID(rawValue: raw), username: username)
        guard !users.contains(where: { $0.id == user.id }) else { throw .userIDTaken(user.id) }
        do {
            try await directoryWrite(.addUser(user), recording: auditEvent(.userAdd, by: nil, fields: [username]))
        } catch {
            // Another writer got there between the read and the write: say which was taken.
            if (try? await directory.user(named: username)) != nil { throw .usernameTaken(username) }
            if (try? await directory.user(id: user.id)) != nil { throw .userIDTaken(user.id) }
            throw .unexpected(cause: error)
        }
        return user
    }

    /// Adds a group under the name rule, with `members` (each an existing user; repeats count once).
    ///
    /// Every member is checked before anything is written.
    /// - Throws: ``DirectoryError``: `invalidName`, `userNotFound`, `groupExists`, `notEditable` or `unexpected`.
    @discardableResult
    public func addGroup(named name: String, members: [String] = []) async throws(DirectoryError) -> Group {
        do { try NameRule.check(name) } catch { throw .invalidName(.groupName, error) }
        let directory = try editable()
        var unique: [String] = []
        for member in members where !unique.contains(member) {
            guard try await directoryCall({ try await directory.user(named: member) }) != nil else {
                throw .userNotFound(member)
            }
            unique.append(member)
        }
        guard try await directoryCall({ try await directory.group(named: name) }) == nil else {
            throw .groupExists(name)
        }
        do {
            try await directoryWrite(
                .addGroup(name), recording: auditEvent(.groupAdd, by: nil, fields: [name] + unique))
        } catch {
            if (try? await directory.group(named: name)) != nil { throw .groupExists(name) }
            throw .unexpected(cause: error)
        }
        for member in unique {
            try await directoryCall {
                try await directoryWrite(.setMembership(group: name, username: member, isMember: true), recording: nil)
            }
        }
        return Group(name: name, members: Set(unique))
    }

    /// Makes `username` a member of `group`; their access through it starts at once (a member already: no change).
    /// - Throws: ``DirectoryError``: `groupNotFound`, `userNotFound`, `notEditable` or `unexpected`.
    public func addMember(_ username: String, to group: String) async throws(DirectoryError) {
        try await setMembership(group: group, username: username, isMember: true)
    }

    /// Takes `username` out of `group`; their access through it ends at once (not a member: no change).
    /// - Throws: ``DirectoryError``: `groupNotFound`, `userNotFound`, `notEditable` or `unexpected`.
    public func removeMember(_ username: String, from group: String) async throws(DirectoryError) {
        try await setMembership(group: group, username: username, isMember: false)
    }

    private func setMembership(group: String, username: String, isMember: Bool) async throws(DirectoryError) {
        let directory = try editable()
        guard try await directoryCall({ try await directory.group(named: group) }) != nil else {
            throw .groupNotFound(group)
        }
        guard try await directoryCall({ try await directory.user(named: username) }) != nil else {
            throw .userNotFound(username)
        }
        let event = auditEvent(isMember ? .memberAdd : .memberRemove, by: nil, fields: [group, username])
        // Leaving a group ends the user's requests and grants on the entries they no longer
        // reach, and marks for rotation those whose password they saw (docs/contract.md §13). A
        // request that changes meanwhile makes the commit lose its compare-and-set: computed again.
        for attempt in 1...Self.staleHeaderRetries {
            var effects = (requests: [AccessRequestChange](), marks: Set<EntryID>())
            if !isMember {
                do { effects = try await leavingEffects(group: group, username: username) } catch {
                    throw .unexpected(cause: error)
                }
            }
            do {
                try await directoryWrite(
                    .setMembership(group: group, username: username, isMember: isMember), recording: event,
                    requests: effects.requests, rotationMarks: effects.marks)
                return
            } catch StorageError.conflict where attempt < Self.staleHeaderRetries {
                continue
            } catch let error as DirectoryError {
                throw error
            } catch {
                throw .unexpected(cause: error)
            }
        }
    }

    /// What `username` leaving `group` does to the entries shared with the group.
    private func leavingEffects(
        group: String, username: String
    ) async throws(VaultError) -> (requests: [AccessRequestChange], marks: Set<EntryID>) {
        // Entries shared with the group, from the group-share index (no owner or user share matches).
        let query = VisibilityQuery(owner: UserID(rawValue: .min), username: "", groups: [group], includeDisabled: true)
        let shared = try await storing { () async throws(StorageError) in try await storage.entities(visibleTo: query) }
        var requests: [AccessRequestChange] = []
        var marks: Set<EntryID> = []
        for entity in shared where entity.groupsAllowed.contains(where: { $0.name == group }) {
            let effects = try await consequences(
                on: entity, after: entity, candidates: [username], membership: (group, username))
            requests += effects.requests
            if effects.markRotation { marks.insert(entity.identifier) }
        }
        return (requests, marks)
    }

    /// Applies a directory change with its audit record and the request and rotation changes that
    /// follow from it: in one commit when the directory is the vault's own storage, else the
    /// directory's change and then one commit of the rest.
    private func directoryWrite(
        _ change: DirectoryChange, recording event: AuditEvent?, requests: [AccessRequestChange] = [],
        rotationMarks: Set<EntryID> = []
    ) async throws {
        if let own = directory as? StorageDirectory, (own.storage as AnyObject) === (storage as AnyObject) {
            let change = ChangeSet(directory: change, requests: requests, rotationMarks: rotationMarks)
            if let event { try await commit(change, recording: [event]) } else { try await storage.commit(change) }
            return
        }
        let directory = try editable()
        switch change {
        case .addUser(let user): try await directory.addUser(user)
        case .addGroup(let name): try await directory.addGroup(named: name)
        case .setMembership(let group, let username, let isMember):
            try await directory.setMembership(group: group, username: username, isMember: isMember)
        }
        let rest = ChangeSet(requests: requests, rotationMarks: rotationMarks)
        if let event {
            try await commit(rest, recording: [event])
        } else if !rest.isAuditOnly {
            try await storage.commit(rest)
        }
    }
}
