import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault create`.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an entry owned by --as.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var actor: ActingUser
    @OptionGroup var fields: EntryFields

    func run() async throws {
        try await runReporting {
            try SecretInput.claimStandardInputOnce(
                vault.passphraseFile, fields.passwordFile, fields.secretKeyFile, fields.notesFile)
        }
        try await runAs(vault, actor, gathering: { try fields.request(promptForPassword: true) }) {
            opened, user, request in
            report(try await opened.create(request, as: user), verb: "Created")
        }
    }
}

/// `pwvault update ID`.
struct UpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Update an entry: only the fields given change.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
    @OptionGroup var fields: EntryFields

    func run() async throws {
        try await runReporting {
            try SecretInput.claimStandardInputOnce(
                vault.passphraseFile, fields.passwordFile, fields.secretKeyFile, fields.notesFile)
        }
        try await runAs(vault, actor, gathering: { try fields.request(promptForPassword: false) }) {
            opened, user, request in
            report(try await opened.update(try entry.resolve(), request, as: user), verb: "Updated")
        }
    }
}

/// `pwvault get ID`: the metadata, no secret.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Show an entry's metadata (no secret).")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let id = try entry.resolve()
            let e = try await opened.entity(id, as: user)
            let rights = try await opened.effectiveRights(of: id, for: user)
            let owner = try await opened.user(id: e.owner)?.username ?? "#\(e.owner)"
            let rows: [(String, String)] = [
                ("identifier", e.identifier.description), ("name", e.name), ("username", e.username), ("url", e.url),
                ("tags", Tags.join(e.tags)), ("owner", owner), ("your role", rights?.description ?? "none"),
                (
                    "users",
                    e.usersAllowed.map { $0.username + Self.rights($0.canEdit, $0.canReveal) }.joined(separator: ", ")
                ),
                (
                    "groups",
                    e.groupsAllowed.map { $0.name + Self.rights($0.canEdit, $0.canReveal) }.joined(separator: ", ")
                ),
                ("justify", e.needJustify ? "required" : "no"),
                ("approvals", e.needApproval == 0 ? "none" : String(e.needApproval)),
                ("rotate", e.needsRotation ? "yes: someone who saw the password has lost access" : "no"),
                ("active", e.isActive ? "yes" : "no"), ("totp", e.hasSecretKey ? "yes" : "no"),
                ("notes", e.hasNotes ? "yes" : "no"), ("version", String(e.revision)),
                ("created", ISO8601DateFormatter().string(from: e.createdAt)),
                ("updated", ISO8601DateFormatter().string(from: e.updatedAt)),
            ]
            for (label, value) in rows {
                print("\(label.padding(toLength: 10, withPad: " ", startingAt: 0))  \(value)")
            }
        }
    }

    /// ` (edit)`, ` (noreveal)`, ` (edit, noreveal)` or nothing.
    static func rights(_ canEdit: Bool, _ canReveal: Bool) -> String {
        let words = (canEdit ? ["edit"] : []) + (canReveal ? [] : ["noreveal"])
        return words.isEmpty ? "" : " (\(words.joined(separator: ", ")))"
    }
}

/// `pwvault list`: a readable table.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the entries --as may see.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var actor: ActingUser
    @Option(help: "Only entries with this tag.") var tag: String?
    @Option(help: "Only entries whose name contains this.") var name: String?
    @Option(help: "Only entries whose username contains this.") var username: String?
    @Option(help: "Only entries whose URL contains this.") var url: String?
    @Flag(name: .customLong("include-disabled"), help: "List disabled entries too.") var includeDisabled = false

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let items = try await opened.list(
                ListFilter(tag: tag, name: name, username: username, url: url), includeDisabled: includeDisabled,
                as: user)
            // The POLICY column (docs/contract.md §13) only when some entry has something to show
            // in it, so that a vault without policies lists as it always did.
            let policies = items.map { item in
                (item.needJustify ? ["justify"] : []) + (item.needApproval ? ["approval"] : [])
                    + (item.needsRotation ? ["rotate"] : [])
            }
            let showsPolicy = policies.contains { !$0.isEmpty }
            var rows = [["ID", "NAME", "USERNAME", "URL", "TAGS", "ROLE", "ACTIVE"] + (showsPolicy ? ["POLICY"] : [])]
            rows += zip(items, policies).map { item, policy in
                let e = item.entity
                return [
                    e.identifier.description, e.name, e.username, e.url, Tags.join(e.tags),
                    item.role.description + (item.canReveal ? "" : ", noreveal"), e.isActive ? "yes" : "no",
                ] + (showsPolicy ? [policy.isEmpty ? "-" : policy.joined(separator: ",")] : [])
            }
            print(table(rows), terminator: "")
            if items.isEmpty { printError("(no entries)") }
        }
    }

    /// Left-aligned columns, two spaces apart.
    func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

/// `pwvault reveal ID`: the password (or another secret) alone on stdout.
struct RevealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reveal", abstract: "Print an entry's password (or its notes or TOTP seed) on stdout.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
    @Option(help: "password, notes or secret-key.") var field: RevealedField = .password
    @Option(
        name: .customLong("at-version"),
        help: ArgumentHelp("Reveal this earlier version's secret (owner and editors).", valueName: "n"))
    var atVersion: UInt64?
    @OptionGroup var reason: JustificationOption

    enum RevealedField: String, ExpressibleByArgument, CaseIterable {
        case password, notes
        case secretKey = "secret-key"
    }

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let id = try entry.resolve()
            if let atVersion {
                let version = try await opened.revealVersion(
                    id, version: atVersion, justification: reason.justification, as: user)
                switch field {
                case .password: print(version.password?.revealUTF8() ?? "")
                case .notes: print(version.notes?.revealUTF8() ?? "")
                case .secretKey:
                    // The same text as GET one and the current reveal (docs/contract.md §8, §16).
                    guard let text = version.secretKeyText else { return }
                    print(text.revealUTF8() ?? "")
                }
                return
            }
            switch field {
            case .password:
                print(
                    try await opened.revealPassword(id, justification: reason.justification, as: user).revealUTF8()
                        ?? "")
            case .notes:
                print(
                    try await opened.revealNotes(id, justification: reason.justification, as: user)?.revealUTF8() ?? "")
            case .secretKey:
                // The same text as the wire's get-one answer (docs/contract.md §8, §16).
                guard
                    let text = try await opened.revealSecretKeyText(
                        id, justification: reason.justification, as: user)
                else { return }
                print(text.revealUTF8() ?? "")
            }
        }
    }
}

/// `pwvault totp ID`: the current code.
struct TOTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totp", abstract: "Print an entry's current TOTP code.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
    @Option(help: ArgumentHelp("The Unix time to compute the code for (default: now).", valueName: "unix"))
    var time: Int64?
    @OptionGroup var reason: JustificationOption

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let date = time.map { Date(timeIntervalSince1970: TimeInterval($0)) }
            guard
                let code = try await opened.code(
                    try entry.resolve(), at: date, justification: reason.justification, as: user)
            else {
                throw CLIFailure.refused("pwvault: the entry has no TOTP seed")
            }
            print(code)
        }
    }
}

/// `pwvault disable ID` / `enable ID` / `delete ID`: one shape, three actions.
protocol EntryStateCommand: AsyncParsableCommand {
    static var action: StateAction { get }
    var vault: VaultOptions { get }
    var entry: EntryArgument { get }
    var actor: ActingUser { get }
}

extension EntryStateCommand {
    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let id = try entry.resolve()
            switch Self.action {
            case .disable:
                let change = try await opened.disable(id, as: user)
                print(
                    change == .changed ? "Password successfully deactivated" : "Password has already been deactivated")
            case .enable:
                let change = try await opened.enable(id, as: user)
                print(change == .changed ? "Password successfully activated" : "Password has already been activated")
            case .delete:
                try await opened.delete(id, as: user)
                print("Password successfully deleted")
            }
        }
    }
}

enum StateAction { case disable, enable, delete }

struct DisableCommand: EntryStateCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an entry (owner or editor).")
    static let action = StateAction.disable
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
}

struct EnableCommand: EntryStateCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Enable a disabled entry (owner or editor).")
    static let action = StateAction.enable
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
}

struct DeleteCommand: EntryStateCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an entry (owner only).")
    static let action = StateAction.delete
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
}
