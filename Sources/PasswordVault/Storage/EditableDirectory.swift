/// A ``Directory`` that takes changes: what the ``Vault``'s directory use cases
/// (``Vault/addUser(named:id:)``, ``Vault/addGroup(named:members:)``, …) write through.
///
/// The vault checks names, ids and existence first (``NameRule``); a conformance only stores.
/// ``StorageDirectory`` (the vault's own storage) and ``InMemoryDirectory`` conform.
public protocol EditableDirectory: Directory {
    /// Every user, ascending by id.
    func users() async throws -> [User]
    /// The group with that name, with its members.
    func group(named name: String) async throws -> Group?
    /// Every group, ascending by name.
    func groups() async throws -> [Group]
    /// Adds a user whose id and username are free.
    func addUser(_ user: User) async throws
    /// Adds an empty group whose name is free.
    func addGroup(named name: String) async throws
    /// Adds or removes a member of an existing group.
    func setMembership(group: String, username: String, isMember: Bool) async throws
}

extension StorageDirectory: EditableDirectory {
    /// See ``EditableDirectory/users()``.
    public func users() async throws -> [User] { try await storage.users() }
    /// See ``EditableDirectory/group(named:)``.
    public func group(named name: String) async throws -> Group? { try await storage.group(named: name) }
    /// See ``EditableDirectory/groups()``.
    public func groups() async throws -> [Group] { try await storage.groups() }
    /// See ``EditableDirectory/addUser(_:)``.
    public func addUser(_ user: User) async throws { try await storage.addUser(user) }
    /// See ``EditableDirectory/addGroup(named:)``.
    public func addGroup(named name: String) async throws { try await storage.addGroup(named: name) }
    /// See ``EditableDirectory/setMembership(group:username:isMember:)``.
    public func setMembership(group: String, username: String, isMember: Bool) async throws {
        try await storage.setMembership(group: group, username: username, isMember: isMember)
    }
}

extension InMemoryDirectory: EditableDirectory {
    /// See ``EditableDirectory/users()``.
    public func users() async throws -> [User] { state.withLock { $0.users.values.sorted { $0.id < $1.id } } }
    /// See ``EditableDirectory/group(named:)``.
    public func group(named name: String) async throws -> Group? {
        state.withLock { s in s.groups[name].map { Group(name: name, members: $0) } }
    }
    /// See ``EditableDirectory/groups()``.
    public func groups() async throws -> [Group] {
        state.withLock { s in s.groups.map { Group(name: $0.key, members: $0.value) }.sorted { $0.name < $1.name } }
    }
    /// See ``EditableDirectory/addUser(_:)``.
    public func addUser(_ user: User) async throws { state.withLock { $0.users[user.username] = user } }
    /// See ``EditableDirectory/addGroup(named:)``.
    public func addGroup(named name: String) async throws { addGroup(name, members: []) }
    /// See ``EditableDirectory/setMembership(group:username:isMember:)``.
    public func setMembership(group: String, username: String, isMember: Bool) async throws {
        if isMember { addMember(username, to: group) } else { removeMember(username, from: group) }
    }
}
