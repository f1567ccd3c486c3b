/// The secret fields of an entry, each sealed on its own and bound to its field.
///
/// The raw value is sealed with each value, as its binding (see ``SealedValue``), so it never
/// changes.
public enum SecretField: UInt8, Sendable, CaseIterable {
    /// The entry's password.
    case password = 1
    /// The entry's notes.
    case notes = 2
    /// The entry's TOTP seed with its parameters.
    case secretKey = 3

    /// The field's name as on the wire, for messages: `password`, `notes`, `secret_key`.
    public var name: String {
        switch self {
        case .password: "password"
        case .notes: "notes"
        case .secretKey: "secret_key"
        }
    }
}

extension SecretField: CustomStringConvertible {
    /// The field's wire name, as ``name``.
    public var description: String { name }
}
