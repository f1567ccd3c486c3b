import ArgumentParser
import PasswordVault

@main
struct PWVault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pwvault",
        abstract: "A password vault: passwords, TOTP seeds and notes, sealed at rest and shared with care.",
        version: PasswordVaultInfo.version,
        subcommands: [GenerateCommand.self])
}
