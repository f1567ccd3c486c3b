import Foundation
import Hummingbird
import HummingbirdTesting
import PasswordVault
import PasswordVaultClients
import Testing

@testable import MySafeServer

/// The server over HTTP (in-process): token issuance, expiry, revocation, 401/413, routes by role.
@Suite("mysafe-server")
struct ServerTests {
    final class Clock: @unchecked Sendable {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
    }

    let vault: Vault
    let registry: ClientRegistry
    let clock = Clock()
    let tokens: TokenStore
    let alice: User
    let bob: User

    init() async throws {
        let directory = InMemoryDirectory()
        alice = directory.addUser("alice", id: 1)
        bob = directory.addUser("bob", id: 2)
        vault = try await Vault.create(
            storage: InMemoryStorage(), directory: directory, credential: .rawKey(try SecretBytes.random(count: 32)))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mysafe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        registry = ClientRegistry(path: dir.appendingPathComponent("clients.json").path)
        let clock = self.clock
        tokens = TokenStore(now: { clock.now })
    }

    func app() -> some ApplicationProtocol {
        makeApplication(vault: vault, registry: registry, tokens: tokens, port: 0)
    }

    static func token(_ client: some TestClientProtocol, id: String, secret: String) async throws -> String? {
        try await client.execute(
            uri: "/api/oauth2/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)")
        ) { response in
            guard response.status == .ok else { return nil }
            let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            #expect(object?["token_type"] as? String == "bearer")
            #expect(object?["expires_in"] as? Int == 3600)
            return object?["access_token"] as? String
        }
    }

    @Test func registryStoresOnlyAHashWithMode0600() throws {
        let (client, secret) = try registry.add(username: "alice")
        let text = try String(contentsOfFile: registry.path, encoding: .utf8)
        #expect(!text.contains(secret))
        #expect(text.contains("$argon2id$"))
        let mode = try FileManager.default.attributesOfItem(atPath: registry.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try registry.authenticate(id: client.id, secret: secret)?.id == client.id)
        #expect(try registry.authenticate(id: client.id, secret: secret + "x") == nil)
    }

    /// The registry is decoded once and again only when the file changes, whoever changed it.
    @Test func registryIsCachedAndReloadedOnChange() throws {
        let (client, _) = try registry.add(username: "alice")
        #expect(registry.isActive(id: client.id))
        let loads = registry.loads
        for _ in 0..<50 { #expect(registry.isActive(id: client.id)) }
        #expect(registry.loads == loads)
        // Another process (here another instance) revokes: the next request sees it.
        try ClientRegistry(path: registry.path).revoke(id: client.id)
        #expect(!registry.isActive(id: client.id))
        #expect(registry.loads == loads + 1)
        // A damaged file is refused, never served from the cache.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: registry.path))
        #expect(throws: ClientRegistryError.unreadable("not a client registry file")) { try registry.clients() }
        #expect(!registry.isActive(id: client.id))
        try FileManager.default.removeItem(atPath: registry.path)
        #expect(try registry.clients().isEmpty)
    }

    /// Every change is written whole (temporary file, fsync, rename, directory fsync): no
    /// temporary file stays, the mode is 0600, and concurrent adds from separate instances
    /// (as from separate processes) all land under the lock.
    @Test func registryWritesAreAtomicAndSerialized() throws {
        let path = registry.path
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            _ = try? ClientRegistry(path: path).add(username: "user\(index)")
        }
        #expect(Set(try registry.clients().map(\.username)) == ["user0", "user1", "user2", "user3"])
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
                "clients.json", "clients.json.lock",
            ])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: ClientRegistryError.unknownClient("pwv_nope")) { try registry.revoke(id: "pwv_nope") }
        #expect(try registry.clients().count == 4)
    }

    @Test func tokenIssuanceExpiryAndRevocation() async throws {
        let (client, secret) = try registry.add(username: "alice")
        try await app().test(.router) { http in
            #expect(try await Self.token(http, id: client.id, secret: secret + "0") == nil)
            let token = try #require(try await Self.token(http, id: client.id, secret: secret))
            #expect(token.count == 64)
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            try await http.execute(uri: "/api/mysafe/password", method: .get, headers: auth) {
                #expect($0.status == .ok)
            }
            try await http.execute(uri: "/api/mysafe/password", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("invalid_token"))
            }
            clock.now += 3601
            try await http.execute(uri: "/api/mysafe/password", method: .get, headers: auth) {
                #expect($0.status == .unauthorized)
            }
            clock.now -= 3601
            try registry.revoke(id: client.id)
            try await http.execute(uri: "/api/mysafe/password", method: .get, headers: auth) {
                #expect($0.status == .unauthorized)
            }
            #expect(try await Self.token(http, id: client.id, secret: secret) == nil)
        }
    }

    @Test func basicAuthAndGetTokenWithQuery() async throws {
        let (client, secret) = try registry.add(username: "bob")
        try await app().test(.router) { http in
            let basic = Data("\(client.id):\(secret)".utf8).base64EncodedString()
            try await http.execute(
                uri: "/api/oauth2/token", method: .post, headers: [.authorization: "Basic \(basic)"],
                body: ByteBuffer(string: "grant_type=client_credentials")
            ) { #expect($0.status == .ok) }
            try await http.execute(
                uri: "/api/oauth2/token?grant_type=client_credentials&client_id=\(client.id)&client_secret=\(secret)",
                method: .get
            ) { #expect($0.status == .ok) }
            try await http.execute(
                uri: "/api/oauth2/token", method: .post, body: ByteBuffer(string: "grant_type=password")
            ) { #expect($0.status == .badRequest) }
            // RFC 9110 §15.5.6: a 405 names the methods served.
            try await http.execute(uri: "/api/oauth2/token", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, POST")
            }
        }
    }

    @Test func routesByRoleAnd413() async throws {
        let (a, aSecret) = try registry.add(username: "alice")
        let (b, bSecret) = try registry.add(username: "bob")
        try await app().test(.router) { http in
            let owner: HTTPFields = [
                .authorization: "Bearer \(try #require(try await Self.token(http, id: a.id, secret: aSecret)))"
            ]
            let stranger: HTTPFields = [
                .authorization: "Bearer \(try #require(try await Self.token(http, id: b.id, secret: bSecret)))"
            ]
            try await http.execute(
                uri: "/api/mysafe/password", method: .post, headers: owner,
                body: ByteBuffer(string: #"{"name":"n","username":"u","password":"p"}"#)
            ) { #expect($0.status == .created) }
            try await http.execute(uri: "/api/mysafe/password/1", method: .get, headers: owner) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("\"p\""))
            }
            try await http.execute(uri: "/api/mysafe/password/1", method: .get, headers: stranger) { response in
                #expect(response.status.code >= 400 && response.status.code < 500)
                #expect(!String(buffer: response.body).contains("\"p\""))
            }
            try await http.execute(uri: "/api/mysafe/password/history/1", method: .get, headers: owner) {
                #expect($0.status == .ok)
            }
            try await http.execute(
                uri: "/api/mysafe/password", method: .post, headers: owner,
                body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 1_048_577)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.connection] == "close")
                let envelope = try Self.tooLargeEnvelope(response.body)
                #expect(envelope)
            }
            try await http.execute(uri: "/api/mysafe/password/1", method: .delete, headers: owner) {
                #expect($0.status == .ok)
            }
        }
    }

    /// Whether `body` is docs/contract.md §8's 413 envelope for the default limit.
    static func tooLargeEnvelope(_ body: ByteBuffer) throws -> Bool {
        let message = "Request body is too large (at most 1048576 bytes)"
        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
        let response = try #require(object["response"] as? [String: Any])
        let exception = try #require(object["exception"] as? [String: Any])
        return object["code"] as? Int == 413 && response["status"] as? Int == 413
            && response["message"] as? String == message && response["error"] as? Bool == true
            && exception["code"] as? Int == 413 && exception["message"] as? String == message
    }

    /// An oversize body is answered as docs/contract.md §8 says on every path: the MySafe
    /// envelope with `exception.code` 413, DRF's `{"detail": …}` on save-passwords, an RFC 6749
    /// error on the token endpoint; a body of exactly the limit is served; an unauthenticated
    /// oversize request is a 401 (the token is checked first).
    @Test func oversizeBodiesGetTheContractsAnswer() async throws {
        let (a, aSecret) = try registry.add(username: "alice")
        let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1_048_577)
        try await app().test(.router) { http in
            let owner: HTTPFields = [
                .authorization: "Bearer \(try #require(try await Self.token(http, id: a.id, secret: aSecret)))"
            ]
            for (method, path) in [
                (HTTPRequest.Method.put, "/api/mysafe/password/update/1"), (.get, "/api/mysafe/password"),
                (.delete, "/api/mysafe/password/1"), (.post, "/no/such/route"),
            ] {
                try await http.execute(uri: path, method: method, headers: owner, body: big) { response in
                    #expect(response.status == .contentTooLarge, "\(method) \(path)")
                    let envelope = try Self.tooLargeEnvelope(response.body)
                    #expect(envelope, "\(method) \(path)")
                }
            }
            try await http.execute(
                uri: "/api/password-generator/save-passwords/", method: .post, headers: owner, body: big
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(
                    String(buffer: response.body) == #"{"detail":"Request body is too large (at most 1048576 bytes)"}"#)
            }
            try await http.execute(uri: "/api/oauth2/token", method: .post, body: big) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.headers[.connection] == "close")
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["error"] as? String == "invalid_request")
            }
            try await http.execute(uri: "/api/mysafe/password", method: .post, body: big) { response in
                #expect(response.status == .unauthorized)
            }
            // Exactly the limit is parsed: not JSON, so a 400-class refusal, not 413.
            try await http.execute(
                uri: "/api/mysafe/password", method: .post, headers: owner,
                body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 1_048_576)
            ) { response in
                #expect(response.status != .contentTooLarge && response.status.code < 500)
                #expect(response.headers[.connection] == nil)
            }
        }
    }

    /// A body is read only up to one byte past the limit: a sender that never stops costs
    /// limit + 1 bytes (docs/contract.md §8).
    @Test func readsAtMostOneBytePastTheLimit() async throws {
        final class Pulled: @unchecked Sendable { var chunks = 0 }
        struct Endless: AsyncSequence, Sendable {
            let pulled: Pulled
            struct AsyncIterator: AsyncIteratorProtocol {
                let pulled: Pulled
                mutating func next() async -> ByteBuffer? {
                    pulled.chunks += 1
                    return ByteBuffer(repeating: UInt8(ascii: "x"), count: 4)
                }
            }
            func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pulled: pulled) }
        }
        let pulled = Pulled()
        let (bytes, oversize) = try await MySafeResponder.collect(
            RequestBody(asyncSequence: Endless(pulled: pulled)), limit: 10)
        #expect(bytes.count == 11 && oversize)
        #expect(pulled.chunks == 3)
        let exact = try await MySafeResponder.collect(RequestBody(buffer: ByteBuffer(string: "0123456789")), limit: 10)
        #expect(exact.bytes.count == 10 && !exact.oversize)
        let empty = try await MySafeResponder.collect(RequestBody(buffer: ByteBuffer()), limit: 0)
        #expect(empty.bytes.isEmpty && !empty.oversize)
    }
}
