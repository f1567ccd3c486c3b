/// The limits of DESIGN.md §3, counted in Unicode scalars (as Python's `len`).
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
}

/// What kind of text a field holds, which decides the characters it refuses.
enum TextKind {
    /// One line: no control characters and no line or paragraph separators.
    case singleLine
    /// A password: no control characters.
    case secret
    /// Several lines: tabs and line breaks allowed, other control characters not.
    case multiLine

    /// Whether `scalar` may appear in such text.
    func allows(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let isControl = value < 0x20 || (0x7F...0x9F).contains(value)
        switch self {
        case .singleLine: return !isControl && value != 0x2028 && value != 0x2029
        case .secret: return !isControl
        case .multiLine: return !isControl || value == 0x09 || value == 0x0A || value == 0x0D
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
    /// Refuses text over `limit` scalars or with characters `kind` does not allow.
    static func check(_ text: String, field: String, limit: Int, kind: TextKind) throws(VaultError) {
        // Fast path (performance): ASCII text, the usual case, is checked on its UTF-8 bytes, one
        // scalar per byte, without decoding scalars (about 6× fewer instructions on 200 bytes of
        // notes). At the first non-ASCII byte the whole text is checked again scalar by scalar
        // below; any refusal in the ASCII prefix is the one the scalar loop would report first.
        var count = 0
        var isASCII = true
        for byte in text.utf8 {
            guard byte < 0x80 else {
                isASCII = false
                break
            }
            count += 1
            guard kind.allows(Unicode.Scalar(byte)) else {
                throw .invalidParameter(field: field, reason: kind.refusal)
            }
        }
        if !isASCII {
            count = 0
            for scalar in text.unicodeScalars {
                count += 1
                guard kind.allows(scalar) else {
                    throw .invalidParameter(field: field, reason: kind.refusal)
                }
            }
        }
        guard count <= limit else {
            throw .invalidParameter(field: field, reason: "must have at most \(limit) characters")
        }
    }
}

extension TextKind {
    var refusal: String {
        switch self {
        case .singleLine: "must not contain control characters or line breaks"
        case .secret, .multiLine: "must not contain control characters"
        }
    }
}
