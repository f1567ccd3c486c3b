import Foundation
import Testing

@testable import PasswordVault

/// Partial updates: absent leaves, null/"" clears (optional fields), blank required fields are 1001,
/// share lists are replaced whole or removed by [].
@Suite("Update semantics")
struct UpdateSemanticsTests {
    @Test func absentFieldsAreLeftAlone() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let before = try await f.vault.entity(id, as: f.alice)
        let result = try await f.vault.update(id, PasswordRequest(), includingNotes: true, as: f.alice)
        #expect(result.entity == before)
        #expect(result.notes?.revealUTF8() == "the notes")
        #expect(result.notesIncluded)
        // Nothing changed, so nothing was written and the version stays.
        #expect(try await f.vault.entity(id, as: f.alice).version == before.version)
    }

    @Test func anUpdateLeavingTheNotesDoesNotOpenThemUnlessAsked() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let result = try await f.vault.update(id, PasswordRequest(name: "renamed"), as: f.alice)
        #expect(result.entity.name == "renamed")
        #expect(result.notes == nil)
        #expect(!result.notesIncluded)
        // The stored notes are still there, unchanged.
        #expect(try await f.vault.revealNotes(id, as: f.alice)?.revealUTF8() == "the notes")
        // Setting them includes them without opening anything.
        let set = try await f.vault.update(id, PasswordRequest(notes: "new notes"), as: f.alice)
        #expect(set.notes?.revealUTF8() == "new notes")
        #expect(set.notesIncluded)
    }

    @Test func valuesReplaceAndVersionIncrements() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let result = try await f.vault.update(
            id,
            PasswordRequest(
                name: "senhasegura account", username: "senhapass", password: "x%8jhfy@3789a", url: "www.url.com",
                secretKey: "3DPEHPK3PXPGHODADA", notes: "Access details for this key.", tags: .value(["access"])),
            as: f.bob)
        #expect(result.entity.name == "senhasegura account")
        #expect(result.entity.username == "senhapass")
        #expect(result.entity.url == "www.url.com")
        #expect(result.entity.tags == ["access"])
        #expect(result.entity.version == 2)
        #expect(result.notes?.revealUTF8() == "Access details for this key.")
        #expect(try await f.vault.revealPassword(id, as: f.erin).revealUTF8() == "x%8jhfy@3789a")
        let seed = try #require(try await f.vault.revealSecretKey(id, as: f.erin))
        #expect(Base32.encode(seed.secret) == "3DPEHPK3PXPGHODADA")
        // Sharing untouched by an editor's field update.
        #expect(result.entity.usersAllowed.count == 3)
    }

    @Test(arguments: [Input<String>.null, .value("")])
    func nullOrEmptyClearsOptionalFields(_ clear: Input<String>) async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        var request = PasswordRequest(url: clear, secretKey: clear, notes: clear)
        request.tags = clear == .null ? .null : .value([""])
        let result = try await f.vault.update(id, request, as: f.alice)
        #expect(result.entity.url == "")
        #expect(result.entity.tags == [])
        #expect(!result.entity.hasSecretKey)
        #expect(!result.entity.hasNotes)
        #expect(result.notes == nil)
        #expect(try await f.vault.code(id, as: f.alice) == nil)
        #expect(try await f.vault.revealNotes(id, as: f.alice) == nil)
    }

    @Test(arguments: ["name", "username", "password"], [Input<String>.null, .value(""), .value("  ")])
    func requiredFieldsCannotBeBlanked(_ field: String, _ value: Input<String>) async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        var request = PasswordRequest()
        switch field {
        case "name": request.name = value
        case "username": request.username = value
        default: request.password = value
        }
        await #expect(throws: VaultError.notInformed(field: field)) {
            try await f.vault.update(id, request, as: f.alice)
        }
    }

    @Test func emptyShareListRemovesThatKindOnly() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let result = try await f.vault.update(id, PasswordRequest(usersAllowed: .value([])), as: f.alice)
        #expect(result.entity.usersAllowed.isEmpty)
        #expect(result.entity.groupsAllowed.count == 2)
        await #expect(throws: VaultError.notFound) { try await f.vault.entity(id, as: f.bob) }
        #expect(try await f.vault.effectiveRole(of: id, for: f.carol) == .editor)
    }

    @Test func aListReplacesTheWholeSet() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let result = try await f.vault.update(
            id, PasswordRequest(groupsAllowed: .value([ShareRequest(name: "Test group", canEdit: true)])), as: f.alice)
        #expect(result.entity.groupsAllowed == [GroupShare(name: "Test group", canEdit: true)])
        #expect(result.entity.usersAllowed.count == 3)
        #expect(try await f.vault.effectiveRole(of: id, for: f.frank) == nil)
        #expect(try await f.vault.effectiveRole(of: id, for: f.pduarte) == .editor)
        #expect(try await f.vault.effectiveRole(of: id, for: f.dave) == .viewer)
    }

    @Test func nullShareListLeavesSharingAlone() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        // null is not a request to share, so an editor may send it.
        let result = try await f.vault.update(id, PasswordRequest(name: "n", usersAllowed: .null), as: f.bob)
        #expect(result.entity.usersAllowed.count == 3)
    }

    @Test func aFailingRuleWritesNothing() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let before = try await f.vault.entity(id, as: f.alice)
        await #expect(
            throws: VaultError.invalidParameter(
                field: "url", reason: "must not contain control characters or line breaks")
        ) {
            try await f.vault.update(id, PasswordRequest(name: "fine", url: "bad\nurl"), as: f.alice)
        }
        #expect(try await f.vault.entity(id, as: f.alice) == before)
    }

    @Test func disabledEntriesRefuseRevealAndUpdateButNotMetadata() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        #expect(try await f.vault.disable(id, as: f.bob) == .changed)
        #expect(try await f.vault.disable(id, as: f.alice) == .alreadyInState)
        await #expect(throws: VaultError.disabled) { try await f.vault.revealPassword(id, as: f.alice) }
        await #expect(throws: VaultError.disabled) { try await f.vault.revealNotes(id, as: f.erin) }
        await #expect(throws: VaultError.disabled) { try await f.vault.code(id, as: f.alice) }
        await #expect(throws: VaultError.disabled) { try await f.vault.reveal(id, as: f.alice) }
        await #expect(throws: VaultError.disabled) {
            try await f.vault.update(id, PasswordRequest(name: "n"), as: f.alice)
        }
        #expect(try await f.vault.entity(id, as: f.erin).isActive == false)
        #expect(try await f.vault.list(as: f.alice).isEmpty)
        #expect(try await f.vault.list(includeDisabled: true, as: f.alice).map(\.entity.identifier) == [id])
        #expect(try await f.vault.enable(id, as: f.carol) == .changed)
        #expect(try await f.vault.enable(id, as: f.carol) == .alreadyInState)
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p4ssw0rd!")
    }

    @Test func totpCodeFollowsTheClock() async throws {
        // RFC 6238 Appendix B, SHA-1, T = 59 s: 94287082 (8 digits); 6 digits: 287082.
        let f = try await VaultFixture(clock: FixedClock(Date(timeIntervalSince1970: 59)))
        let request = PasswordRequest(
            name: "n", username: "u", password: "p", secretKey: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        let id = try await f.vault.create(request, as: f.alice).entity.identifier
        #expect(try await f.vault.code(id, as: f.alice) == "287082")
        #expect(try await f.vault.code(id, at: Date(timeIntervalSince1970: 1_111_111_109), as: f.alice) == "081804")
        let uri = "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8&issuer=ACME"
        let other = try await f.vault.create(
            PasswordRequest(name: "n", username: "u", password: "p", secretKey: .value(uri)), as: f.alice)
        #expect(try await f.vault.code(other.entity.identifier, as: f.alice) == "94287082")
    }
}
