import ArgumentParser
import Foundation
import PasswordVault

/// The options every vault command shares: where the vault is and how to unlock it.
struct VaultOptions: ParsableArguments {
    @Option(
        name: .customLong("vault"),
        help: ArgumentHelp(
            "The vault file, or a PostgreSQL database as postgres://USER@HOST:PORT/DB (default: $PWVAULT_PATH, else ./vault.db).",
            valueName: "path|url"))
    var path: String?

    @Option(
        name: .customLong("db-password-file"),
        help: ArgumentHelp(
            "For a postgres:// vault: read the database password from the first line of this file (default: $PGPASSWORD).",
            valueName: "path"))
    var databasePasswordFile: String?

    @Option(
        name: .customLong("passphrase-file"),
        help: ArgumentHelp(
            "Read the passphrase from the first line of this file, - for stdin (default: $PWVAULT_PASSPHRASE, else a prompt).",
            valueName: "path"))
    var passphraseFile: String?

    /// The vault file's path.
    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["PWVAULT_PATH"] ?? "./vault.db"
    }

    /// Where the vault is: the file, or the PostgreSQL database with its password (from
    /// `--db-password-file`, else `$PGPASSWORD`, else none).
    func location() throws(CLIFailure) -> VaultLocation {
        try VaultLocation(resolvedPath) { () throws(CLIFailure) -> String? in
            if let file = databasePasswordFile {
                try SecretInput.claimStandardInputOnce(file, passphraseFile)
                return try SecretInput.read(file, what: "database password").withUnsafeBytes {
                    String(decoding: $0, as: UTF8.self)
                }
            }
            return ProcessInfo.processInfo.environment["PGPASSWORD"]
        }
    }

    /// The passphrase, from the file, the environment or a prompt; `isNew`: asked twice, not empty.
    func passphrase(isNew: Bool = false) throws(CLIFailure) -> SecretBytes {
        try PassphraseSource.read(
            file: passphraseFile, variable: "PWVAULT_PASSPHRASE",
            prompt: "Passphrase for \(try location().displayName): ", confirm: isNew, refuseEmpty: isNew)
    }

    /// Opens the existing vault.
    func openVault() async throws -> Vault {
        try await openVault(gathering: {}).vault
    }

    /// Opens the existing vault after every secret has been read: the passphrase, then
    /// whatever `gather` asks for (a password prompt, a file, stdin). Nothing is prompted for
    /// once the vault's keys are read, so a write seals under the keys that are current then.
    func openVault<Gathered>(
        gathering gather: () throws -> Gathered
    ) async throws -> (vault: Vault, gathered: Gathered) {
        let location = try location()
        if case .file(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw CLIFailure.usage("no vault at \(path): create one with `pwvault init`")
        }
        let passphrase = try passphrase()
        let gathered = try gather()
        do {
            let storage = try await VaultStore.open(location)
            return (try await Vault.open(storage: storage, credential: .passphrase(passphrase)), gathered)
        } catch {
            throw CLIFailure.from(error)
        }
    }
}

/// The acting user of a command.
struct ActingUser: ParsableArguments {
    @Option(name: .customLong("as"), help: ArgumentHelp("The username acting.", valueName: "user"))
    var username: String

    /// The user, looked up in the vault's directory.
    func resolve(in vault: Vault) async throws(CLIFailure) -> User {
        let found: User?
        do {
            found = try await vault.user(named: username)
        } catch {
            throw CLIFailure.from(error)
        }
        guard let user = found else {
            throw .usage("unknown user \(NameRule.quoted(username)): add it with `pwvault user add`")
        }
        return user
    }
}

/// Runs a command body, turning every failure into its message and exit status.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let failure = CLIFailure.from(error)
        printError(failure.message)
        throw ExitCode(failure.status)
    }
}

/// Opens the vault (after `gather` has read every secret), resolves the acting user, and runs
/// `body` with them, reporting any failure.
func runAs<Gathered>(
    _ vault: VaultOptions, _ actor: ActingUser, gathering gather: () throws -> Gathered,
    _ body: (Vault, User, Gathered) async throws -> Void
) async throws {
    try await runReporting {
        let (opened, gathered) = try await vault.openVault(gathering: gather)
        try await body(opened, try await actor.resolve(in: opened), gathered)
    }
}

/// Opens the vault, resolves the acting user, and runs `body` with both, reporting any failure.
func runAs(
    _ vault: VaultOptions, _ actor: ActingUser, _ body: (Vault, User) async throws -> Void
) async throws {
    try await runAs(vault, actor, gathering: {}) { opened, user, _ in try await body(opened, user) }
}
