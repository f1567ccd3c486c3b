/// Why a ``PasswordPolicy`` cannot be met. The generator refuses such a policy at once; it
/// never loops looking for a password that cannot exist.
public enum PasswordPolicyError: Error, Equatable, Sendable {
    /// The length is outside ``PasswordPolicy/lengthRange`` (4…1024).
    case lengthOutOfRange(Int)
    /// No character class is chosen.
    case noCharacterClass
    /// Every character of a chosen class is excluded, so it cannot be present.
    case everyCharacterExcluded(PasswordPolicy.CharacterClass)
}

extension PasswordPolicyError: CustomStringConvertible {
    /// A description that never shows secret material.
    public var description: String {
        switch self {
        case .lengthOutOfRange(let length):
            "the length must be from \(PasswordPolicy.lengthRange.lowerBound) to \(PasswordPolicy.lengthRange.upperBound), not \(length)"
        case .noCharacterClass:
            "choose at least one character class (lowercase, uppercase, digits, symbols)"
        case .everyCharacterExcluded(let characterClass):
            "every character of the \(characterClass.rawValue) class is excluded"
        }
    }
}
