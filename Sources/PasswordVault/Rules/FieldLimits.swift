/// The limits of docs/contract.md §3, counted in Unicode scalars (as Python's `len`).
public enum FieldLimits {
    /// `name`.
    public static let name = 200
    /// `username`.
    public static let username = 200
    /// `password`.
    public static let password = 1024
    /// `url`.
    public static let url = 2048
    /// `notes`.
    public static let notes = 10_000
    /// Each tag.
    public static let tag = 64
    /// How many tags an entry may carry.
    public static let tagCount = 64
    /// How many items `users_allowed` and `groups_allowed` may each hold.
    public static let shareCount = 1000
    /// A username or group name inside a share list.
    public static let shareName = 200
    /// A justification (docs/contract.md §13): one line of at most this many scalars.
    public static let justification = 500
    /// `need_approval`: how many approvals an entry may ask for.
    public static let approvals = 0...5
    /// An access request's `minutes`: how long a grant may run.
    public static let grantMinutes = 1...1440
    /// The `minutes` of a request that names none.
    public static let defaultGrantMinutes = 60
}

/// What kind of text a field holds, which decides the characters it refuses
/// (docs/contract.md §3, "Characters").
enum TextKind {
    /// One line: no control characters, no line or paragraph separators, and no bidirectional
    /// formatting characters (the same sets as ``NameRule``'s, through its predicates).
    case singleLine
    /// A password: no control characters. Stored exactly as sent, nothing else refused.
    case secret
    /// Several lines: tabs and line breaks allowed, other control characters not.
    case multiLine

    /// What `scalar` breaks in such text, or `nil` when it may appear.
    func violation(_ scalar: Unicode.Scalar) -> TextRule.Violation? {
        let value = scalar.value
        let isControl = value < 0x20 || (0x7F...0x9F).contains(value)
        switch self {
        case .singleLine:
            if NameRule.isControl(scalar) { return .controlCharacter }
            return NameRule.isBidiControl(scalar) ? .bidiControl : nil
        case .secret: return isControl ? .controlCharacter : nil
        case .multiLine: return isControl && value != 0x09 && value != 0x0A && value != 0x0D ? .controlCharacter : nil
        }
    }
}

extension String {
    /// Whether the text is empty or only white space.
    var isBlank: Bool { unicodeScalars.allSatisfy(\.properties.isWhitespace) }

    /// The text without leading and trailing white space.
    var trimmedWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// Checks of one text field, throwing the catalogue's 1002.
enum TextRule {
    /// What a text breaks, first found first (the characters, then the length).
    enum Violation: Equatable {
        /// A control character (or, in a single-line field, a line or paragraph separator).
        case controlCharacter
        /// A bidirectional formatting character in a single-line field.
        case bidiControl
        /// More scalars than the field's limit.
        case tooLong
    }

    /// Refuses text over `limit` scalars or with characters `kind` does not allow.
    static func check(_ text: String, field: String, limit: Int, kind: TextKind) throws(VaultError) {
        guard let violation = violation(in: text, limit: limit, kind: kind) else { return }
        throw .invalidParameter(field: field, reason: violation.reason(kind: kind, limit: limit))
    }

    /// What `text` breaks, or `nil` when it passes: the first refused scalar, else the length.
    static func violation(in text: String, limit: Int, kind: TextKind) -> Violation? {
        // Fast path (performance): ASCII text, the usual case, is checked byte by byte straight
        // from the string's UTF-8 storage, one scalar per byte, without decoding scalars. If a
        // byte is not ASCII the whole text is checked again scalar by scalar; a refusal in the
        // ASCII prefix is the one the scalar loop would report first.
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> (count: Int, violation: Violation?)? in
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                if let violation = kind.violation(Unicode.Scalar(byte)) { return (0, violation) }
            }
            return (bytes.count, nil)
        }
        var count = 0
        if let checked = ascii ?? nil {
            if let violation = checked.violation { return violation }
            count = checked.count
        } else {
            for scalar in text.unicodeScalars {
                count += 1
                if let violation = kind.violation(scalar) { return violation }
            }
        }
        return count <= limit ? nil : .tooLong
    }
}

extension TextRule.Violation {
    /// The 1002 reason (docs/contract.md §3).
    func reason(kind: TextKind, limit: Int) -> String {
        switch self {
        case .controlCharacter:
            kind == .singleLine ? NameRule.Refusal.controlCharacter.reason : "must not contain control characters"
        case .bidiControl: NameRule.Refusal.bidiControl.reason
        case .tooLong: "must have at most \(limit) characters"
        }
    }
}
