/// A user's share of an entry: the username and whether they may edit.
public struct UserShare: Hashable, Sendable, Codable {
    /// The shared user's username, as the directory knows it.
    public var username: String
    /// Whether the user may edit, enable and disable the entry.
    public var canEdit: Bool

    /// A share; `canEdit` defaults to false, as in the seeds.
    public init(username: String, canEdit: Bool = false) {
        self.username = username
        self.canEdit = canEdit
    }
}

/// A group's share of an entry: every member gets it.
public struct GroupShare: Hashable, Sendable, Codable {
    /// The shared group's name, as the directory knows it.
    public var name: String
    /// Whether members may edit, enable and disable the entry.
    public var canEdit: Bool

    /// A share; `canEdit` defaults to false, as in the seeds.
    public init(name: String, canEdit: Bool = false) {
        self.name = name
        self.canEdit = canEdit
    }
}
