/// What a generated password is made of (docs/contract.md §10): its length, the character classes it
/// draws from — each chosen class present at least once — and characters left out.
///
/// ```swift
/// var policy = PasswordPolicy(length: 24)
/// policy.symbols = false
/// policy.excludeLookAlikes = true
/// try policy.validate()
/// policy.entropyBits      // ≈ 139.26
/// ```
public struct PasswordPolicy: Sendable, Equatable {
    /// The lengths a policy allows. The shortest equals the number of character classes, so a
    /// valid length always has room for one character of each chosen class.
    public static let lengthRange: ClosedRange<Int> = CharacterClass.allCases.count...1024

    /// Characters easily mistaken for one another: `0 O o 1 l I |`.
    public static let lookAlikes: Set<Character> = ["0", "O", "o", "1", "l", "I", "|"]

    /// The number of characters, 4…1024; 20 by default.
    public var length: Int
    /// Draw from `a`–`z`.
    public var lowercase: Bool
    /// Draw from `A`–`Z`.
    public var uppercase: Bool
    /// Draw from `0`–`9`.
    public var digits: Bool
    /// Draw from the 32 ASCII symbols (see ``CharacterClass/symbols``).
    public var symbols: Bool
    /// Leave out ``lookAlikes``.
    public var excludeLookAlikes: Bool
    /// Further characters to leave out.
    public var excludedCharacters: Set<Character>

    /// A policy; by default 20 characters from all four classes, nothing excluded.
    public init(
        length: Int = 20, lowercase: Bool = true, uppercase: Bool = true, digits: Bool = true, symbols: Bool = true,
        excludeLookAlikes: Bool = false, excludedCharacters: Set<Character> = []
    ) {
        self.length = length
        self.lowercase = lowercase
        self.uppercase = uppercase
        self.digits = digits
        self.symbols = symbols
        self.excludeLookAlikes = excludeLookAlikes
        self.excludedCharacters = excludedCharacters
    }

    /// The chosen classes, in the order lower case, upper case, digits, symbols.
    public var chosenClasses: [CharacterClass] {
        CharacterClass.allCases.filter { characterClass in
            switch characterClass {
            case .lowercase: lowercase
            case .uppercase: uppercase
            case .digits: digits
            case .symbols: symbols
            }
        }
    }

    /// The characters of `characterClass` that this policy keeps (after the exclusions).
    public func characters(of characterClass: CharacterClass) -> [Character] {
        characterClass.characters.filter { !isExcluded($0) }
    }

    /// Every character a password may hold: the chosen classes after the exclusions, in order.
    public var alphabet: [Character] { chosenClasses.flatMap { characters(of: $0) } }

    /// Checks that the policy can be met.
    /// - Throws: ``PasswordPolicyError/lengthOutOfRange(_:)``, ``PasswordPolicyError/noCharacterClass``,
    ///   or ``PasswordPolicyError/everyCharacterExcluded(_:)`` for the first chosen class emptied.
    public func validate() throws(PasswordPolicyError) {
        guard Self.lengthRange.contains(length) else { throw .lengthOutOfRange(length) }
        guard !chosenClasses.isEmpty else { throw .noCharacterClass }
        if let emptied = chosenClasses.first(where: { characters(of: $0).isEmpty }) {
            throw .everyCharacterExcluded(emptied)
        }
    }

    /// The ASCII codes of each chosen class after the exclusions, in order: what the
    /// generator draws from.
    var classAlphabets: [[UInt8]] { chosenClasses.map { characters(of: $0).map { $0.asciiValue! } } }

    private func isExcluded(_ character: Character) -> Bool {
        (excludeLookAlikes && Self.lookAlikes.contains(character)) || excludedCharacters.contains(character)
    }
}
