import Foundation
import Testing

@testable import PasswordVault

/// docs/contract.md §2, §3 through the library: bidirectional formatting characters in
/// single-line fields, tag repeats by Unicode scalars, passwords as sent, `notes: ""`.
@Suite("Field text")
struct FieldTextTests {
    /// One of each kind `NameRule.isBidiControl` names: an override, an embedding, an isolate, the marks.
    static let bidiScalars: [Unicode.Scalar] = [
        "\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}",
    ]

    static func base(_ change: (inout PasswordRequest) -> Void = { _ in }) -> PasswordRequest {
        var request = PasswordRequest(name: "mail", username: "alice", password: "s3cret")
        change(&request)
        return request
    }

    /// The request with `text` in `field`, and the message a bidi character there gets.
    static func sending(_ text: String, in field: String) -> (PasswordRequest, String) {
        let reason = "must not contain bidirectional formatting characters"
        switch field {
        case "name": return (base { $0.name = .value(text) }, "1002: Parameter 'name' is invalid: \(reason)")
        case "username":
            return (base { $0.username = .value(text) }, "1002: Parameter 'username' is invalid: \(reason)")
        case "url": return (base { $0.url = .value(text) }, "1002: Parameter 'url' is invalid: \(reason)")
        default:
            return (
                base { $0.tags = .value(["ok", text]) },
                "1002: Parameter 'tags' is invalid: each tag must not contain bidirectional formatting characters"
            )
        }
    }

    @Test(arguments: ["name", "username", "url", "tags"])
    func bidiFormattingCharactersAreRefusedInEverySingleLineField(_ field: String) async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(Self.base(), as: f.alice).entity.identifier
        let before = try await f.vault.entity(id, as: f.alice)
        for scalar in Self.bidiScalars {
            // "gpj.exe" shown as "exe.jpg": the override in the middle of otherwise plain text.
            let text = "report\(scalar)gpj.exe"
            let (request, message) = Self.sending(text, in: field)
            let created = await #expect(throws: VaultError.self) { try await f.vault.create(request, as: f.alice) }
            #expect(created?.message == message, "create, U+\(String(scalar.value, radix: 16))")
            var changes = PasswordRequest()
            switch field {
            case "name": changes.name = .value(text)
            case "username": changes.username = .value(text)
            case "url": changes.url = .value(text)
            default: changes.tags = .value([text])
            }
            let updated = await #expect(throws: VaultError.self) { try await f.vault.update(id, changes, as: f.alice) }
            #expect(updated?.message == message, "update, U+\(String(scalar.value, radix: 16))")
        }
        #expect(f.storage.count == 1)
        #expect(try await f.vault.entity(id, as: f.alice) == before)
    }

    /// A control character is still reported as one: the first refused scalar names the reason.
    @Test func theFirstRefusedCharacterNamesTheReason() async throws {
        let f = try await VaultFixture()
        let control = await #expect(throws: VaultError.self) {
            try await f.vault.create(Self.base { $0.name = "a\u{0007}b\u{202E}c" }, as: f.alice)
        }
        #expect(
            control?.message == "1002: Parameter 'name' is invalid: must not contain control characters or line breaks")
        let bidi = await #expect(throws: VaultError.self) {
            try await f.vault.create(Self.base { $0.name = "a\u{202E}b\u{0007}c" }, as: f.alice)
        }
        #expect(
            bidi?.message == "1002: Parameter 'name' is invalid: must not contain bidirectional formatting characters")
        let tooLong = await #expect(throws: VaultError.self) {
            try await f.vault.create(Self.base { $0.tags = .value([String(repeating: "t", count: 65)]) }, as: f.alice)
        }
        #expect(
            tooLong?.message
                == "1002: Parameter 'tags' is invalid: each tag must have at most 64 characters and no control characters"
        )
    }

    /// Passwords and notes are not single-line fields: a bidi character there is kept as sent.
    @Test func passwordsAndNotesKeepBidiCharacters() async throws {
        let f = try await VaultFixture()
        let password = "p\u{202E}ss\u{2066}w\u{200F}rd"
        let notes = "line \u{202E}one\nline \u{2067}two"
        let id = try await f.vault.create(
            Self.base {
                $0.password = .value(password)
                $0.notes = .value(notes)
            }, as: f.alice
        ).entity.identifier
        #expect(
            try await f.vault.revealPassword(id, as: f.alice).revealUTF8()?.utf8.elementsEqual(password.utf8) == true)
        #expect(try await f.vault.revealNotes(id, as: f.alice)?.revealUTF8()?.utf8.elementsEqual(notes.utf8) == true)
    }

    // MARK: Tags

    @Test func tagRepeatsAreComparedByUnicodeScalars() async throws {
        let f = try await VaultFixture()
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        #expect(nfc == nfd)  // Swift's String equality is canonical equivalence; the rule is not.
        let result = try await f.vault.create(
            Self.base { $0.tags = .value([nfc, nfd, nfc, " \(nfd) ", "x"]) }, as: f.alice)
        #expect(
            result.entity.tags.map { Array($0.unicodeScalars) } == [nfc, nfd, "x"].map { Array($0.unicodeScalars) })
        let stored = try await f.vault.entity(result.entity.identifier, as: f.alice)
        #expect(stored.tags.map { Array($0.unicodeScalars) } == [nfc, nfd, "x"].map { Array($0.unicodeScalars) })
        #expect(Tags.normalize([nfd, nfc]).map { Array($0.utf8) } == [Array(nfd.utf8), Array(nfc.utf8)])
        #expect(Tags.normalize(["a", "a", "A"]) == ["a", "A"])
    }

    // MARK: Passwords exactly as sent; notes "" clears

    /// White space around a password is part of it (docs/contract.md §16). A tab is a control
    /// character, which passwords refuse (§3): refused with 1002, never trimmed away.
    static let spacedPassword = "  \u{A0}p4ss w0rd\u{3000} \u{2003} "

    @Test func aPasswordWithSpacesAroundItIsStoredExactlyOnCreateAndUpdate() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(Self.base { $0.password = .value(Self.spacedPassword) }, as: f.alice).entity
            .identifier
        #expect(
            try await f.vault.revealPassword(id, as: f.alice).revealUTF8().map { Array($0.utf8) }
                == Array(Self.spacedPassword.utf8))
        let changed = " \u{2003}second\u{A0} "
        _ = try await f.vault.update(id, PasswordRequest(password: .value(changed)), as: f.alice)
        #expect(
            try await f.vault.revealPassword(id, as: f.alice).revealUTF8().map { Array($0.utf8) } == Array(changed.utf8)
        )
        for tabbed in ["\tp4ss", "p4ss\t", " \tp4ss\t "] {
            let created = await #expect(throws: VaultError.self) {
                try await f.vault.create(Self.base { $0.password = .value(tabbed) }, as: f.alice)
            }
            #expect(created?.message == "1002: Parameter 'password' is invalid: must not contain control characters")
            let updated = await #expect(throws: VaultError.self) {
                try await f.vault.update(id, PasswordRequest(password: .value(tabbed)), as: f.alice)
            }
            #expect(updated?.message == "1002: Parameter 'password' is invalid: must not contain control characters")
        }
        #expect(
            try await f.vault.revealPassword(id, as: f.alice).revealUTF8().map { Array($0.utf8) } == Array(changed.utf8)
        )
    }

    @Test func emptyNotesClearThemAsNullDoes() async throws {
        let f = try await VaultFixture()
        for clearing: Input<String> in ["", nil] {
            let id = try await f.vault.create(Self.base { $0.notes = "the notes" }, as: f.alice).entity.identifier
            #expect(try await f.vault.revealNotes(id, as: f.alice)?.revealUTF8() == "the notes")
            let result = try await f.vault.update(id, PasswordRequest(notes: clearing), as: f.alice)
            #expect(result.notes == nil)
            #expect(result.notesIncluded)
            #expect(try await f.vault.entity(id, as: f.alice).sealedNotes == nil)
            #expect(try await f.vault.revealNotes(id, as: f.alice) == nil)
            #expect(try await f.vault.reveal(id, as: f.alice).notes == nil)
        }
    }
}
