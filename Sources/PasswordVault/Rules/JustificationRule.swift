/// The rule for a justification (docs/contract.md §13): one line, at most 500 scalars, with the
/// single-line field's characters. Blank or absent means "none": a read the `need_justify`
/// policy binds is then refused with 1009.
enum JustificationRule {
    /// The justification as given, or `nil` for none (absent, empty or only white space).
    /// - Throws: 1002 (`justification`) for text that is over the limit or not one line.
    static func validated(_ text: String?) throws(VaultError) -> String? {
        guard let text, !text.isBlank else { return nil }
        try TextRule.check(text, field: "justification", limit: FieldLimits.justification, kind: .singleLine)
        return text
    }
}
