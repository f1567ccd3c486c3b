import Foundation

/// Narrows a list (docs/contract.md §8: `GET api/mysafe/password?tag=&name=&username=&url=`).
///
/// Filters combine: an entry must match every one given. `tag` matches one of
/// the entry's tags exactly, ignoring case; `name`, `username` and `url` match
/// when the entry's field contains the text, ignoring case. An empty filter
/// value means no filter.
public struct ListFilter: Sendable, Hashable {
    /// A tag the entry must carry.
    public var tag: String?
    /// Text the entry's name must contain.
    public var name: String?
    /// Text the entry's username must contain.
    public var username: String?
    /// Text the entry's URL must contain.
    public var url: String?

    /// A filter; `nil` or "" fields do not filter.
    public init(tag: String? = nil, name: String? = nil, username: String? = nil, url: String? = nil) {
        self.tag = tag
        self.name = name
        self.username = username
        self.url = url
    }

    /// Whether `entity` passes every filter given.
    public func matches(_ entity: PasswordEntity) -> Bool {
        if let tag = tag.nonEmpty, !entity.tags.contains(where: { $0.caseInsensitiveEquals(tag) }) { return false }
        if let name = name.nonEmpty, !entity.name.caseInsensitiveContains(name) { return false }
        if let username = username.nonEmpty, !entity.username.caseInsensitiveContains(username) { return false }
        if let url = url.nonEmpty, !entity.url.caseInsensitiveContains(url) { return false }
        return true
    }
}

extension Optional where Wrapped == String {
    fileprivate var nonEmpty: String? {
        guard let value = self, !value.isEmpty else { return nil }
        return value
    }
}

extension String {
    fileprivate func caseInsensitiveEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }

    fileprivate func caseInsensitiveContains(_ other: String) -> Bool {
        lowercased().contains(other.lowercased())
    }
}
