/// Who exists: users (numeric id + username) and groups (name + members).
///
/// The vault reads it at every check, so a change of membership takes effect
/// at once. Conform your own (LDAP, an identity provider) or use
/// ``InMemoryDirectory``, or ``StorageDirectory`` to keep it in the vault's storage.
public protocol Directory: Sendable {
    /// The user with that username.
    func user(named username: String) async throws -> User?
    /// The user with that id.
    func user(id: UserID) async throws -> User?
    /// Whether a group of that name exists.
    func groupExists(named name: String) async throws -> Bool
    /// The names of the groups `username` belongs to.
    func groups(containing username: String) async throws -> Set<String>
    /// The usernames of a group's members; `nil` when no such group exists. The vault reads it
    /// to count an entry's approvers (docs/contract.md §13).
    func members(ofGroup name: String) async throws -> Set<String>?
}
