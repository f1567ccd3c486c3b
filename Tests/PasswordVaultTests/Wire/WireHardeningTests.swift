import Foundation
import Testing

@testable import PasswordVault

/// The wire's own rules (docs/contract.md §8, §16): what the handler refuses before the vault
/// sees a request, and the save-passwords profile's defaults.
@Suite("Wire hardening")
struct WireHardeningTests {
    let f: VaultFixture
    let api: WireHandler

    init() async throws {
        f = try await VaultFixture()
        api = WireHandler(vault: f.vault)
    }

    func call(_ method: String, _ path: String, _ body: [UInt8], as user: User) async -> WireResponse {
        await api.handle(WireRequest(method: method, path: path, body: body), as: user)
    }

    func call(_ method: String, _ path: String, _ body: String = "", as user: User) async -> WireResponse {
        await call(method, path, Array(body.utf8), as: user)
    }

    static let savePath = "api/password-generator/save-passwords/"

    @Test func savePasswordsKeepsThePasswordExactlyAsSent() async throws {
        let body = #"{"user": 1, "password_saved": "  p4ss w0rd  ", "url": "  example.com ", "name_pages": " Mail "}"#
        let saved = await call("POST", Self.savePath, body, as: f.alice)
        #expect(saved.status == 200, "\(saved.bodyText)")
        let listed = try await f.vault.list(as: f.alice)
        let entry = try #require(listed.first?.entity)
        // url and name_pages are trimmed as Django REST framework does; the password never is.
        #expect(entry.url == "example.com")
        #expect(entry.name == "Mail")
        #expect(entry.username == "")
        #expect(try await f.vault.revealPassword(entry.identifier, as: f.alice).revealUTF8() == "  p4ss w0rd  ")
    }

    @Test func savePasswordsNamesTheEntryAfterItsURLWhenNoNameIsGiven() async throws {
        for (index, name) in [#""#, #", "name_pages": null"#, #", "name_pages": "   ""#].enumerated() {
            let body = #"{"user": 1, "password_saved": "pw", "url": "site\#(index).example"\#(name)}"#
            let saved = await call("POST", Self.savePath, body, as: f.alice)
            #expect(saved.status == 200, "\(saved.bodyText)")
        }
        let names = try await f.vault.list(as: f.alice).map(\.entity.name)
        #expect(names == ["site0.example", "site1.example", "site2.example"])
    }

    @Test func savePasswordsRefusesAPasswordOfOnlyWhiteSpaceNeverButAnEmptyOne() async throws {
        let blank = await call("POST", Self.savePath, #"{"user": 1, "password_saved": "", "url": "u"}"#, as: f.alice)
        #expect(blank.status == 400)
        #expect(blank.bodyText == #"{"password_saved":["This field may not be blank."]}"#)
        let spaces = await call(
            "POST", Self.savePath, #"{"user": 1, "password_saved": "   ", "url": "u"}"#, as: f.alice)
        #expect(spaces.status == 200, "\(spaces.bodyText)")
        let id = try #require(try await f.vault.list(as: f.alice).first?.entity.identifier)
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "   ")
    }
}
