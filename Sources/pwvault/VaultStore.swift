import Foundation
import PasswordVault
import PasswordVaultSQLite

/// The command line keeps its vault in SQLite (the `PasswordVaultSQLite` product).
enum VaultStore {
    /// Creates a new vault file; refuses an existing path.
    static func create(path: String) throws -> any VaultStorage {
        try SQLiteStorage.create(at: path)
    }

    /// Opens an existing vault file; refuses anything that is not one, leaving it untouched.
    static func open(path: String) throws -> any VaultStorage {
        try SQLiteStorage.open(at: path)
    }
}
