/// The one rule for the names the directory and shares use: usernames, group names, and the
/// names inside `users_allowed` / `groups_allowed` (docs/contract.md §3, §4).
///
/// A name that passes can be typed, shown and shared: it has at most ``FieldLimits/username``
/// Unicode scalars, no control character (C0, DEL, C1 such as U+009B, U+2028, U+2029), no
/// bidirectional formatting character (the embeddings and overrides U+202A–U+202E, the isolates
/// U+2066–U+2069, the marks U+200E, U+200F and U+061C), and at least one visible character
/// (a name of only white space, zero-width characters, U+2060, U+FEFF, variation selectors or
/// other default-ignorable code points looks like nothing). Names compare by canonical
/// equivalence (NFC), as Swift's `String` does, so "café" typed either way is one name.
public enum NameRule {
    /// Why a name is refused; the ``reason`` reads after the name, as in the catalogue's 1002.
    public enum Refusal: Error, Sendable, Hashable {
        /// Over ``NameRule/limit`` scalars.
        case tooLong
        /// A control character, line or paragraph separator.
        case controlCharacter
        /// A bidirectional embedding, override, isolate or mark.
        case bidiControl
        /// Nothing visible: empty, blank, or only invisible characters.
        case invisible

        /// The reason, e.g. `must not contain control characters or line breaks`.
        public var reason: String {
            switch self {
            case .tooLong: "must have at most \(NameRule.limit) characters"
            case .controlCharacter: "must not contain control characters or line breaks"
            case .bidiControl: "must not contain bidirectional formatting characters"
            case .invisible: "must have at least one visible character"
            }
        }
    }

    /// At most this many Unicode scalars (the username limit of docs/contract.md §3).
    public static let limit = FieldLimits.username

    /// Checks `name`; the first refusal found, in the order: characters, visibility, length.
    /// - Throws: ``Refusal``.
    public static func check(_ name: String) throws(Refusal) {
        var count = 0
        var visible = false
        for scalar in name.unicodeScalars {
            count += 1
            if isControl(scalar) { throw .controlCharacter }
            if isBidiControl(scalar) { throw .bidiControl }
            if !visible, !isInvisible(scalar) { visible = true }
        }
        guard visible else { throw .invisible }
        guard count <= limit else { throw .tooLong }
    }

    /// Whether `name` passes ``check(_:)``.
    public static func allows(_ name: String) -> Bool {
        (try? check(name)) != nil
    }

    /// `name` in single quotes for a message, every control, bidirectional or invisible
    /// character (and the quote and backslash) written as `\u{…}`: a name that was refused, or
    /// that a caller typed, cannot reorder or hide the rest of the line it is printed on.
    public static func quoted(_ name: String) -> String {
        var text = "'"
        for scalar in name.unicodeScalars {
            if isControl(scalar) || isBidiControl(scalar) || (isInvisible(scalar) && scalar != " ") || scalar == "'"
                || scalar == "\\"
            {
                text += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text + "'"
    }

    /// C0 controls, DEL, C1 controls (U+0080–U+009F), and the line and paragraph separators.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }

    /// The bidirectional embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069)
    /// and marks (U+200E, U+200F, U+061C).
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E
            || value == 0x200F || value == 0x061C
    }

    /// White space, and the characters that render as nothing: the zero-width ones
    /// (U+200B–U+200D), U+2060, U+FEFF, variation selectors, and every other
    /// default-ignorable code point (soft hyphen, Hangul fillers, tag characters…).
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isWhitespace || properties.isDefaultIgnorableCodePoint || properties.isVariationSelector
            || (0x200B...0x200D).contains(scalar.value) || scalar.value == 0x2060 || scalar.value == 0xFEFF
            || scalar.value == 0x3164 || scalar.value == 0xFFA0 || scalar.value == 0x2800
    }
}
