/// The transport-free HTTP API: (method, path, body, caller) → (status, body).
///
/// It serves the MySafe routes of docs/contract.md §8 (with the history routes of §11) and the
/// save-passwords endpoint with the seeds' bodies, so any HTTP server can mount it:
///
/// ```swift
/// let api = WireHandler(vault: vault)
/// let answer = await api.handle(WireRequest(method: "POST", path: "api/mysafe/password", body: body), as: caller)
/// // answer.status == 201, answer.body is the seed's JSON
/// ```
///
/// The caller is whoever the host authenticated; the handler never reads credentials.
///
/// Methods are RFC 9110 tokens, compared exactly (§9.1: case-sensitive): `GET`, `POST`, `PUT`,
/// `DELETE`; `post` or `poſt` is no route (404). A body longer than ``maximumBodySize`` bytes
/// (default 1 MiB) is refused before anything is parsed, with HTTP 413 (docs/contract.md §8); a
/// host should stop reading a request body one byte past that limit, as `pwvault api` does.
public struct WireHandler: Sendable {
    /// The default ``maximumBodySize``: 1 MiB (1,048,576 bytes).
    public static let defaultMaximumBodySize = 1_048_576

    /// The vault it serves.
    public let vault: Vault

    /// The longest body it parses, in bytes; a longer one is answered 413 unread.
    public let maximumBodySize: Int

    /// A handler over `vault`.
    /// - Parameters:
    ///   - vault: the vault it serves.
    ///   - maximumBodySize: the longest body parsed, in bytes (0 accepts only empty bodies).
    public init(vault: Vault, maximumBodySize: Int = WireHandler.defaultMaximumBodySize) {
        self.vault = vault
        self.maximumBodySize = maximumBodySize
    }

    /// Answers one request. Never throws: every failure is an answer.
    public func handle(_ request: WireRequest, as caller: User) async -> WireResponse {
        let (segments, query) = Self.split(request.path)
        guard request.body.count <= maximumBodySize else {
            // Before any parsing, on every route; the save-passwords path answers in its own shape.
            return segments == Self.savePasswordsPath
                ? SavePasswordsProfile.tooLarge(limit: maximumBodySize)
                : MySafeEnvelope.tooLarge(limit: maximumBodySize)
        }
        // RFC 9110 §9.1: the method token is case-sensitive; no case mapping (`poſt` is not POST).
        let method = request.method
        switch (method, segments) {
        case ("POST", Self.savePasswordsPath):
            return await SavePasswordsProfile(vault: vault).handle(request.body, as: caller)
        case (_, let path) where path.count >= 3 && path[0] == "api" && path[1] == "mysafe" && path[2] == "password":
            guard let route = MySafeRoute(method: method, path: Array(path.dropFirst(3))) else {
                return MySafeEnvelope.noRoute
            }
            do {
                return try await serve(route, query: query, body: request.body, as: caller)
            } catch {
                return MySafeEnvelope.failure(error)
            }
        default:
            return MySafeEnvelope.noRoute
        }
    }

    /// `api/password-generator/save-passwords/` as segments.
    static let savePasswordsPath = ["api", "password-generator", "save-passwords"]

    /// The MySafe routes.
    enum MySafeRoute: Equatable {
        case list
        case get(String)
        case create
        case update(String)
        case disable(String)
        case enable(String)
        case delete(String)
        case history(String)
        case version(String, String)
        case restore(String, String)
        case request(String)
        case requests
        case approve(String)
        case deny(String)

        init?(method: String, path: [String]) {
            switch (method, path.count) {
            case ("GET", 0): self = .list
            case ("GET", 1) where path[0] == "requests": self = .requests
            case ("POST", 2) where path[0] == "request": self = .request(path[1])
            case ("POST", 3) where path[0] == "request" && path[1] == "approve": self = .approve(path[2])
            case ("POST", 3) where path[0] == "request" && path[1] == "deny": self = .deny(path[2])
            case ("GET", 1): self = .get(path[0])
            case ("POST", 0): self = .create
            case ("PUT", 2) where path[0] == "update": self = .update(path[1])
            case ("POST", 2) where path[0] == "inactive": self = .disable(path[1])
            case ("POST", 2) where path[0] == "active": self = .enable(path[1])
            case ("DELETE", 1): self = .delete(path[0])
            case ("GET", 2) where path[0] == "history": self = .history(path[1])
            case ("GET", 3) where path[0] == "history": self = .version(path[1], path[2])
            case ("POST", 3) where path[0] == "restore": self = .restore(path[1], path[2])
            default: return nil
            }
        }
    }

    private func serve(
        _ route: MySafeRoute, query: [String: String], body: [UInt8], as caller: User
    ) async throws(VaultError) -> WireResponse {
        switch route {
        case .list:
            let filter = ListFilter(
                tag: query["tag"], name: query["name"], username: query["username"], url: query["url"])
            let includeDisabled = ["1", "true", "yes"].contains(query["include_disabled"]?.lowercased() ?? "")
            let items = try await vault.list(filter, includeDisabled: includeDisabled, as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "", [("password_on_list", .array(items.map(MySafeEnvelope.listed)))])
        case .get(let id):
            let entry = try await vault.reveal(
                try Self.identifier(id), justification: query["justification"], as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Success", [("password_entity", MySafeEnvelope.revealed(entry))])
        case .create:
            guard let object = RequestDecoding.object(body) else { return MySafeEnvelope.invalidJSON }
            let result = try await vault.create(RequestDecoding.passwordRequest(object), as: caller)
            return MySafeEnvelope.success(
                status: 201, message: "Password successfully registered",
                [("password_entity", MySafeEnvelope.written(result))])
        case .update(let id):
            // The body is parsed first (1000), before the identifier is looked at (1005).
            guard let object = RequestDecoding.object(body) else { return MySafeEnvelope.invalidJSON }
            // The answer shows the notes (`note`), so they are opened.
            let result = try await vault.update(
                try Self.identifier(id), RequestDecoding.passwordRequest(object), includingNotes: true, as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Password successfully updated",
                [("password_entity", MySafeEnvelope.written(result))])
        case .disable(let id):
            let change = try await vault.disable(try Self.identifier(id), as: caller)
            return MySafeEnvelope.success(
                status: 200,
                message: change == .changed
                    ? "Password successfully deactivated" : "Password has already been deactivated")
        case .enable(let id):
            let change = try await vault.enable(try Self.identifier(id), as: caller)
            return MySafeEnvelope.success(
                status: 200,
                message: change == .changed ? "Password successfully activated" : "Password has already been activated")
        case .delete(let id):
            try await vault.delete(try Self.identifier(id), as: caller)
            return MySafeEnvelope.success(status: 200, message: "Password successfully deleted")
        case .history(let id):
            let versions = try await vault.history(
                try Self.identifier(id), justification: query["justification"], as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Success",
                [("password_history", .array(versions.map(MySafeEnvelope.historyItem)))])
        case .version(let id, let version):
            let revealed = try await vault.revealVersion(
                try Self.identifier(id), version: Self.version(version), justification: query["justification"],
                as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Success", [("password_entity", MySafeEnvelope.revealed(revealed))])
        case .restore(let id, let version):
            let result = try await vault.restore(try Self.identifier(id), version: Self.version(version), as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Password successfully restored",
                [("password_entity", MySafeEnvelope.written(result))])
        case .request(let id):
            // The body is parsed first (1000), before the identifier is looked at (1005).
            guard let object = RequestDecoding.object(body) else { return MySafeEnvelope.invalidJSON }
            // Wrong types travel to the vault, which refuses them after its access checks (1002).
            let request = try await vault.requestAccess(
                try Self.identifier(id), justification: RequestDecoding.string(object["justification"]),
                minutes: RequestDecoding.int(object["minutes"]), as: caller)
            return MySafeEnvelope.success(
                status: 201, message: "Access request registered",
                [("access_request", MySafeEnvelope.accessRequest(request, now: vault.clock.now()))])
        case .requests:
            let requests = try await vault.accessRequests(as: caller)
            let now = vault.clock.now()
            return MySafeEnvelope.success(
                status: 200, message: "Success",
                [("access_requests", .array(requests.map { MySafeEnvelope.accessRequest($0, now: now) }))])
        case .approve(let id):
            let request = try await vault.approveRequest(try Self.requestIdentifier(id), as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Access request approved",
                [("access_request", MySafeEnvelope.accessRequest(request, now: vault.clock.now()))])
        case .deny(let id):
            let request = try await vault.denyRequest(try Self.requestIdentifier(id), as: caller)
            return MySafeEnvelope.success(
                status: 200, message: "Access request denied",
                [("access_request", MySafeEnvelope.accessRequest(request, now: vault.clock.now()))])
        }
    }

    /// A request identifier from the path; anything that is not one is simply not found.
    private static func requestIdentifier(_ text: String) throws(VaultError) -> AccessRequestID {
        guard let id = AccessRequestID(text) else { throw .notFound }
        return id
    }

    /// A version number from the path; anything that is not one names no version (0), which the
    /// vault answers with 1011 once access is checked (docs/contract.md §3's order).
    private static func version(_ text: String) -> UInt64 {
        guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return 0 }
        return UInt64(text) ?? 0
    }

    /// An identifier from the path; anything that is not one is simply not found.
    private static func identifier(_ text: String) throws(VaultError) -> EntryID {
        guard let id = EntryID(text) else { throw .notFound }
        return id
    }

    /// Path segments (without empty ones, so leading and trailing `/` do not matter) and the query.
    static func split(_ path: String) -> (segments: [String], query: [String: String]) {
        let parts = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let segments = parts[0].split(separator: "/").map { percentDecoded(String($0)) ?? String($0) }
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = percentDecoded(String(kv[0]), plusIsSpace: true) ?? String(kv[0])
                let value = kv.count > 1 ? (percentDecoded(String(kv[1]), plusIsSpace: true) ?? String(kv[1])) : ""
                if query[key] == nil { query[key] = value }
            }
        }
        return (segments, query)
    }

    /// Percent-decoding (`PercentEncoding`); `nil` for a broken escape or invalid UTF-8.
    static func percentDecoded(_ text: String, plusIsSpace: Bool = false) -> String? {
        PercentEncoding.decodeString(Array(text.utf8)[...], plusIsSpace: plusIsSpace)
    }
}
