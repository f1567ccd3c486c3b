import ArgumentParser
import PasswordVault

@main
struct PWVault: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pwvault",
        abstract: "A password vault: passwords, TOTP seeds and notes, sealed at rest and shared with care.",
        version: PasswordVaultInfo.version,
        subcommands: [
            InitCommand.self, DemoCommand.self, UserCommand.self, GroupCommand.self, APICommand.self,
            CreateCommand.self, UpdateCommand.self, GetCommand.self, ListCommand.self, RevealCommand.self,
            TOTPCommand.self, DisableCommand.self, EnableCommand.self, DeleteCommand.self, CodeCommand.self,
            GenerateCommand.self, PasswdCommand.self, RotateKeyCommand.self, HistoryCommand.self,
            RestoreCommand.self, HistoryDepthCommand.self, AuditCommand.self, RequestCommand.self,
            ApproveCommand.self, DenyCommand.self, RequestsCommand.self, ImportCommand.self, ExportCommand.self,
            ClientCommand.self,
        ])
}
