/// A create that passed the field rules of docs/contract.md §3: the three required fields are
/// there, so an entry without them cannot be written. Made by ``PasswordRequest``'s create
/// validation (and by the save-passwords profile, with its own defaults).
struct NewEntry: Sendable {
    var name: String
    var username: String
    var password: SecretBytes
    /// `""` when none.
    var url: String = ""
    var secretKey: StoredSecretKey?
    var notes: SecretBytes?
    var tags: [String] = []
    /// `nil`: no share list was sent.
    var usersAllowed: [ShareItem]?
    var groupsAllowed: [ShareItem]?
    /// The policies of docs/contract.md §13.
    var needJustify = false
    var needApproval = 0
}

/// An update that passed the field rules of docs/contract.md §3: each field is left, cleared or set.
struct EntryChanges: Sendable {
    /// `nil`: left as it is (a required field cannot be cleared).
    var name: String?
    var username: String?
    var password: SecretBytes?
    var url: FieldChange<String> = .keep
    var secretKey: FieldChange<StoredSecretKey> = .keep
    var notes: FieldChange<SecretBytes> = .keep
    var tags: FieldChange<[String]> = .keep
    /// `nil`: sharing of that kind is left as it is.
    var usersAllowed: [ShareItem]?
    var groupsAllowed: [ShareItem]?
    /// `nil`: the policy is left as it is (docs/contract.md §13).
    var needJustify: Bool?
    var needApproval: Int?
}

/// A change to an optional field of an update.
enum FieldChange<Value: Sendable>: Sendable {
    /// Leave the field as it is.
    case keep
    /// Clear it.
    case clear
    /// Set it.
    case set(Value)
}

extension FieldChange {
    /// The value being set, if any.
    var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }

    func map<T>(_ transform: (Value) -> T) -> FieldChange<T> {
        switch self {
        case .keep: .keep
        case .clear: .clear
        case .set(let value): .set(transform(value))
        }
    }
}

/// A share item after its own checks: the name and the merged edit right.
struct ShareItem: Sendable, Hashable {
    var name: String
    var canEdit: Bool
    var canReveal = true
}
