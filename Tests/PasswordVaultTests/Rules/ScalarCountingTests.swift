import Foundation
import Testing

@testable import PasswordVault

/// docs/contract.md §3: limits count Unicode scalars, as Python's `len` does — not UTF-16 code
/// units, not UTF-8 bytes, not grapheme clusters (Swift's `String.count`).
///
/// Each text is made of "e\u{301}😀" (3 scalars, 2 grapheme clusters, 4 UTF-16 units, 7 UTF-8 bytes)
/// and ASCII letters: at exactly the limit in scalars it is under the limit in grapheme clusters
/// and over it in UTF-16 units and bytes, so a count of any of those three answers wrongly
/// either at the limit or one over it.
@Suite("Limits count Unicode scalars")
struct ScalarCountingTests {
    /// A text of exactly `scalars` Unicode scalars, mostly non-ASCII.
    static func text(scalars: Int) -> String {
        String(repeating: "e\u{301}😀", count: scalars / 3) + String(repeating: "a", count: scalars % 3)
    }

    static func base(_ change: (inout PasswordRequest) -> Void) -> PasswordRequest {
        var request = PasswordRequest(name: "n", username: "u", password: "p")
        change(&request)
        return request
    }

    @Test func theTextsDifferInEveryOtherCount() {
        let text = Self.text(scalars: 200)
        #expect(text.unicodeScalars.count == 200)
        #expect(text.count < 200)
        #expect(text.utf16.count > 200)
        #expect(text.utf8.count > 200)
    }

    @Test(arguments: [
        ("username", FieldLimits.username), ("url", FieldLimits.url), ("notes", FieldLimits.notes),
    ])
    func aFieldAtItsLimitIsStoredAsSentAndOneOverIsRefused(field: String, limit: Int) async throws {
        let f = try await VaultFixture()
        func request(_ text: String) -> PasswordRequest {
            Self.base {
                switch field {
                case "username": $0.username = .value(text)
                case "url": $0.url = .value(text)
                default: $0.notes = .value(text)
                }
            }
        }
        let atLimit = Self.text(scalars: limit)
        let result = try await f.vault.create(request(atLimit), as: f.alice)
        let id = result.entity.identifier
        switch field {
        case "username": #expect(try await f.vault.entity(id, as: f.alice).username == atLimit)
        case "url": #expect(try await f.vault.entity(id, as: f.alice).url == atLimit)
        default: #expect(try await f.vault.revealNotes(id, as: f.alice)?.revealUTF8() == atLimit)
        }

        let refusal = VaultError.invalidParameter(field: field, reason: "must have at most \(limit) characters")
        await #expect(throws: refusal) { try await f.vault.create(request(Self.text(scalars: limit + 1)), as: f.alice) }
        // The same through an update, which leaves the entry as it was.
        var update = PasswordRequest()
        switch field {
        case "username": update.username = .value(Self.text(scalars: limit + 1))
        case "url": update.url = .value(Self.text(scalars: limit + 1))
        default: update.notes = .value(Self.text(scalars: limit + 1))
        }
        let before = try await f.vault.entity(id, as: f.alice)
        await #expect(throws: refusal) { try await f.vault.update(id, update, as: f.alice) }
        #expect(try await f.vault.entity(id, as: f.alice) == before)
        #expect(f.storage.count == 1)
    }

    @Test func aTagAtItsLimitIsKeptAndOneOverIsRefused() async throws {
        let f = try await VaultFixture()
        let atLimit = Self.text(scalars: FieldLimits.tag)
        let result = try await f.vault.create(Self.base { $0.tags = .value([atLimit, "plain"]) }, as: f.alice)
        #expect(try await f.vault.entity(result.entity.identifier, as: f.alice).tags == [atLimit, "plain"])

        let over = Self.text(scalars: FieldLimits.tag + 1)
        let refusal = VaultError.invalidParameter(
            field: "tags", reason: "each tag must have at most \(FieldLimits.tag) characters and no control characters")
        await #expect(throws: refusal) {
            try await f.vault.create(Self.base { $0.tags = .value(["plain", over]) }, as: f.alice)
        }
        #expect(f.storage.count == 1)
    }

    /// The wire decodes JSON escapes before counting: a surrogate pair (`\ud83d\ude00`) is one
    /// scalar, so the same limits hold for a body written with escapes.
    @Test func escapedTextInAWireBodyCountsTheSame() async throws {
        let f = try await VaultFixture()
        let api = WireHandler(vault: f.vault)
        func create(url scalars: Int) async throws -> WireResponse {
            let escaped =
                String(repeating: #"e\u0301\ud83d\ude00"#, count: scalars / 3)
                + String(repeating: "a", count: scalars % 3)
            let body = #"{"name": "n", "username": "u", "password": "p", "url": "\#(escaped)"}"#
            return await api.handle(
                WireRequest(method: "POST", path: "api/mysafe/password", body: Array(body.utf8)), as: f.alice)
        }
        let stored = try await create(url: FieldLimits.url)
        #expect(stored.status == 201)
        #expect(try json(stored.body)["password_entity"]?["url"] == .string(Self.text(scalars: FieldLimits.url)))
        let refused = try await create(url: FieldLimits.url + 1)
        #expect(refused.status == 400)
        #expect(
            try json(refused.body)["exception"]?["message"]
                == .string("1002: Parameter 'url' is invalid: must have at most 2048 characters"))
    }
}
