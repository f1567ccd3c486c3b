/// A ``Directory`` held in memory, for tests and host programs that sync their own.
public final class InMemoryDirectory: Directory {
    let state = Locked<(users: [String: User], groups: [String: Set<String>])>(([:], [:]))

    /// An empty directory.
    public init() {}

    /// Adds (or replaces) a user.
    @discardableResult
    public func addUser(_ username: String, id: Int64) -> User {
        let user = User(id: UserID(rawValue: id), username: username)
        state.withLock { $0.users[username] = user }
        return user
    }

    /// Adds a group with members (an existing group gains them).
    public func addGroup(_ name: String, members: [String] = []) {
        state.withLock { $0.groups[name, default: []].formUnion(members) }
    }

    /// Adds `username` to `group` (creating the group if needed).
    public func addMember(_ username: String, to group: String) {
        state.withLock { _ = $0.groups[group, default: []].insert(username) }
    }

    /// Removes `username` from `group`.
    public func removeMember(_ username: String, from group: String) {
        state.withLock { _ = $0.groups[group]?.remove(username) }
    }

    /// See ``Directory/user(named:)``.
    public func user(named username: String) async throws -> User? {
        state.withLock { $0.users[username] }
    }

    /// See ``Directory/user(id:)``.
    public func user(id: UserID) async throws -> User? {
        state.withLock { $0.users.values.first { $0.id == id } }
    }

    /// See ``Directory/groupExists(named:)``.
    public func groupExists(named name: String) async throws -> Bool {
        state.withLock { $0.groups[name] != nil }
    }

    /// See ``Directory/groups(containing:)``.
    public func groups(containing username: String) async throws -> Set<String> {
        state.withLock { s in Set(s.groups.compactMap { $0.value.contains(username) ? $0.key : nil }) }
    }

    /// See ``Directory/members(ofGroup:)``.
    public func members(ofGroup name: String) async throws -> Set<String>? {
        state.withLock { $0.groups[name] }
    }
}
