import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault request ID --justification TEXT [--minutes N]`: ask for a time-boxed grant
/// (docs/contract.md §13).
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Ask for access to an entry whose policy needs approval; approvers then approve or deny.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var entry: EntryArgument
    @OptionGroup var actor: ActingUser
    @OptionGroup var reason: JustificationOption
    @Option(help: ArgumentHelp("How long the grant runs once approved, 1 to 1440 (default 60).", valueName: "n"))
    var minutes: Int = FieldLimits.defaultGrantMinutes

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let request = try await opened.requestAccess(
                try entry.resolve(), justification: reason.justification, minutes: minutes, as: user)
            print("Access request registered: \(request.identifier) (\(request.minutes) minutes once approved)")
        }
    }
}

/// `pwvault approve REQUEST` / `pwvault deny REQUEST`.
protocol DecisionCommand: AsyncParsableCommand {
    static var approving: Bool { get }
    var vault: VaultOptions { get }
    var request: String { get }
    var actor: ActingUser { get }
}

extension DecisionCommand {
    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            // Like the wire: what is not an identifier is simply not found.
            guard let id = AccessRequestID(request) else { throw CLIFailure.refused(VaultError.notFound.message) }
            let decided =
                Self.approving
                ? try await opened.approveRequest(id, as: user) : try await opened.denyRequest(id, as: user)
            print(Self.approving ? "Access request approved" : "Access request denied")
            printRequest(decided, now: opened.clock.now())
        }
    }
}

struct ApproveCommand: DecisionCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve another user's access request (owner or editor).")
    static let approving = true
    @OptionGroup var vault: VaultOptions
    @Argument(help: "The request's identifier (see `pwvault requests`).") var request: String
    @OptionGroup var actor: ActingUser
}

struct DenyCommand: DecisionCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny", abstract: "Deny another user's access request (owner or editor): one denial ends it.")
    static let approving = false
    @OptionGroup var vault: VaultOptions
    @Argument(help: "The request's identifier (see `pwvault requests`).") var request: String
    @OptionGroup var actor: ActingUser
}

/// `pwvault requests`: the requests --as may decide, and their own.
struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "List the access requests --as may decide, and --as's own.")
    @OptionGroup var vault: VaultOptions
    @OptionGroup var actor: ActingUser

    func run() async throws {
        try await runAs(vault, actor) { opened, user in
            let requests = try await opened.accessRequests(as: user)
            let now = opened.clock.now()
            var rows = [["ID", "ENTRY", "REQUESTER", "STATE", "APPROVALS", "MINUTES", "EXPIRES", "JUSTIFICATION"]]
            rows += requests.map { request in
                [
                    request.identifier.description, request.entry.description, request.requesterName,
                    request.state(at: now).rawValue, String(request.approvals.count), String(request.minutes),
                    request.expiresAt.flatMap { AuditTime($0).iso8601 } ?? "-", request.justification,
                ]
            }
            print(ListCommand().table(rows), terminator: "")
            if requests.isEmpty { printError("(no requests)") }
        }
    }
}

/// One request, as `approve` and `deny` print it.
func printRequest(_ request: AccessRequest, now: Date) {
    var line = "request \(request.identifier) on entry \(request.entry) by \(request.requesterName): "
    line += "\(request.state(at: now).rawValue), \(request.approvals.count) approval(s)"
    if let expires = request.expiresAt.flatMap({ AuditTime($0).iso8601 }) { line += ", grant until \(expires)" }
    print(line)
}
