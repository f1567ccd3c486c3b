import Foundation
import PasswordVault
import PasswordVaultTesting
import Testing

/// The testing product (docs/contract.md §17) through its public API, as a consumer's tests use it.
@Suite("PasswordVaultTesting: a vault for tests")
struct TestVaultTests {
    @Test func usersAndEntriesGetIdentifiersInOrder() async throws {
        let t = try await TestVault.make()
        for (index, name) in TestVault.defaultUsers.enumerated() {
            #expect(try t.user(name) == User(id: UserID(rawValue: Int64(index + 1)), username: name))
        }
        let groups = try await t.vault.groups()
        #expect(groups.map(\.name).sorted() == ["editors", "viewers"])
        #expect(groups.first { $0.name == "editors" }?.members == Set(["carol"]))
        #expect(try await t.createEntry("first") == EntryID(rawValue: 1))
        #expect(try await t.createEntry("second", owner: "bob") == EntryID(rawValue: 2))
        let unknown = #expect(throws: UnknownTestUser.self) { try t.user("nobody") }
        #expect(unknown?.description == "the test vault has no user named \"nobody\"")
    }

    @Test func sharesGiveTheRolesTheyName() async throws {
        let t = try await TestVault.make()
        let id = try await t.createEntry("mail", viewers: ["bob"], groupEditors: ["editors"])
        let bob = try t.user("bob")
        #expect(try await t.vault.revealPassword(id, as: bob).revealUTF8() == TestVault.password)
        try await expectRefusal(1006, message: "1006: User does not have access") {
            try await t.vault.update(id, PasswordRequest(name: "bob's"), as: bob)
        }
        try await expectRefusal(1005) { try await t.vault.revealPassword(id, as: try t.user("mallory")) }
        let edited = try await t.vault.update(id, PasswordRequest(name: "carol's"), as: try t.user("carol"))
        #expect(edited.entity.name == "carol's")
    }

    @Test func theClockStepsTheCodes() async throws {
        // RFC 6238 appendix B's SHA-1 key, at T = 59 s and T = 1111111109 s: 94287082 and 07081804,
        // of which a 6-digit code keeps the last six digits.
        let t = try await TestVault.make(at: Date(timeIntervalSince1970: 59))
        let id = try await t.createEntry(secretKey: TestVault.secretKey)
        let alice = try t.user("alice")
        #expect(try await t.vault.code(id, as: alice) == "287082")
        t.clock.set(Date(timeIntervalSince1970: 1_111_111_109))
        #expect(try await t.vault.code(id, as: alice) == "081804")
        t.clock.advance(by: .seconds(-1_111_111_050))
        #expect(t.clock.now() == Date(timeIntervalSince1970: 59))
        #expect(try await t.vault.code(id, as: alice) == "287082")
        let entity = try await t.vault.entity(id, as: alice)
        #expect(entity.createdAt == Date(timeIntervalSince1970: 59))
    }

    @Test func itReopensWithItsPassphraseOnly() async throws {
        let t = try await TestVault.make(passphrase: "correct horse")
        let id = try await t.createEntry(notes: "the notes")
        let reopened = try await t.reopen()
        #expect(try await reopened.revealNotes(id, as: try t.user("alice"))?.revealUTF8() == "the notes")
        await #expect(throws: VaultKeyError.wrongPassphraseOrKey) { try await t.reopen(passphrase: "wrong horse") }
    }
}

@Suite("PasswordVaultTesting: refusals asserted by their code")
struct RefusalAssertionTests {
    @Test func theExpectedRefusalIsReturned() async throws {
        let error = try await expectRefusal(1007) { () async throws -> Int in throw VaultError.disabled }
        #expect(error == .disabled)
    }

    @Test func aSuccessIsAMismatchThatShowsNoValue() async throws {
        let mismatch = await #expect(throws: RefusalMismatch.self) {
            try await expectRefusal(1006) { "a secret the call returned" }
        }
        #expect(mismatch?.description == "expected refusal 1006, but the call succeeded")
    }

    @Test func anotherCodeIsAMismatch() async throws {
        let mismatch = await #expect(throws: RefusalMismatch.self) {
            try await expectRefusal(1006) { () async throws -> Int in throw VaultError.notFound }
        }
        #expect(mismatch?.description == "expected refusal 1006, but it was refused with 1005: Password not found")
    }

    @Test func anotherErrorTypeIsAMismatch() async throws {
        let mismatch = await #expect(throws: RefusalMismatch.self) {
            try await expectRefusal(1005) { () async throws -> Int in throw CancellationError() }
        }
        #expect(mismatch?.description == "expected refusal 1005, but it threw CancellationError: CancellationError()")
    }

    @Test func anotherMessageIsAMismatch() async throws {
        let mismatch = await #expect(throws: RefusalMismatch.self) {
            try await expectRefusal(1001, message: "1001: Parameter 'url' was not informed!") {
                () async throws -> Int in throw VaultError.notInformed(field: "name")
            }
        }
        #expect(
            mismatch?.description
                == "expected refusal 1001, but its message was \"1001: Parameter 'name' was not informed!\", not \"1001: Parameter 'url' was not informed!\""
        )
    }
}
