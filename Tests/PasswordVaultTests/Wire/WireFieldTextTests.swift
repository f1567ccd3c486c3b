import Foundation
import Testing

@testable import PasswordVault

/// docs/contract.md §2, §3, §8 through the wire: bidirectional formatting characters in
/// single-line fields (MySafe and save-passwords), tag repeats by scalars, passwords exactly as
/// sent on every route, `notes: ""` clears.
@Suite("Wire field text")
struct WireFieldTextTests {
    let f: VaultFixture
    let api: WireHandler

    init() async throws {
        f = try await VaultFixture()
        api = WireHandler(vault: f.vault)
    }

    func call(_ method: String, _ path: String, _ body: String = "") async -> WireResponse {
        await api.handle(WireRequest(method: method, path: path, body: Array(body.utf8)), as: f.alice)
    }

    func exceptionMessage(_ answer: WireResponse) throws -> JSONValue? {
        try json(answer.body)["exception"]?["message"]
    }

    static let savePath = "api/password-generator/save-passwords/"

    /// The bidi scalars as JSON escapes, and one sent raw (UTF-8) too.
    static let bidiTexts = [#"a\u202Eb"#, #"a\u2066b\u2069"#, #"\u200Fab"#, #"ab\u200E"#, #"a\u061Cb"#, "a\u{202B}b"]

    @Test func bidiFormattingCharactersAre1002OnCreateAndUpdate() async throws {
        let created = await call("POST", "api/mysafe/password", #"{"name": "n", "username": "u", "password": "p"}"#)
        #expect(created.status == 201)
        let reason = "must not contain bidirectional formatting characters"
        for text in Self.bidiTexts {
            for (field, member, message) in [
                ("name", #""name": "\#(text)""#, "1002: Parameter 'name' is invalid: \(reason)"),
                ("username", #""username": "\#(text)""#, "1002: Parameter 'username' is invalid: \(reason)"),
                ("url", #""url": "\#(text)""#, "1002: Parameter 'url' is invalid: \(reason)"),
                (
                    "tags", #""tags": "ok, \#(text)""#,
                    "1002: Parameter 'tags' is invalid: each tag must not contain bidirectional formatting characters"
                ),
                (
                    "tags", #""tags": ["ok", "\#(text)"]"#,
                    "1002: Parameter 'tags' is invalid: each tag must not contain bidirectional formatting characters"
                ),
            ] {
                var members = [#""name": "n""#, #""username": "u""#, #""password": "p""#].filter {
                    !$0.hasPrefix("\"\(field)\"")
                }
                members.append(member)
                let create = await call("POST", "api/mysafe/password", "{\(members.joined(separator: ", "))}")
                #expect(create.status == 400, "\(member)")
                #expect(try exceptionMessage(create) == .string(message), "\(member)")
                let update = await call("PUT", "api/mysafe/password/update/1", "{\(member)}")
                #expect(update.status == 400, "\(member)")
                #expect(try exceptionMessage(update) == .string(message), "\(member)")
            }
        }
        #expect(f.storage.count == 1)
        let entity = try await f.vault.entity(try #require(EntryID(rawValue: 1)), as: f.alice)
        #expect(entity.version == 1)
    }

    @Test func savePasswordsRefusesBidiCharactersInUrlAndName() async throws {
        for (body, answer) in [
            (
                #"{"user": 1, "password_saved": "p", "url": "exa\u202Emple.com"}"#,
                #"{"url":["This field must not contain bidirectional formatting characters."]}"#
            ),
            (
                #"{"user": 1, "password_saved": "p", "url": "example.com", "name_pages": "\u2066Mail"}"#,
                #"{"name_pages":["This field must not contain bidirectional formatting characters."]}"#
            ),
        ] {
            let saved = await call("POST", Self.savePath, body)
            #expect(saved.status == 400, "\(body)")
            #expect(saved.bodyText == answer)
        }
        #expect(f.storage.count == 0)
        // The password is not a single-line field: kept as sent.
        let saved = await call("POST", Self.savePath, #"{"user": 1, "password_saved": "p\u202Ew", "url": "u"}"#)
        #expect(saved.status == 200, "\(saved.bodyText)")
        let id = try #require(EntryID(rawValue: 1))
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p\u{202E}w")
    }

    @Test func tagsInNFCAndNFDAreTwoTagsOnTheWire() async throws {
        // "café" precomposed, then decomposed (e + U+0301), then an exact repeat of each.
        let body =
            #"{"name": "n", "username": "u", "password": "p", "tags": "caf\u00e9, cafe\u0301, caf\u00e9, cafe\u0301"}"#
        let created = await call("POST", "api/mysafe/password", body)
        #expect(created.status == 201)
        let expected = Array("caf\u{E9}, cafe\u{301}".utf8)
        guard case .string(let tags)? = try json(created.body)["password_entity"]?["tags"] else {
            Issue.record("no tags in \(created.bodyText)")
            return
        }
        #expect(Array(tags.utf8) == expected)
        let got = await call("GET", "api/mysafe/password/1")
        guard case .string(let stored)? = try json(got.body)["password_entity"]?["tags"] else {
            Issue.record("no tags in \(got.bodyText)")
            return
        }
        #expect(Array(stored.utf8) == expected)
    }

    // MARK: Passwords exactly as sent; notes "" clears

    /// Spaces and other white space around a password (U+00A0, U+3000, U+2003) are part of it.
    static let spaced = #"  \u00a0p4ss w0rd\u3000 \u2003 "#
    static let spacedText = "  \u{A0}p4ss w0rd\u{3000} \u{2003} "

    func revealedPassword(_ id: String) async throws -> [UInt8]? {
        let got = await call("GET", "api/mysafe/password/\(id)")
        guard case .string(let password)? = try json(got.body)["password_entity"]?["password"] else { return nil }
        return Array(password.utf8)
    }

    @Test func aPasswordWithSpacesAroundItRoundTripsOnEveryRoute() async throws {
        let saved = await call(
            "POST", Self.savePath, #"{"user": 1, "password_saved": "\#(Self.spaced)", "url": " example.com "}"#)
        #expect(saved.status == 200, "\(saved.bodyText)")
        #expect(try await revealedPassword("1") == Array(Self.spacedText.utf8))

        let created = await call(
            "POST", "api/mysafe/password", #"{"name": "n", "username": "u", "password": "\#(Self.spaced)"}"#)
        #expect(created.status == 201, "\(created.bodyText)")
        #expect(try await revealedPassword("2") == Array(Self.spacedText.utf8))

        let updated = await call("PUT", "api/mysafe/password/update/2", #"{"password": " \u2003second\u00a0 "}"#)
        #expect(updated.status == 200, "\(updated.bodyText)")
        #expect(try await revealedPassword("2") == Array(" \u{2003}second\u{A0} ".utf8))
    }

    /// A tab is a control character, which passwords refuse (docs/contract.md §3): refused on
    /// every route, never trimmed into an accepted password.
    @Test func aPasswordWithATabIsRefusedNotTrimmed() async throws {
        let saved = await call("POST", Self.savePath, #"{"user": 1, "password_saved": "\tp4ss\t", "url": "u"}"#)
        #expect(saved.status == 400)
        #expect(saved.bodyText == #"{"password_saved":["This field must not contain control characters."]}"#)
        let created = await call(
            "POST", "api/mysafe/password", #"{"name": "n", "username": "u", "password": "p4ss\t"}"#)
        #expect(created.status == 400)
        #expect(
            try exceptionMessage(created)
                == .string("1002: Parameter 'password' is invalid: must not contain control characters"))
        #expect(f.storage.count == 0)
    }

    @Test(arguments: [#""""#, "null"])
    func emptyNotesClearThemAsNullDoes(_ clearing: String) async throws {
        let created = await call(
            "POST", "api/mysafe/password", #"{"name": "n", "username": "u", "password": "p", "notes": "the notes"}"#)
        #expect(created.status == 201)
        let updated = await call("PUT", "api/mysafe/password/update/1", #"{"notes": \#(clearing)}"#)
        #expect(updated.status == 200)
        #expect(try json(updated.body)["password_entity"]?["note"] == .null)
        let got = await call("GET", "api/mysafe/password/1")
        #expect(try json(got.body)["password_entity"]?["notes"] == .null)
        #expect(try await f.vault.entity(try #require(EntryID(rawValue: 1)), as: f.alice).sealedNotes == nil)
    }
}
