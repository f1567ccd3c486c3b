/// One field of a request as the caller sent it, keeping apart what JSON keeps
/// apart: absent, `null`, a value, or a value of the wrong type.
///
/// In Swift, a field left alone is ``absent``, `nil` is ``null`` and a literal
/// is a ``value(_:)``:
///
/// ```swift
/// var changes = PasswordRequest()
/// changes.url = nil               // clears the URL
/// changes.name = "new name"       // sets the name
/// ```
public enum Input<Value: Sendable>: Sendable {
    /// Not in the request: left as it is (update) or not given (create).
    case absent
    /// Sent as `null`.
    case null
    /// Sent with a value.
    case value(Value)
    /// Sent with a value of the wrong JSON type; `reason` says what was expected.
    /// The vault answers 1002 for it, after the access checks.
    case invalid(reason: String)

    /// Whether the request carries this field at all (a value, `null` or a wrong one).
    public var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }

    /// The value, if one was sent.
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

extension Input: Equatable where Value: Equatable {}
extension Input: Hashable where Value: Hashable {}

extension Input: ExpressibleByNilLiteral {
    /// `nil` is a JSON `null`.
    public init(nilLiteral: ()) { self = .null }
}

extension Input: ExpressibleByUnicodeScalarLiteral, ExpressibleByExtendedGraphemeClusterLiteral,
    ExpressibleByStringLiteral
where Value == String {
    /// A string literal is a value.
    public init(stringLiteral value: String) { self = .value(value) }
    /// Wraps a value.
    public init(unicodeScalarLiteral value: String) { self = .value(value) }
    /// Wraps a value.
    public init(extendedGraphemeClusterLiteral value: String) { self = .value(value) }
}

extension Input: ExpressibleByBooleanLiteral where Value == Bool {
    /// A boolean literal is a value.
    public init(booleanLiteral value: Bool) { self = .value(value) }
}
