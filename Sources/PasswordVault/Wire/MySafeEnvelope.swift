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

    static func shares(_ entity: PasswordEntity) -> [(String, JSONValue)] {
        [
            (
                "users_allowed",
                .array(
                    entity.usersAllowed.map {
                        .object([("username", .string($0.username)), ("can_edit", .bool($0.canEdit))])
                    })
            ),
            (
                "groups_allowed",
                .array(
                    entity.groupsAllowed.map { .object([("name", .string($0.name)), ("can_edit", .bool($0.canEdit))]) })
            ),
        ]
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
            ] + shares(entity) + [
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
                ("password", .string(entry.password.revealUTF8())),
                ("secret_key", .string(entry.secretKeyText?.revealUTF8())),
                ("token", .string(entry.code)),
                ("notes", .string(entry.notes?.revealUTF8())),
                ("tags", .string(Tags.join(entity.tags))),
            ] + shares(entity))
    }

    /// One `password_on_list` item.
    static func listed(_ item: ListedEntry) -> JSONValue {
        let entity = item.entity
        return .object([
            ("identifier", .string(entity.identifier.description)),
            ("name", .string(entity.name)),
            ("url", .string(entity.url)),
            ("username", .string(entity.username)),
            ("tags", .string(Tags.join(entity.tags))),
            ("need_justify", .string("0")),
            ("need_approval", .string("0")),
            ("can_view", .bool(item.role.permits(.reveal))),
            ("can_write", .bool(item.role.permits(.update))),
        ])
    }
}
