import ArgumentParser
import Foundation
import PasswordVault

/// The fields of `create` and `update` as flags; a flag not given is absent (left alone on update).
struct EntryFields: ParsableArguments {
    @Option(help: "The entry's name.") var name: String?
    @Option(help: "The account's username.") var username: String?
    @Option(
        help: ArgumentHelp(
            "The password. \(SecretInput.argumentWarning): prefer --password-file or the prompt (the default on create)."
        ))
    var password: String?
    @Option(
        name: .customLong("password-file"),
        help: ArgumentHelp("Read the password from the first line of this file, - for stdin.", valueName: "path"))
    var passwordFile: String?
    @Flag(help: "Generate a 20-character password instead of asking for one.") var generate = false
    @Option(help: "The URL or host (\"\" clears it).") var url: String?
    @Option(
        name: .customLong("secret-key"),
        help: ArgumentHelp(
            "A base32 TOTP seed or an otpauth:// URI (\"\" removes it). \(SecretInput.argumentWarning): prefer --secret-key-file."
        ))
    var secretKey: String?
    @Option(
        name: .customLong("secret-key-file"),
        help: ArgumentHelp(
            "Read the TOTP seed or URI from the first line of this file, - for stdin.", valueName: "path"))
    var secretKeyFile: String?
    @Option(
        help: ArgumentHelp("Notes (\"\" clears them). \(SecretInput.argumentWarning): prefer --notes-file."))
    var notes: String?
    @Option(
        name: .customLong("notes-file"),
        help: ArgumentHelp(
            "Read the notes from this file, all of it less one final line break; - for stdin.", valueName: "path"))
    var notesFile: String?
    @Option(help: "Tags, comma-separated (\"\" clears them).") var tags: String?
    @Option(
        name: .customLong("share-user"),
        help: ArgumentHelp(
            "Share with a user: NAME, NAME:edit, NAME:noreveal or NAME:edit:noreveal (repeat; replaces all user shares).",
            discussion: "noreveal: the user may list the entry and use its TOTP code, never see its secrets."))
    var shareUsers: [String] = []
    @Option(
        name: .customLong("share-group"),
        help:
            "Share with a group: NAME, NAME:edit, NAME:noreveal or NAME:edit:noreveal (repeat; replaces all group shares)."
    )
    var shareGroups: [String] = []
    @Flag(name: .customLong("unshare-users"), help: "Remove every user share.") var unshareUsers = false
    @Flag(name: .customLong("unshare-groups"), help: "Remove every group share.") var unshareGroups = false
    @Flag(
        name: .customLong("need-justify"), inversion: .prefixedNo,
        help: "Whether reads by anyone but the owner need a --justification (owner only).")
    var needJustify: Bool?
    @Option(
        name: .customLong("need-approval"),
        help: ArgumentHelp(
            "How many approvals (0 to 5) reads by anyone but the owner need (owner only).", valueName: "n"))
    var needApproval: Int?

    /// The request these flags describe; every secret read now (call it before opening the vault).
    func request(promptForPassword: Bool) throws -> PasswordRequest {
        for (argument, file, option) in [
            (password, passwordFile, "password"), (secretKey, secretKeyFile, "secret-key"), (notes, notesFile, "notes"),
        ] where argument != nil && file != nil {
            throw CLIFailure.usage("give --\(option) or --\(option)-file, not both")
        }
        if generate, password != nil || passwordFile != nil {
            throw CLIFailure.usage("give --generate or a password, not both")
        }
        try SecretInput.claimStandardInputOnce(passwordFile, secretKeyFile, notesFile)
        var request = PasswordRequest()
        request.name = name.map { .value($0) } ?? .absent
        request.username = username.map { .value($0) } ?? .absent
        if let password {
            request.password = .value(password)
        } else if let passwordFile {
            request.password = .value(try SecretInput.read(passwordFile, what: "password").revealUTF8() ?? "")
        } else if generate {
            let generated = try PasswordGenerator.generate(PasswordPolicy())
            request.password = .value(generated.revealUTF8() ?? "")
        } else if promptForPassword {
            let typed = try PassphraseSource.promptNoEcho(
                "Password: ",
                missing: "no password: give --password-file (- for stdin) or --generate, or run in a terminal")
            request.password = .value(typed.revealUTF8() ?? "")
        }
        request.url = url.map { .value($0) } ?? .absent
        if let secretKeyFile {
            request.secretKey = .value(try SecretInput.read(secretKeyFile, what: "secret key").revealUTF8() ?? "")
        } else {
            request.secretKey = secretKey.map { .value($0) } ?? .absent
        }
        if let notesFile {
            request.notes = .value(
                try SecretInput.read(notesFile, what: "notes", wholeContent: true).revealUTF8() ?? "")
        } else {
            request.notes = notes.map { .value($0) } ?? .absent
        }
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
        request.needJustify = needJustify.map { .value($0) } ?? .absent
        request.needApproval = needApproval.map { .value($0) } ?? .absent
        return request
    }

    /// `NAME` followed by any of `:edit`, `:view`, `:noreveal`, `:reveal` (the last of each pair
    /// wins): edit and reveal rights (docs/contract.md §13). Without modifiers, view and reveal.
    static func share(_ text: String) -> ShareRequest {
        var name = Substring(text)
        var canEdit: Bool?
        var canReveal: Bool?
        while let colon = name.lastIndex(of: ":") {
            switch name[name.index(after: colon)...] {
            case "edit": canEdit = canEdit ?? true
            case "view": canEdit = canEdit ?? false
            case "noreveal": canReveal = canReveal ?? false
            case "reveal": canReveal = canReveal ?? true
            default:
                return ShareRequest(
                    name: .value(String(name)), canEdit: .value(canEdit ?? false), canReveal: .value(canReveal ?? true))
            }
            name = name[..<colon]
        }
        return ShareRequest(
            name: .value(String(name)), canEdit: .value(canEdit ?? false), canReveal: .value(canReveal ?? true))
    }
}

/// `--justification`: why a read happens, for entries whose policy asks (docs/contract.md §13).
struct JustificationOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Why you read this entry: one line, at most 500 characters; required where the entry's policy asks.",
            valueName: "text"))
    var justification: String?
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
