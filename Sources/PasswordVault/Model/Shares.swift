/// A user's share of an entry: the username, whether they may edit, and whether they may see
/// its secrets (docs/contract.md §4, §13).
public struct UserShare: Hashable, Sendable, Codable {
    /// The shared user's username, as the directory knows it.
    public var username: String
    /// Whether the user may edit, enable and disable the entry.
    public var canEdit: Bool
    /// Whether the user may see the password, the notes, the TOTP seed and old versions
    /// (docs/contract.md §13). Without it the entry can still be listed, read as metadata, used
    /// for its current TOTP code and, by an editor, given new secrets.
    public var canReveal: Bool

    /// A share; `canEdit` defaults to false, as in the seeds, and `canReveal` to true.
    public init(username: String, canEdit: Bool = false, canReveal: Bool = true) {
        self.username = username
        self.canEdit = canEdit
        self.canReveal = canReveal
    }

    private enum CodingKeys: String, CodingKey { case username, canEdit, canReveal }

    /// Decodes a share; one stored before `canReveal` existed reveals.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        username = try container.decode(String.self, forKey: .username)
        canEdit = try container.decode(Bool.self, forKey: .canEdit)
        canReveal = try container.decodeIfPresent(Bool.self, forKey: .canReveal) ?? true
    }
}

/// A group's share of an entry: every member gets it.
public struct GroupShare: Hashable, Sendable, Codable {
    /// The shared group's name, as the directory knows it.
    public var name: String
    /// Whether members may edit, enable and disable the entry.
    public var canEdit: Bool
    /// Whether members may see the entry's secrets (docs/contract.md §13); see ``UserShare/canReveal``.
    public var canReveal: Bool

    /// A share; `canEdit` defaults to false, as in the seeds, and `canReveal` to true.
    public init(name: String, canEdit: Bool = false, canReveal: Bool = true) {
        self.name = name
        self.canEdit = canEdit
        self.canReveal = canReveal
    }

    private enum CodingKeys: String, CodingKey { case name, canEdit, canReveal }

    /// Decodes a share; one stored before `canReveal` existed reveals.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        canEdit = try container.decode(Bool.self, forKey: .canEdit)
        canReveal = try container.decodeIfPresent(Bool.self, forKey: .canReveal) ?? true
    }
}
