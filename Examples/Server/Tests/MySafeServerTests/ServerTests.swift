import Foundation
import Hummingbird
import HummingbirdTesting
import PasswordVault
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
            ) { #expect($0.status == .contentTooLarge) }
            try await http.execute(uri: "/api/mysafe/password/1", method: .delete, headers: owner) {
                #expect($0.status == .ok)
            }
        }
    }
}
