import Foundation
import PasswordVault
import PasswordVaultSQLite

/// The command line keeps its vault in SQLite (the `PasswordVaultSQLite` product).
enum VaultStore {
    /// Creates a new vault file; refuses an existing path.
    static func create(path: String) throws -> any VaultStorage {
        try SQLiteStorage.create(at: path)
    }

    /// Whether `path` holds what an interrupted `init` left (a vault file without a header and
    /// with nothing in it), which `init` replaces.
    static func holdsInterruptedInit(path: String) -> Bool {
        SQLiteStorage.holdsInterruptedCreate(at: path)
    }

    /// Opens an existing vault file; refuses anything that is not one, leaving it untouched.
    static func open(path: String) throws -> any VaultStorage {
        try SQLiteStorage.open(at: path)
    }
}
