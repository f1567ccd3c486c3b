/// A group of users: shares to a group reach every member.
public struct Group: Hashable, Sendable, Codable {
    /// The group's name (shares name it).
    public var name: String
    /// The members' usernames.
    public var members: Set<String>

    /// A group.
    public init(name: String, members: Set<String> = []) {
        self.name = name
        self.members = members
    }
}
