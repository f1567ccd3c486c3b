/// The error catalogue (docs/contract.md §3): every refusal a vault call can answer,
/// with the seed API's code and exact message. (1000, a body that is not JSON, is the wire's:
/// see ``WireHandler``.)
public enum VaultError: Error, Sendable {
    /// 1001: a required field is absent, null or blank.
    case notInformed(field: String)
    /// 1002: a field has the wrong type, is too long, has control characters, or is not valid.
    case invalidParameter(field: String, reason: String)
    /// 1005: unknown identifier, or the caller has no access at all.
    case notFound
    /// 1006: the caller may see the entry but not do this.
    case accessDenied
    /// 1007: reveal, TOTP or update of a disabled entry.
    case disabled
    /// 1008: a compare-and-set lost; nothing was written.
    case concurrentChange
    /// 1011: the entry has no such history version (docs/contract.md §11).
    case versionNotFound
    /// 1009: a read the entry's `need_justify` policy binds, without a justification (docs/contract.md §13).
    case justificationRequired
    /// 1010: a read the entry's `need_approval` policy binds, without an active grant (docs/contract.md §13).
    case approvalRequired
    /// A storage or internal failure (HTTP 500, "Unexpected error."); nothing half-written.
    /// The cause is for logs and tests, never shown to a caller of the wire API.
    case unexpected(cause: any Error)

    /// The catalogue code; 500 for ``unexpected(cause:)``.
    public var code: Int {
        switch self {
        case .notInformed: 1001
        case .invalidParameter: 1002
        case .notFound: 1005
        case .accessDenied: 1006
        case .disabled: 1007
        case .concurrentChange: 1008
        case .versionNotFound: 1011
        case .justificationRequired: 1009
        case .approvalRequired: 1010
        case .unexpected: 500
        }
    }

    /// The exact message of the catalogue, e.g. `1006: User does not have access`.
    public var message: String {
        switch self {
        case .notInformed(let field): "1001: Parameter '\(field)' was not informed!"
        case .invalidParameter(let field, let reason): "1002: Parameter '\(field)' is invalid: \(reason)"
        case .notFound: "1005: Password not found"
        case .accessDenied: "1006: User does not have access"
        case .disabled: "1007: Password is disabled"
        case .concurrentChange: "1008: Password was changed concurrently"
        case .versionNotFound: "1011: Version not found"
        case .justificationRequired: "1009: Justification is required"
        case .approvalRequired: "1010: Access requires approval"
        case .unexpected: "Unexpected error."
        }
    }
}

extension VaultError: CustomStringConvertible {
    /// The catalogue message; for ``unexpected(cause:)`` the cause follows (it never holds a secret).
    public var description: String {
        if case .unexpected(let cause) = self { return "Unexpected error. (\(cause))" }
        return message
    }
}

extension VaultError: Equatable {
    /// Two errors are equal when their codes and messages are (causes compare by description).
    public static func == (lhs: VaultError, rhs: VaultError) -> Bool {
        lhs.code == rhs.code && lhs.description == rhs.description
    }
}

extension VaultError {
    /// Wraps a storage failure: a lost compare-and-set is 1008, anything else unexpected.
    init(_ error: StorageError) {
        self = error == .conflict ? .concurrentChange : .unexpected(cause: error)
    }
}
