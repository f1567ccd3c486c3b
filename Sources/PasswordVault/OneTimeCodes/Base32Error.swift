/// Why a text is not base32 (RFC 4648 §6).
///
/// Cases and descriptions give positions and counts only, never the offending
/// character: the text is usually a secret (a TOTP seed). The ``description`` is
/// short and lowercase, fit to follow "Parameter 'secret_key' is invalid: ".
public enum Base32Error: Error, Equatable, Sendable {
    /// The text holds no symbols at all (it is empty or only spaces, line breaks and dashes).
    case empty
    /// A character outside the alphabet, at this 1-based position (in `Character`s of the text as given).
    case invalidCharacter(position: Int)
    /// The number of symbols leaves 1, 3 or 6 symbols in the last quantum, which no byte count produces (RFC 4648 §6).
    case invalidLength(symbols: Int)
    /// A `=` followed by more symbols; the position (1-based) is that of the first `=`.
    case misplacedPadding(position: Int)
    /// Padding of this many `=` that does not complete the last 8-symbol quantum (RFC 4648 §6 allows 6, 4, 3 or 1).
    case invalidPaddingLength(Int)
}

extension Base32Error: CustomStringConvertible {
    /// A short lowercase reason, without any character of the text.
    public var description: String {
        switch self {
        case .empty: "empty"
        case .invalidCharacter(let position): "invalid character at position \(position)"
        case .invalidLength(let symbols): "impossible length of \(symbols) symbol\(symbols == 1 ? "" : "s")"
        case .misplacedPadding(let position): "padding '=' is only allowed at the end (position \(position))"
        case .invalidPaddingLength(let count): "wrong amount of padding (\(count) '=')"
        }
    }
}
