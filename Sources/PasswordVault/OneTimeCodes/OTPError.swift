/// Why a one-time code generator cannot be built, or a code cannot be computed.
///
/// No case carries secret material; ``description`` is a short lowercase reason.
public enum OTPError: Error, Equatable, Sendable {
    /// The shared secret has no bytes (RFC 4226 §5.1: K is required).
    case emptySecret
    /// The number of digits is outside 6…10 (RFC 4226 §5.3 requires at least 6; a 31-bit value has at most 10).
    case digitsOutOfRange(Int)
    /// The time step is zero or negative (RFC 6238 §4.1: X is a positive number of seconds).
    case nonPositivePeriod(Int)
    /// The time step is above 2³²−1 seconds, the most the vault stores (docs/contract.md §5).
    case periodTooLong(Int)
    /// The time is before T0, the start of the first time step (RFC 6238 §4.2).
    case timeBeforeEpoch
    /// The time is not a number of seconds representable as `Int64` (a `Date` beyond about 292 billion years, or NaN).
    case timeOutOfRange
    /// The verification window is negative.
    case negativeWindow(Int)
}

extension OTPError: CustomStringConvertible {
    /// A short lowercase reason.
    public var description: String {
        switch self {
        case .emptySecret: "the secret is empty"
        case .digitsOutOfRange(let digits): "the number of digits must be from 6 to 10, not \(digits)"
        case .nonPositivePeriod(let period): "the period must be a positive number of seconds, not \(period)"
        case .periodTooLong(let period):
            "the period must be at most \(TOTP.allowedPeriods.upperBound) seconds, not \(period)"
        case .timeBeforeEpoch: "the time is before the start of the first time step (T0)"
        case .timeOutOfRange: "the time is out of range"
        case .negativeWindow(let window): "the verification window cannot be negative (\(window))"
        }
    }
}
