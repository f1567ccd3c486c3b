/// The fields a version changed, relative to the version before it (docs/contract.md §11,
/// `changed_fields`).
///
/// A set of the contract's field names. The raw value is a bit mask, the form every storage
/// keeps (docs/format.md §6 and §7); ``names`` lists the names in the contract's order.
///
/// ```swift
/// let fields: ChangedFields = [.password, .notes]
/// fields.names  // ["password", "notes"]
/// ```
public struct ChangedFields: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The bit mask (bit 0 `name` … bit 11 `need_approval`).
    public var rawValue: UInt16
    /// A set from its bit mask.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `name`.
    public static let name = ChangedFields(rawValue: 1 << 0)
    /// `username`.
    public static let username = ChangedFields(rawValue: 1 << 1)
    /// `password`.
    public static let password = ChangedFields(rawValue: 1 << 2)
    /// `url`.
    public static let url = ChangedFields(rawValue: 1 << 3)
    /// `secret_key`.
    public static let secretKey = ChangedFields(rawValue: 1 << 4)
    /// `notes`.
    public static let notes = ChangedFields(rawValue: 1 << 5)
    /// `tags`.
    public static let tags = ChangedFields(rawValue: 1 << 6)
    /// `users_allowed`.
    public static let usersAllowed = ChangedFields(rawValue: 1 << 7)
    /// `groups_allowed`.
    public static let groupsAllowed = ChangedFields(rawValue: 1 << 8)
    /// `is_active`.
    public static let isActive = ChangedFields(rawValue: 1 << 9)
    /// `need_justify`.
    public static let needJustify = ChangedFields(rawValue: 1 << 10)
    /// `need_approval`.
    public static let needApproval = ChangedFields(rawValue: 1 << 11)

    /// Every field, in the contract's order, with its name.
    public static let all: [(field: ChangedFields, name: String)] = [
        (.name, "name"), (.username, "username"), (.password, "password"), (.url, "url"),
        (.secretKey, "secret_key"), (.notes, "notes"), (.tags, "tags"), (.usersAllowed, "users_allowed"),
        (.groupsAllowed, "groups_allowed"), (.isActive, "is_active"), (.needJustify, "need_justify"),
        (.needApproval, "need_approval"),
    ]

    /// The bits a storage may hold: any other bit in a stored mask is damage.
    public static let known = ChangedFields(rawValue: (1 << 12) - 1)

    /// The content a restore copies from the chosen version (docs/contract.md §11).
    public static let content: ChangedFields = [.name, .username, .password, .url, .secretKey, .notes, .tags]

    /// The names, in the contract's order.
    public var names: [String] { Self.all.filter { contains($0.field) }.map(\.name) }

    /// The names, comma-separated.
    public var description: String { names.joined(separator: ",") }
}
