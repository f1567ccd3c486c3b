/// The identifier of a password entry: a positive integer assigned by the vault's
/// storage, unique and never reused. On the wire it is its decimal string (`"312"`).
public struct EntryID: RawRepresentable, Hashable, Comparable, Sendable, Codable {
    /// The positive integer.
    public let rawValue: Int64

    /// Wraps a raw identifier; `nil` unless it is positive.
    public init?(rawValue: Int64) {
        guard rawValue > 0 else { return nil }
        self.rawValue = rawValue
    }

    /// Parses the decimal form used on the wire (`"312"`): ASCII digits only, no sign,
    /// no leading zeros, positive and within 64 bits.
    public init?(_ text: some StringProtocol) {
        guard let first = text.utf8.first, first != UInt8(ascii: "0"), text.utf8.count <= 19,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int64(text)
        else { return nil }
        self.init(rawValue: value)
    }

    /// Orders by the raw value.
    public static func < (lhs: EntryID, rhs: EntryID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension EntryID: CustomStringConvertible {
    /// The decimal form, as on the wire.
    public var description: String { String(rawValue) }
}

/// The numeric identifier of a user in the directory.
public struct UserID: RawRepresentable, Hashable, Comparable, Sendable, Codable {
    /// The numeric id.
    public let rawValue: Int64
    /// Wraps a value.
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// Orders by the raw value.
    public static func < (lhs: UserID, rhs: UserID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension UserID: CustomStringConvertible {
    /// A description that never shows secret material.
    public var description: String { String(rawValue) }
}
