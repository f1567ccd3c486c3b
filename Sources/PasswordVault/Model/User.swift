/// A user of the vault: the numeric id and the username the directory knows.
///
/// Every vault call takes the acting user; roles are computed from it, the
/// entry and the directory at that moment.
public struct User: Hashable, Sendable, Codable {
    /// The numeric id (the save-passwords endpoint's `user`).
    public var id: UserID
    /// The username that shares name.
    public var username: String

    /// A user.
    public init(id: UserID, username: String) {
        self.id = id
        self.username = username
    }
}
