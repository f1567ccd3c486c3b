import ArgumentParser
import Foundation
import PasswordVault

/// The fields of `create` and `update` as flags; a flag not given is absent (left alone on update).
struct EntryFields: ParsableArguments {
    @Option(help: "The entry's name.") var name: String?
    @Option(help: "The account's username.") var username: String?
    @Option(help: "The password (default on create: a no-echo prompt; see also --generate).") var password: String?
    @Flag(help: "Generate a 20-character password instead of asking for one.") var generate = false
    @Option(help: "The URL or host (\"\" clears it).") var url: String?
    @Option(name: .customLong("secret-key"), help: "A base32 TOTP seed or an otpauth:// URI (\"\" removes it).")
    var secretKey: String?
    @Option(help: "Notes (\"\" clears them).") var notes: String?
    @Option(help: "Tags, comma-separated (\"\" clears them).") var tags: String?
    @Option(
        name: .customLong("share-user"),
        help: "Share with a user: NAME or NAME:edit (repeat; replaces all user shares).")
    var shareUsers: [String] = []
    @Option(
        name: .customLong("share-group"),
        help: "Share with a group: NAME or NAME:edit (repeat; replaces all group shares).")
    var shareGroups: [String] = []
    @Flag(name: .customLong("unshare-users"), help: "Remove every user share.") var unshareUsers = false
    @Flag(name: .customLong("unshare-groups"), help: "Remove every group share.") var unshareGroups = false

    /// The request these flags describe.
    func request(promptForPassword: Bool) throws -> PasswordRequest {
        var request = PasswordRequest()
        request.name = name.map { .value($0) } ?? .absent
        request.username = username.map { .value($0) } ?? .absent
        if let password {
            request.password = .value(password)
        } else if generate {
            let generated = try PasswordGenerator.generate(PasswordPolicy())
            request.password = .value(generated.revealUTF8() ?? "")
        } else if promptForPassword {
            let typed = try PassphraseSource.promptNoEcho("Password: ")
            request.password = .value(typed.revealUTF8() ?? "")
        }
        request.url = url.map { .value($0) } ?? .absent
        request.secretKey = secretKey.map { .value($0) } ?? .absent
        request.notes = notes.map { .value($0) } ?? .absent
        request.tags = tags.map { .value(Tags.split($0)) } ?? .absent
        if unshareUsers {
            request.usersAllowed = .value([])
        } else if !shareUsers.isEmpty {
            request.usersAllowed = .value(shareUsers.map(Self.share))
        }
        if unshareGroups {
            request.groupsAllowed = .value([])
        } else if !shareGroups.isEmpty {
            request.groupsAllowed = .value(shareGroups.map(Self.share))
        }
        return request
    }

    /// `NAME` or `NAME:edit`.
    static func share(_ text: String) -> ShareRequest {
        if text.hasSuffix(":edit") {
            return ShareRequest(name: .value(String(text.dropLast(5))), canEdit: true)
        }
        return ShareRequest(name: .value(text), canEdit: false)
    }
}

/// The identifier argument of the entry verbs.
struct EntryArgument: ParsableArguments {
    @Argument(help: "The entry's identifier.") var id: String

    func resolve() throws(CLIFailure) -> EntryID {
        // Like the wire: what is not an identifier is simply not found.
        guard let entry = EntryID(id) else { throw .refused(VaultError.notFound.message) }
        return entry
    }
}

/// Prints what a create or update did.
func report(_ result: WriteResult, verb: String) {
    print("\(verb) \(result.entity.identifier): \(result.entity.name)")
    for error in result.sharedErrors {
        printError("shared_error: \(error.kind.rawValue) \(error.name): \(error.reason.message)")
    }
}
