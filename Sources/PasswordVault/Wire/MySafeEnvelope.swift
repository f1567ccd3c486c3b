import Foundation

/// The MySafe answer bodies, field for field as the seeds print them.
enum MySafeEnvelope {
    /// The `response` object of every answer.
    static func response(status: Int, message: String, error: Bool) -> JSONValue {
        .object([
            ("status", .int(status)),
            ("message", .string(message)),
            ("error", .bool(error)),
            ("error_code", .int(error ? 1 : 0)),
            ("detail", .string("")),
            ("mensagem", .string(message)),
            ("erro", .bool(error)),
            ("cod_erro", .int(error ? 1 : 0)),
        ])
    }

    /// A success: `code`, `response`, then the payload members.
    static func success(status: Int, message: String, _ payload: [(String, JSONValue)] = []) -> WireResponse {
        let members: [(String, JSONValue)] =
            [("code", .int(status)), ("response", response(status: status, message: message, error: false))]
            + payload
        return WireResponse(status: status, json: .object(members))
    }

    /// A refusal from the catalogue: 400 with `exception`, or 500 "Unexpected error.".
    static func failure(_ error: VaultError) -> WireResponse {
        refusal(status: error.code == 500 ? 500 : 400, code: error.code, message: error.message)
    }

    /// A refusal in the catalogue's envelope: `code`, `response`, then `exception` {code, message, detail}.
    static func refusal(status: Int, code: Int, message: String) -> WireResponse {
        WireResponse(
            status: status,
            json: .object([
                ("code", .int(status)),
                ("response", response(status: status, message: message, error: true)),
                ("exception", .object([("code", .int(code)), ("message", .string(message)), ("detail", .null)])),
            ]))
    }

    /// 1000, the wire's own refusal: the body does not parse, or is not a JSON object
    /// (docs/contract.md §3). The engine never sees such a body, so the code is not in ``VaultError``.
    static let invalidJSON = refusal(status: 400, code: 1000, message: "1000: Request body is not valid JSON")

    /// 413, a body over the handler's limit (docs/contract.md §8), in the catalogue's envelope
    /// with `exception.code` 413 (as a 500 carries 500).
    static func tooLarge(limit: Int) -> WireResponse {
        refusal(status: 413, code: 413, message: tooLargeMessage(limit: limit))
    }

    /// The 413 message, the same on every route: it names the limit, never the body.
    static func tooLargeMessage(limit: Int) -> String {
        "Request body is too large (at most \(limit) bytes)"
    }

    /// The gateway's answer to a path or method no route serves.
    static let noRoute = WireResponse(
        status: 404, json: .object([("message", .string("No route matched with those values."))]))

    // MARK: Payloads

    /// `users_allowed` and `groups_allowed`; `can_reveal` is echoed only where it is false, so
    /// that the seeds' answers stay as printed (docs/contract.md §13).
    static func shares(_ entity: PasswordEntity) -> [(String, JSONValue)] {
        func item(_ key: String, _ name: String, canEdit: Bool, canReveal: Bool) -> JSONValue {
            .object(
                [(key, .string(name)), ("can_edit", .bool(canEdit))] + (canReveal ? [] : [("can_reveal", .bool(false))])
            )
        }
        return [
            (
                "users_allowed",
                .array(
                    entity.usersAllowed.map {
                        item("username", $0.username, canEdit: $0.canEdit, canReveal: $0.canReveal)
                    }
                )
            ),
            (
                "groups_allowed",
                .array(entity.groupsAllowed.map { item("name", $0.name, canEdit: $0.canEdit, canReveal: $0.canReveal) })
            ),
        ]
    }

    /// The entry's policies and rotation flag (docs/contract.md §13), only where one is on: an
    /// entry without them answers exactly as the seeds print.
    static func policies(_ entity: PasswordEntity) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if entity.hasPolicy {
            members.append(("need_justify", .bool(entity.needJustify)))
            members.append(("need_approval", .int(entity.needApproval)))
        }
        if entity.needsRotation { members.append(("needs_rotation", .bool(true))) }
        return members
    }

    /// `password_entity` of the create and update answers (never the password or the seed).
    static func written(_ result: WriteResult) -> JSONValue {
        let entity = result.entity
        return .object(
            [
                ("identifier", .string(entity.identifier.description)),
                ("name", .string(entity.name)),
                ("url", .string(entity.url)),
                ("username", .string(entity.username)),
                ("note", .string(result.notes?.revealUTF8())),
                ("tags", .string(Tags.join(entity.tags))),
            ] + shares(entity) + policies(entity) + [
                (
                    "shared_error",
                    .array(
                        result.sharedErrors.map { error in
                            .object([
                                ("type", .string(error.kind.rawValue)), ("name", .string(error.name)),
                                ("message", .string(error.reason.message)),
                            ])
                        })
                )
            ])
    }

    /// `password_entity` of the get-one answer, with the secrets and the current code.
    static func revealed(_ entry: RevealedEntry) -> JSONValue {
        let entity = entry.entity
        return .object(
            [
                ("identifier", .string(entity.identifier.description)),
                ("name", .string(entity.name)),
                ("url", .string(entity.url)),
                ("username", .string(entity.username)),
                ("password", .string(entry.password?.revealUTF8())),
                ("secret_key", .string(entry.secretKeyText?.revealUTF8())),
                ("token", .string(entry.code)),
                ("notes", .string(entry.notes?.revealUTF8())),
                ("tags", .string(Tags.join(entity.tags))),
            ] + shares(entity) + policies(entity))
    }

    /// One `password_on_list` item.
    static func listed(_ item: ListedEntry) -> JSONValue {
        let entity = item.entity
        return .object(
            [
                ("identifier", .string(entity.identifier.description)),
                ("name", .string(entity.name)),
                ("url", .string(entity.url)),
                ("username", .string(entity.username)),
                ("tags", .string(Tags.join(entity.tags))),
                ("need_justify", .string(item.needJustify ? "1" : "0")),
                ("need_approval", .string(item.needApproval ? "1" : "0")),
                ("can_view", .bool(item.canReveal)),
                ("can_write", .bool(item.role.permits(.update))),
            ] + (entity.needsRotation ? [("needs_rotation", .bool(true))] : []))
    }

    /// One `access_request` (docs/contract.md §13), its state as of `now`.
    static func accessRequest(_ request: AccessRequest, now: Date) -> JSONValue {
        .object([
            ("identifier", .string(request.identifier.description)),
            ("password_identifier", .string(request.entry.description)),
            ("requester", .string(request.requesterName)),
            ("justification", .string(request.justification)),
            ("minutes", .int(request.minutes)),
            ("state", .string(request.state(at: now).rawValue)),
            ("approvals", .int(request.approvals.count)),
            ("created_at", .string(AuditTime(request.createdAt).iso8601)),
            ("expires_at", request.expiresAt.map { .string(AuditTime($0).iso8601) } ?? .null),
        ])
    }
}
