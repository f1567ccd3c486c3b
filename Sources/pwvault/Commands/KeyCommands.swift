import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault passwd`: a new passphrase; the data key is rewrapped, no entry is touched.
struct PasswdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract:
            "Change the vault's passphrase (the new one from $PWVAULT_NEW_PASSPHRASE, --new-passphrase-file, or a prompt)."
    )
    @OptionGroup var vault: VaultOptions
    @Option(
        name: .customLong("new-passphrase-file"),
        help: ArgumentHelp("Read the new passphrase from the first line of this file, - for stdin.", valueName: "path"))
    var newPassphraseFile: String?
    @Option(help: "Argon2id cost for the new passphrase (default: the vault's present cost).") var cost: CostPreset?

    func run() async throws {
        try await runReporting {
            try SecretInput.claimStandardInputOnce(vault.passphraseFile, newPassphraseFile)
            // Both passphrases are read before the vault is opened (docs/contract.md §9).
            let (opened, fresh) = try await vault.openVault {
                try PassphraseSource.read(
                    file: newPassphraseFile, variable: "PWVAULT_NEW_PASSPHRASE", prompt: "New passphrase: ",
                    confirm: true, refuseEmpty: true)
            }
            try await opened.changeCredential(to: .passphrase(fresh), cost: cost?.cost)
            print("Passphrase changed")
        }
    }
}

/// `pwvault rotate-key`: a new data key; every secret resealed, with a progress bar.
struct RotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Replace the data key and reseal every secret (safe to interrupt: run it again to finish).")
    @OptionGroup var vault: VaultOptions

    func run() async throws {
        try await runReporting {
            let opened = try await vault.openVault()
            let bar = ProgressBar()
            try await opened.rotateDataKey { progress in bar.show(progress) }
            bar.finish()
            print("Data key rotated")
        }
    }
}

/// A one-line progress bar on stderr.
final class ProgressBar: Sendable {
    func show(_ progress: RotationProgress) {
        let total = max(progress.total, 1)
        // Redraw at most every 1% and at the end.
        guard progress.examined == progress.total || progress.examined % max(total / 100, 1) == 0 else { return }
        let filled = 30 * min(progress.examined, total) / total
        let line =
            "\r[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
            + "] \(progress.examined)/\(progress.total) entries, \(progress.resealed) resealed"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
