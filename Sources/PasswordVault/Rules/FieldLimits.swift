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
        // Fast path (performance): ASCII text, the usual case, is checked byte by byte straight
        // from the string's UTF-8 storage, one scalar per byte, without decoding scalars. If a
        // byte is not ASCII the whole text is checked again scalar by scalar; a refusal in the
        // ASCII prefix is the one the scalar loop would report first.
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> (count: Int, allowed: Bool)? in
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                guard kind.allows(Unicode.Scalar(byte)) else { return (0, false) }
            }
            return (bytes.count, true)
        }
        var count = 0
        if let checked = ascii ?? nil {
            guard checked.allowed else { throw .invalidParameter(field: field, reason: kind.refusal) }
            count = checked.count
        } else {
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
