/// Why a text is not a usable `otpauth://` key URI.
///
/// No case carries the secret or any other value from the URI, except parameter names
/// this library knows; ``description`` is a short lowercase reason.
public enum OTPAuthURIError: Error, Equatable, Sendable {
    /// The text does not start with `otpauth://`.
    case notOTPAuth
    /// The type (the URI's host) is neither `totp` nor `hotp`.
    case unsupportedType
    /// A `%` not followed by two hexadecimal digits, or escapes that do not decode to UTF-8.
    case invalidPercentEncoding
    /// There is no `secret` parameter.
    case missingSecret
    /// The `secret` parameter is not base32.
    case invalidSecret(Base32Error)
    /// An `hotp` URI without its `counter` parameter.
    case missingCounter
    /// A known parameter (`algorithm`, `digits`, `period`, `counter`) with a value that does not parse.
    case invalidValue(parameter: String)
    /// A known parameter given twice (or an extra parameter named like a known one).
    case duplicateParameter(String)
    /// Values that parse but that no generator accepts (digits out of 6…10, a period outside 1…2³²−1, an empty secret).
    case invalidParameters(OTPError)
    /// ``OTPAuthURI/makeTOTP()`` on an `hotp` URI.
    case notTOTP
    /// ``OTPAuthURI/makeHOTP()`` on a `totp` URI.
    case notHOTP
}

extension OTPAuthURIError: CustomStringConvertible {
    /// A short lowercase reason, without values from the URI.
    public var description: String {
        switch self {
        case .notOTPAuth: "not an otpauth:// URI"
        case .unsupportedType: "the type must be totp or hotp"
        case .invalidPercentEncoding: "invalid percent-encoding"
        case .missingSecret: "the secret parameter is missing"
        case .invalidSecret(let reason): "the secret is invalid: \(reason)"
        case .missingCounter: "the counter parameter is required for hotp"
        case .invalidValue(let parameter): "invalid value for parameter '\(parameter)'"
        case .duplicateParameter(let parameter): "parameter '\(parameter)' is given more than once"
        case .invalidParameters(let reason): reason.description
        case .notTOTP: "not a totp URI"
        case .notHOTP: "not an hotp URI"
        }
    }
}
