import Foundation
import Hummingbird
import Logging
import PasswordVault
import PasswordVaultClients

/// The HTTP front of a vault: the token endpoint, then every other request, authenticated by
/// its Bearer token, handed to ``WireHandler`` (docs/contract.md §8, §11) as the client's user.
public struct MySafeResponder: HTTPResponder {
    /// Hummingbird's basic context.
    public typealias Context = BasicRequestContext

    /// The transport-free API it mounts.
    public let wire: WireHandler
    /// The OAuth clients.
    public let registry: ClientRegistry
    /// The access tokens issued.
    public let tokens: TokenStore
    /// The request log (no bodies, tokens or secrets).
    public let logger: Logger

    /// A responder serving `vault`.
    public init(vault: Vault, registry: ClientRegistry, tokens: TokenStore, logger: Logger) {
        self.wire = WireHandler(vault: vault)
        self.registry = registry
        self.tokens = tokens
        self.logger = logger
    }

    /// Answers one request and logs it.
    public func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await answer(request)
        // Method, path without its query, status, time: never a body, header or query string.
        logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration": .string("\(ContinuousClock.now - started)"),
            ])
        return response
    }

    func answer(_ request: Request) async throws -> Response {
        // At most limit + 1 bytes are read: one past the limit is enough to know it is too large
        // (docs/contract.md §8); the handler answers it in the contract's envelope.
        let (body, oversize) = try await Self.collect(request.body, limit: wire.maximumBodySize)
        let path = request.uri.path
        if path == "/api/oauth2/token" || path == "/api/oauth2/token/" {
            if oversize {
                return Self.closing(
                    Self.oauthError(
                        .contentTooLarge, "invalid_request",
                        "Request body is too large (at most \(wire.maximumBodySize) bytes)"))
            }
            return await token(request, body: body)
        }
        guard let user = await caller(request) else {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.wwwAuthenticate] = #"Bearer realm="mysafe", error="invalid_token""#
            let response = Response(
                status: .unauthorized, headers: headers,
                body: .init(
                    byteBuffer: ByteBuffer(
                        string:
                            #"{"error":"invalid_token","error_description":"missing, unknown, expired or revoked access token"}"#
                    )))
            return oversize ? Self.closing(response) : response
        }
        let query = request.uri.query.map { "?" + $0 } ?? ""
        // An oversize body reaches the handler as its first limit + 1 bytes: it refuses it before
        // parsing, with 413 in the envelope of the path (docs/contract.md §8).
        let answer = await wire.handle(
            WireRequest(method: request.method.rawValue, path: path + query, body: body), as: user)
        return oversize ? Self.closing(Self.json(answer)) : Self.json(answer)
    }

    /// The first `limit + 1` bytes of `body` at most, and whether it is longer than `limit`;
    /// the rest is never read into memory (docs/contract.md §8).
    static func collect(_ body: RequestBody, limit: Int) async throws -> (bytes: [UInt8], oversize: Bool) {
        var bytes: [UInt8] = []
        for try await chunk in body {
            let room = limit + 1 - bytes.count
            if chunk.readableBytes >= room {
                bytes.append(contentsOf: chunk.readableBytesView.prefix(room))
                return (bytes, bytes.count > limit)
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return (bytes, false)
    }

    /// `response` with `Connection: close`: the rest of an oversize body is not wanted, so the
    /// client should stop sending it rather than have the server read it to the end.
    static func closing(_ response: Response) -> Response {
        var response = response
        response.headers[.connection] = "close"
        return response
    }

    /// The user behind the request's Bearer token, if it is valid and its client still active.
    func caller(_ request: Request) async -> User? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let issued = await tokens.resolve(token) else { return nil }
        guard registry.isActive(id: issued.clientID) else {
            await tokens.revokeAll(clientID: issued.clientID)
            return nil
        }
        return try? await wire.vault.user(named: issued.username)
    }

    /// `POST` or `GET /api/oauth2/token`: client credentials from the form body, the query or
    /// HTTP Basic (RFC 6749 §4.4, §2.3.1). Errors are RFC 6749 §5.2 bodies.
    func token(_ request: Request, body: [UInt8]) async -> Response {
        guard request.method == .post || request.method == .get else {
            return Self.oauthError(.methodNotAllowed, "invalid_request", "use POST or GET")
        }
        var fields = Self.form(request.uri.query ?? "")
        for (key, value) in Self.form(String(decoding: body, as: UTF8.self)) { fields[key] = value }
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        {
            fields["client_id"] = Self.percentDecoded(String(text[..<colon]))
            fields["client_secret"] = Self.percentDecoded(String(text[text.index(after: colon)...]))
        }
        guard let grant = fields["grant_type"], !grant.isEmpty else {
            return Self.oauthError(.badRequest, "invalid_request", "grant_type is required")
        }
        guard grant == "client_credentials" else {
            return Self.oauthError(.badRequest, "unsupported_grant_type", "only client_credentials is supported")
        }
        guard let id = fields["client_id"], let secret = fields["client_secret"], !id.isEmpty, !secret.isEmpty else {
            return Self.oauthError(.badRequest, "invalid_request", "client_id and client_secret are required")
        }
        let client: RegisteredClient?
        do {
            client = try registry.authenticate(id: id, secret: secret)
        } catch {
            return Self.oauthError(.internalServerError, "server_error", "client registry unavailable")
        }
        guard let client, (try? await wire.vault.user(named: client.username)) != nil else {
            return Self.oauthError(.unauthorized, "invalid_client", "unknown client or wrong secret")
        }
        let token = await tokens.issue(clientID: client.id, username: client.username)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let text = JSONValue.object([
            ("access_token", .string(token)), ("token_type", .string("bearer")),
            ("expires_in", .int(Int(TokenStore.lifetime))),
        ]).text
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func oauthError(_ status: HTTPResponse.Status, _ code: String, _ description: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Basic realm="mysafe""# }
        // RFC 9110 §15.5.6: a 405 lists the methods the resource supports.
        if status == .methodNotAllowed { headers[.allow] = "GET, POST" }
        let text = JSONValue.object([("error", .string(code)), ("error_description", .string(description))]).text
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ answer: WireResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// `application/x-www-form-urlencoded` pairs; the first of a repeated key wins.
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = percentDecoded(String(kv[0])) else { continue }
            let value = kv.count > 1 ? (percentDecoded(String(kv[1])) ?? "") : ""
            if fields[key] == nil { fields[key] = value }
        }
        return fields
    }

    static func percentDecoded(_ text: String) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

/// Builds the application: loopback by default, graceful shutdown by the caller's ServiceGroup.
public func makeApplication(
    vault: Vault, registry: ClientRegistry, tokens: TokenStore = TokenStore(), host: String = "127.0.0.1",
    port: Int = 8080, logger: Logger = Logger(label: "mysafe-server")
) -> some ApplicationProtocol {
    Application(
        responder: MySafeResponder(vault: vault, registry: registry, tokens: tokens, logger: logger),
        configuration: .init(address: .hostname(host, port: port), serverName: "mysafe-server"),
        logger: logger)
}
