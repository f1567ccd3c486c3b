/// PasswordVault: an embeddable password-vault engine.
///
/// See the README and the DocC catalog for a tour.
public enum PasswordVaultInfo {
    /// The library's version.
    public static let version = "0.2.0"
}
