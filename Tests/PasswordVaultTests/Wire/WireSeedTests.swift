import Foundation
import Testing

@testable import PasswordVault

/// Loads a seed fixture from `Vectors/Seeds`.
func seedFixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors/Seeds"))
    return Array(try Data(contentsOf: url))
}

/// The JSON of a body, for order-sensitive comparison.
func json(_ bytes: [UInt8]) throws -> JSONValue {
    try #require(JSONParser.parse(bytes), "not JSON: \(String(decoding: bytes, as: UTF8.self))")
}

/// Replaces `password_entity.identifier` (assigned by the vault) with the seed's "312".
func withSeedIdentifier(_ value: JSONValue) -> JSONValue {
    guard case .object(var members) = value, let index = members.firstIndex(where: { $0.0 == "password_entity" }),
        case .object(var entity) = members[index].1, let id = entity.firstIndex(where: { $0.0 == "identifier" })
    else { return value }
    entity[id].1 = .string("312")
    members[index].1 = .object(entity)
    return .object(members)
}

/// Every request and answer the seeds print, through the handler: the answer must
/// be the seed's, field for field and in order, the identifier aside. (Seeds 001
/// and 002 spell the Portuguese key `Message`; docs/contract.md §8 fixes it as `mensagem`.)
@Suite("Wire: the seeds' requests and answers")
struct WireSeedTests {
    @Test(arguments: ["001", "002", "003", "004"])
    func createAnswersAsTheSeed(_ seed: String) async throws {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        let answer = await api.handle(
            WireRequest(method: "POST", path: "api/mysafe/password", body: try seedFixture("create-\(seed).request")),
            as: f.npass)
        #expect(answer.status == 201)
        #expect(answer.statusLine == "HTTP/1.1 201 Created")
        #expect(withSeedIdentifier(try json(answer.body)) == (try json(try seedFixture("create-\(seed).response"))))
        // The password and the seed never appear in a create answer.
        #expect(!answer.bodyText.contains("8jhfy@3789"))
        #expect(!answer.bodyText.contains("JBSWY3DPEHPK3PXP"))
    }

    @Test func updateAnswersAsTheSeed() async throws {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        let created = await api.handle(
            WireRequest(method: "POST", path: "/api/mysafe/password", body: try seedFixture("create-001.request")),
            as: f.npass)
        let id = try #require(try json(created.body)["password_entity"]?["identifier"])
        guard case .string(let identifier) = id else { throw Failure("no identifier") }
        let answer = await api.handle(
            WireRequest(
                method: "PUT", path: "api/mysafe/password/update/\(identifier)",
                body: try seedFixture("update-003.request")),
            as: f.npass)
        #expect(answer.status == 200)
        #expect(withSeedIdentifier(try json(answer.body)) == (try json(try seedFixture("update-003.response"))))
        #expect(!answer.bodyText.contains("x%8jhfy@3789a"))
    }

    @Test func updateOfAnUnknownOrForeignEntryIs1005AsTheSeed() async throws {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        let created = await api.handle(
            WireRequest(method: "POST", path: "api/mysafe/password", body: try seedFixture("create-001.request")),
            as: f.npass)
        #expect(created.status == 201)
        let expected = try json(try seedFixture("not-found-003.response"))
        for (path, caller) in [
            ("api/mysafe/password/update/1", f.mallory), ("api/mysafe/password/update/312", f.npass),
        ] {
            let answer = await api.handle(
                WireRequest(method: "PUT", path: path, body: try seedFixture("update-003.request")), as: caller)
            #expect(answer.status == 400)
            #expect(answer.statusLine == "HTTP/1.1 400 Bad Request")
            #expect(try json(answer.body) == expected)
        }
    }

    @Test func savePasswordsAnswersAsTheSeed() async throws {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        let path = "api/password-generator/save-passwords/"
        let saved = await api.handle(
            WireRequest(method: "POST", path: path, body: try seedFixture("save-000.request")), as: f.alice)
        #expect(saved.status == 200)
        #expect(try json(saved.body) == (try json(try seedFixture("save-000.response"))))
        let listed = try await f.vault.list(as: f.alice)
        #expect(listed.map(\.entity.name) == ["Example Website"])
        #expect(listed.map(\.entity.username) == [""])
        #expect(listed.map(\.entity.url) == ["https://example.com"])
        #expect(
            try await f.vault.revealPassword(listed[0].entity.identifier, as: f.alice).revealUTF8() == "MySecureP@ss123"
        )

        let missing = await api.handle(WireRequest(method: "POST", path: path, body: Array("{}".utf8)), as: f.alice)
        #expect(missing.status == 400)
        #expect(try json(missing.body) == (try json(try seedFixture("save-000-missing.response"))))
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
