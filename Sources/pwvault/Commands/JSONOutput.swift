import ArgumentParser
import Foundation
import PasswordVault

/// `--json` on the commands that read (docs/contract.md §9): JSON Lines, one object a line, as
/// `pwvault audit --json` writes; `get` writes one line. Field names are the wire's where the
/// wire has one (docs/contract.md §8, §11, §13); never a secret.
struct JSONFlag: ParsableArguments {
    @Flag(help: "One JSON object per line (docs/contract.md §9), never a secret.") var json = false
}

/// The objects `--json` prints, one per line.
enum JSONOutput {
    /// Prints each value on its own line (nothing at all for none).
    static func printLines(_ values: [JSONValue]) {
        var text = ""
        for value in values { text += value.text + "\n" }
        print(text, terminator: "")
    }

    /// A time as the audit export writes it: UTC, milliseconds, `Z`.
    static func time(_ date: Date) -> JSONValue { .string(AuditTime(date).iso8601) }

    /// `list --json`: the wire's list item (docs/contract.md §8), the entry's policies as values
    /// (`need_justify` boolean, `need_approval` integer: they bind everyone but the owner), the
    /// caller's role, and `needs_rotation` and `is_active` always present.
    static func listed(_ item: ListedEntry) -> JSONValue {
        let e = item.entity
        return .object(
            metadata(e) + [
                ("need_justify", .bool(e.needJustify)), ("need_approval", .int(e.needApproval)),
                ("needs_rotation", .bool(e.needsRotation)), ("role", .string(item.role.description)),
                ("can_view", .bool(item.canReveal)), ("can_write", .bool(item.role.permits(.update))),
                ("is_active", .bool(e.isActive)),
            ])
    }

    /// `get --json`: the metadata, the shares with `can_edit` and `can_reveal`, the policies, and
    /// whether a seed and notes exist — never their values.
    static func entity(_ e: PasswordEntity, rights: EntryRights?, owner: User?) -> JSONValue {
        let users = e.usersAllowed.map { share in
            JSONValue.object([
                ("username", .string(share.username)), ("can_edit", .bool(share.canEdit)),
                ("can_reveal", .bool(share.canReveal)),
            ])
        }
        let groups = e.groupsAllowed.map { share in
            JSONValue.object([
                ("name", .string(share.name)), ("can_edit", .bool(share.canEdit)),
                ("can_reveal", .bool(share.canReveal)),
            ])
        }
        let role: [(String, JSONValue)] = [
            ("role", .string(rights?.role.description)), ("can_view", rights.map { .bool($0.canReveal) } ?? .null),
            ("can_write", rights.map { .bool($0.role.permits(.update)) } ?? .null),
        ]
        let ownerObject = JSONValue.object([
            ("id", .number(String(e.owner.rawValue))), ("username", .string(owner?.username)),
        ])
        return .object(
            metadata(e) + [("owner", ownerObject)] + role + [
                ("users_allowed", .array(users)), ("groups_allowed", .array(groups)),
                ("need_justify", .bool(e.needJustify)), ("need_approval", .int(e.needApproval)),
                ("needs_rotation", .bool(e.needsRotation)), ("is_active", .bool(e.isActive)),
                ("has_secret_key", .bool(e.hasSecretKey)), ("has_notes", .bool(e.hasNotes)),
                ("version", .number(String(e.revision))), ("created_at", time(e.createdAt)),
                ("updated_at", time(e.updatedAt)),
            ])
    }

    /// `history --json`: the wire's `password_history` item (docs/contract.md §11).
    static func version(_ version: EntryVersion) -> JSONValue {
        let e = version.entity
        return .object([
            ("version", .number(String(version.version))), ("current", .bool(version.isCurrent)),
            ("changed_at", time(e.updatedAt)), ("changed_by", .string(version.changedBy?.username)),
            ("changed_fields", .array(e.changedFields.names.map { .string($0) })), ("name", .string(e.name)),
            ("username", .string(e.username)), ("url", .string(e.url)), ("tags", .string(Tags.join(e.tags))),
        ])
    }

    /// `requests --json`: the wire's `access_request` (docs/contract.md §13), its state as of `now`.
    static func request(_ request: AccessRequest, now: Date) -> JSONValue {
        .object([
            ("identifier", .string(request.identifier.description)),
            ("password_identifier", .string(request.entry.description)),
            ("requester", .string(request.requesterName)), ("justification", .string(request.justification)),
            ("minutes", .int(request.minutes)), ("state", .string(request.state(at: now).rawValue)),
            ("approvals", .int(request.approvals.count)), ("created_at", time(request.createdAt)),
            ("expires_at", request.expiresAt.map(time) ?? .null),
        ])
    }

    /// `user list --json`: a user as the audit export names an actor (docs/contract.md §12).
    static func user(_ user: User) -> JSONValue {
        .object([("id", .number(String(user.id.rawValue))), ("username", .string(user.username))])
    }

    /// `group list --json`: the name and the members' usernames, sorted.
    static func group(_ group: Group) -> JSONValue {
        .object([("name", .string(group.name)), ("members", .array(group.members.sorted().map { .string($0) }))])
    }

    /// The wire's first keys of an entry: `identifier` (a string), `name`, `url`, `username`, `tags`.
    private static func metadata(_ e: PasswordEntity) -> [(String, JSONValue)] {
        [
            ("identifier", .string(e.identifier.description)), ("name", .string(e.name)), ("url", .string(e.url)),
            ("username", .string(e.username)), ("tags", .string(Tags.join(e.tags))),
        ]
    }
}
