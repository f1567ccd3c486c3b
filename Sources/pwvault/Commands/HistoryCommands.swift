import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault history ID`: the entry's versions, newest first (docs/contract.md §11). No secret.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List an entry's versions, newest first (owner and editors; no secret is shown).")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
    @OptionGroup var reason: JustificationOption

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let versions = try await opened.history(
                try entry.resolve(), justification: reason.justification, as: user)
            var rows = [["VERSION", "CHANGED AT", "BY", "CHANGED", "NAME", "USERNAME", "URL", "TAGS"]]
            rows += versions.map { version in
                let e = version.entity
                return [
                    String(version.version) + (version.isCurrent ? " (current)" : ""),
                    AuditTime(e.updatedAt).iso8601 ?? "-", version.changedBy?.username ?? "#\(e.changedBy)",
                    e.changedFields.names.joined(separator: ","), e.name, e.username, e.url, Tags.join(e.tags),
                ]
            }
            print(ListCommand().table(rows), terminator: "")
        }
    }
}

/// `pwvault restore ID VERSION`: a new version with that version's content.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Write a new version of an entry with an earlier version's content (shares stay as they are).")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @Argument(help: "The version to restore (see `pwvault history`).") var version: UInt64
    @OptionGroup var actor: ActingUser

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let result = try await opened.restore(try entry.resolve(), version: version, as: user)
            print(
                "Restored \(result.entity.identifier) to the content of version \(version): now version \(result.entity.revision)"
            )
        }
    }
}

/// `pwvault history-depth [N]`: the vault's history depth, shown or set (docs/contract.md §11).
struct HistoryDepthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history-depth",
        abstract:
            "Show the number of old versions each entry keeps, or set it (0 to 100; lower purges at the next write).")
    @OptionGroup var vault: VaultOptions
    @Argument(help: "The new depth, 0 to 100.") var depth: Int?

    func validate() throws {
        if let depth, !Vault.historyDepthRange.contains(depth) {
            throw ValidationError("the history depth must be 0 to 100, not \(depth)")
        }
    }

    func run() async throws {
        try await runReporting {
            let opened = try await vault.openVault()
            if let depth {
                try await opened.setHistoryDepth(depth)
                print("History depth set to \(depth)")
            } else {
                print(opened.historyDepth)
            }
        }
    }
}
