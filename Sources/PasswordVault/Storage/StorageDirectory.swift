/// The directory kept in a vault's ``VaultStorage`` (what the command line uses).
public struct StorageDirectory: Directory {
    /// The storage holding users and groups.
    public let storage: any VaultStorage

    /// A directory over `storage`.
    public init(_ storage: any VaultStorage) { self.storage = storage }

    /// See ``Directory/user(named:)``.
    public func user(named username: String) async throws -> User? { try await storage.user(named: username) }
    /// See ``Directory/user(id:)``.
    public func user(id: UserID) async throws -> User? { try await storage.user(id: id) }
    /// See ``Directory/groupExists(named:)``.
    public func groupExists(named name: String) async throws -> Bool { try await storage.group(named: name) != nil }
    /// See ``Directory/groups(containing:)``.
    public func groups(containing username: String) async throws -> Set<String> {
        try await storage.groups(containing: username)
    }
    /// See ``Directory/members(ofGroup:)``.
    public func members(ofGroup name: String) async throws -> Set<String>? {
        try await storage.group(named: name)?.members
    }
}
