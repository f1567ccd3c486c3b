extension PasswordPolicy {
    /// The character classes a password draws from, all printable ASCII without the space.
    public enum CharacterClass: String, Sendable, CaseIterable {
        /// `a`–`z`, 26 characters.
        case lowercase
        /// `A`–`Z`, 26 characters.
        case uppercase
        /// `0`–`9`, 10 characters.
        case digits
        /// The 32 ASCII punctuation characters: every printable ASCII character that is not a letter, a digit or a space.
        case symbols

        /// The class's characters, in ASCII order.
        public var characters: [Character] {
            switch self {
            case .lowercase: Self.ascii(0x61...0x7A)
            case .uppercase: Self.ascii(0x41...0x5A)
            case .digits: Self.ascii(0x30...0x39)
            case .symbols:
                Self.ascii(0x21...0x2F) + Self.ascii(0x3A...0x40) + Self.ascii(0x5B...0x60) + Self.ascii(0x7B...0x7E)
            }
        }

        private static func ascii(_ codes: ClosedRange<UInt8>) -> [Character] {
            codes.map { Character(Unicode.Scalar($0)) }
        }
    }
}
