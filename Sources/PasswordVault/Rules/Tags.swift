/// Tags (docs/contract.md §2): on the wire one string, `"tag1, tag2"`, split on commas,
/// trimmed, empties dropped, repeats dropped keeping the first; written back
/// joined by `", "`. An array of strings is accepted too. Repeats are found by comparing
/// Unicode scalars, as the seeds' Python backend does: "café" in NFC and in NFD are two tags.
public enum Tags {
    /// Splits the wire form into raw pieces (not yet trimmed or deduplicated).
    ///
    /// Commas are found among Unicode scalars, not `Character`s (as Python's `str.split`
    /// does): a comma that a combining mark follows (`",\u{301}"`) or a prepended mark
    /// precedes (`"\u{600},"`) is one `Character` with it, and splitting on `Character`s
    /// missed it. (Found by the tags' join/split property test.)
    public static func split(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
    }

    /// Trims, drops empty pieces and repeats (keeping the first). Idempotent.
    ///
    /// A repeat is the same sequence of Unicode scalars (docs/contract.md §2), not Swift's
    /// canonical equivalence: a tag is kept as sent, so its NFC and NFD spellings are two tags,
    /// as in Python. (Equal UTF-8 bytes are equal scalars.)
    public static func normalize(_ pieces: [String]) -> [String] {
        var seen = Set<[UInt8]>()
        var result: [String] = []
        for piece in pieces {
            let tag = piece.trimmedWhitespace
            if tag.isEmpty || !seen.insert(Array(tag.utf8)).inserted { continue }
            result.append(tag)
        }
        return result
    }

    /// The wire form: tags joined by `", "`.
    public static func join(_ tags: [String]) -> String {
        tags.joined(separator: ", ")
    }

    /// The change a request's `tags` asks for, checked: `""`, `null` or `[]` clears.
    static func change(_ input: Input<[String]>) throws(VaultError) -> FieldChange<[String]> {
        switch input {
        case .absent: return .keep
        case .null: return .clear
        case .invalid(let reason): throw .invalidParameter(field: "tags", reason: reason)
        case .value(let pieces):
            if let comma = pieces.firstIndex(where: { $0.unicodeScalars.contains(",") }) {
                // A piece with a comma can only come from an array item; it would not survive the wire form.
                throw .invalidParameter(field: "tags", reason: "tag \(comma + 1) contains a comma")
            }
            let tags = normalize(pieces)
            guard tags.count <= FieldLimits.tagCount else {
                throw .invalidParameter(field: "tags", reason: "must have at most \(FieldLimits.tagCount) tags")
            }
            for tag in tags {
                switch TextRule.violation(in: tag, limit: FieldLimits.tag, kind: .singleLine) {
                case nil: continue
                case .bidiControl:
                    throw .invalidParameter(
                        field: "tags", reason: "each tag must not contain bidirectional formatting characters")
                case .controlCharacter, .tooLong:
                    throw .invalidParameter(
                        field: "tags",
                        reason: "each tag must have at most \(FieldLimits.tag) characters and no control characters")
                }
            }
            return tags.isEmpty ? .clear : .set(tags)
        }
    }
}
