import Foundation
import PasswordVault
import PasswordVaultPostgres
import PasswordVaultSQLite

/// Where the command line keeps its vault: an SQLite file (the `PasswordVaultSQLite` product, the
/// embedded default) or a PostgreSQL database named by a `postgres://USER@HOST:PORT/DB` URL (the
/// `PasswordVaultPostgres` product, docs/contract.md §14).
enum VaultLocation {
    case file(String)
    case postgres(PostgresConfiguration)

    /// `--vault`'s value: a URL with the `postgres` or `postgresql` scheme, else a file path.
    /// `password` is the database role's password, if any (never part of the URL).
    init(_ text: String, password: () throws(CLIFailure) -> String?) throws(CLIFailure) {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") else {
            self = .file(text)
            return
        }
        var configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(url: text)
        } catch {
            throw .usage(error.description)
        }
        configuration.password = try password()
        self = .postgres(configuration)
    }

    /// How messages and prompts name it: the path, or the URL without a password.
    var displayName: String {
        switch self {
        case .file(let path): path
        case .postgres(let configuration): configuration.description
        }
    }
}

enum VaultStore {
    /// Makes the store of a new vault: a new SQLite file (refusing an existing path, but for the
    /// leftover of an interrupted `init`), or a PostgreSQL database that holds no vault yet.
    static func create(_ location: VaultLocation) async throws -> any VaultStorage {
        switch location {
        case .file(let path):
            // The leftover of an interrupted init (no header, nothing in it) is replaced.
            guard !FileManager.default.fileExists(atPath: path) || SQLiteStorage.holdsInterruptedCreate(at: path)
            else { throw CLIFailure.usage("\(path) already exists; choose another --vault path") }
            return try SQLiteStorage.create(at: path)
        case .postgres(let configuration):
            let storage = try await PostgresStorage.open(configuration)
            guard try await storage.readHeader() == nil else {
                await storage.close()
                throw CLIFailure.usage("\(configuration) already holds a vault")
            }
            return storage
        }
    }

    /// Opens an existing vault's store; refuses anything that is not one, leaving it untouched.
    static func open(_ location: VaultLocation) async throws -> any VaultStorage {
        switch location {
        case .file(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIFailure.usage("no vault at \(path): create one with `pwvault init`")
            }
            return try SQLiteStorage.open(at: path)
        case .postgres(let configuration):
            let storage = try await PostgresStorage.open(configuration)
            guard try await storage.readHeader() != nil else {
                await storage.close()
                throw CLIFailure.usage("no vault in \(configuration): create one with `pwvault init`")
            }
            return storage
        }
    }
}
