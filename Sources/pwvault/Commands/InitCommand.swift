import ArgumentParser
import Foundation
import PasswordVault
import PasswordVaultSQLite

/// `pwvault init`: a new vault file under a passphrase.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new vault file, sealed under a passphrase.")

    @OptionGroup var vault: VaultOptions

    @Option(help: "Argon2id cost: minimum (tests only), interactive, moderate or sensitive.")
    var cost: CostPreset = .moderate

    @Option(
        name: .customLong("history-depth"),
        help: ArgumentHelp("Old versions kept per entry, 0 to 100 (default 10).", valueName: "n"))
    var historyDepth = Vault.defaultHistoryDepth

    func validate() throws {
        guard Vault.historyDepthRange.contains(historyDepth) else {
            throw ValidationError("--history-depth must be 0 to 100, not \(historyDepth)")
        }
    }

    func run() async throws {
        try await runReporting {
            let location = try vault.location()
            if case .file(let path) = location, FileManager.default.fileExists(atPath: path),
                !SQLiteStorage.holdsInterruptedCreate(at: path)
            {
                throw CLIFailure.usage("\(path) already exists; choose another --vault path")
            }
            let passphrase = try vault.passphrase(isNew: true)
            let storage = try await VaultStore.create(location)
            _ = try await Vault.create(
                storage: storage, credential: .passphrase(passphrase), cost: cost.cost, historyDepth: historyDepth)
            print("Created vault \(location.displayName)")
        }
    }
}

/// The Argon2id presets, by name.
enum CostPreset: String, ExpressibleByArgument, CaseIterable {
    case minimum, interactive, moderate, sensitive

    var cost: KeyDerivationCost {
        switch self {
        case .minimum: .minimum
        case .interactive: .interactive
        case .moderate: .moderate
        case .sensitive: .sensitive
        }
    }
}
