import PasswordVault

/// The SQLite storage adapter of PasswordVault, built on GRDB.
public enum PasswordVaultSQLite {
    /// The engine version this adapter was built with.
    public static var engineVersion: String { PasswordVaultInfo.version }
}
