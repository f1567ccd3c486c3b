import Foundation
import PasswordVault
import Testing

/// The directory's use cases through the vault, and the one name rule (docs/contract.md §3, §4).
@Suite("Directory use cases and the name rule")
struct DirectoryUseCaseTests {
    @Test(arguments: [
        ("ali\u{9B}ce", NameRule.Refusal.controlCharacter),  // C1: renders as "alice" on many terminals
        ("alice\u{2028}", .controlCharacter), ("a\u{0}b", .controlCharacter), ("a\u{7F}", .controlCharacter),
        ("tab\there", .controlCharacter),
        ("\u{202E}ecila", .bidiControl), ("a\u{202A}b", .bidiControl), ("a\u{2066}b\u{2069}", .bidiControl),
        ("a\u{200E}", .bidiControl), ("a\u{200F}", .bidiControl), ("a\u{061C}", .bidiControl),
        ("", .invisible), ("   ", .invisible), ("\u{200B}", .invisible), ("\u{200C}\u{200D}", .invisible),
        ("\u{2060}", .invisible), ("\u{FEFF}", .invisible), ("\u{FE0F}", .invisible), ("\u{3000}", .invisible),
        (String(repeating: "é", count: 201), .tooLong),
    ])
    func theNameRuleRefuses(name: String, refusal: NameRule.Refusal) {
        #expect(throws: refusal) { try NameRule.check(name) }
    }

    @Test(arguments: ["alice", "Test group", "café", "😀", "a\u{200B}b", String(repeating: "é", count: 200), "O'Brien"])
    func theNameRuleAccepts(name: String) throws {
        try NameRule.check(name)
    }

    @Test func quotedNamesCarryNoControlOrBidiCharacter() {
        #expect(NameRule.quoted("ali\u{9B}\u{202E}ce 'x'") == #"'ali\u{9B}\u{202E}ce \u{27}x\u{27}'"#)
    }

    @Test func addUserTakesTheNextIdOrTheGivenOne() async throws {
        let vault = try await Vault.inMemory()
        #expect(try await vault.addUser(named: "alice") == User(id: UserID(rawValue: 1), username: "alice"))
        #expect(try await vault.addUser(named: "bob", id: 40) == User(id: UserID(rawValue: 40), username: "bob"))
        #expect(try await vault.addUser(named: "carol").id == UserID(rawValue: 41))
        #expect(try await vault.users().map(\.username) == ["alice", "bob", "carol"])
        #expect(try await vault.user(named: "bob")?.id == UserID(rawValue: 40))
    }

    @Test func afterTheLargestIdANewUserWithoutAnIdIsRefusedNotATrap() async throws {
        let vault = try await Vault.inMemory()
        try await vault.addUser(named: "big", id: Int64.max)
        await #expect(throws: DirectoryError.noFreeUserID) { try await vault.addUser(named: "next") }
        #expect(try await vault.users().count == 1)
        // An explicit free id still works.
        #expect(try await vault.addUser(named: "small", id: 7).id == UserID(rawValue: 7))
    }

    @Test(arguments: [Int64(0), -1, Int64.min])
    func idsOutsideTheRangeAreRefused(id: Int64) async throws {
        let vault = try await Vault.inMemory()
        await #expect(throws: DirectoryError.invalidUserID(id)) { try await vault.addUser(named: "x", id: id) }
        #expect(
            DirectoryError.invalidUserID(id).message == "a user id must be from 1 to 9223372036854775807, not \(id)")
    }

    @Test func takenNamesAndIdsAreRefusedAndNamesCompareInNFC() async throws {
        let vault = try await Vault.inMemory()
        try await vault.addUser(named: "caf\u{E9}", id: 1)
        await #expect(throws: DirectoryError.usernameTaken("cafe\u{301}")) {
            try await vault.addUser(named: "cafe\u{301}")
        }
        await #expect(throws: DirectoryError.userIDTaken(UserID(rawValue: 1))) {
            try await vault.addUser(named: "bob", id: 1)
        }
        #expect(DirectoryError.userIDTaken(UserID(rawValue: 1)).message == "user id 1 is already taken")
    }

    @Test func invalidNamesAreRefusedForUsersAndGroups() async throws {
        let vault = try await Vault.inMemory()
        await #expect(throws: DirectoryError.invalidName(.username, .controlCharacter)) {
            try await vault.addUser(named: "ali\u{9B}ce")
        }
        await #expect(throws: DirectoryError.invalidName(.groupName, .bidiControl)) {
            try await vault.addGroup(named: "ops\u{202E}")
        }
        #expect(
            DirectoryError.invalidName(.username, .controlCharacter).message
                == "a username must not contain control characters or line breaks")
        #expect(try await vault.users().isEmpty)
        #expect(try await vault.groups().isEmpty)
    }

    @Test func groupsAndMembershipChangeAccessAtOnce() async throws {
        let vault = try await Vault.inMemory()
        let alice = try await vault.addUser(named: "alice")
        let bob = try await vault.addUser(named: "bob")
        await #expect(throws: DirectoryError.userNotFound("ghost")) {
            try await vault.addGroup(named: "ops", members: ["bob", "ghost"])
        }
        #expect(try await vault.groups().isEmpty)  // nothing half-written
        try await vault.addGroup(named: "ops", members: ["bob", "bob"])
        await #expect(throws: DirectoryError.groupExists("ops")) { try await vault.addGroup(named: "ops") }
        #expect(try await vault.groups() == [Group(name: "ops", members: ["bob"])])

        let created = try await vault.create(
            PasswordRequest(
                name: "mail", username: "a", password: "p",
                groupsAllowed: .value([ShareRequest(name: "ops", canEdit: false)])),
            as: alice)
        let id = created.entity.identifier
        #expect(try await vault.revealPassword(id, as: bob).revealUTF8() == "p")
        try await vault.removeMember("bob", from: "ops")
        await #expect(throws: VaultError.notFound) { try await vault.revealPassword(id, as: bob) }
        try await vault.addMember("bob", to: "ops")
        #expect(try await vault.revealPassword(id, as: bob).revealUTF8() == "p")
        await #expect(throws: DirectoryError.groupNotFound("nope")) { try await vault.addMember("bob", to: "nope") }
        await #expect(throws: DirectoryError.userNotFound("eve")) { try await vault.addMember("eve", to: "ops") }
    }

    @Test func aHostDirectoryThatTakesNoChangesIsSaidSo() async throws {
        struct ReadOnly: Directory {
            func user(named username: String) async throws -> User? { nil }
            func user(id: UserID) async throws -> User? { nil }
            func groupExists(named name: String) async throws -> Bool { false }
            func groups(containing username: String) async throws -> Set<String> { [] }
            func members(ofGroup name: String) async throws -> Set<String>? { nil }
        }
        let vault = try await Vault.inMemory(directory: ReadOnly())
        await #expect(throws: DirectoryError.notEditable) { try await vault.addUser(named: "alice") }
    }

    @Test func aShareNamingAnInvalidNameIs1002() async throws {
        let vault = try await Vault.inMemory()
        let alice = try await vault.addUser(named: "alice")
        let cases: [(PasswordRequest, String)] = [
            (
                PasswordRequest(
                    name: "n", username: "u", password: "p", usersAllowed: .value([ShareRequest(name: "bo\u{9B}b")])),
                "1002: Parameter 'users_allowed' is invalid: item 1: 'username' must not contain control characters or line breaks"
            ),
            (
                PasswordRequest(
                    name: "n", username: "u", password: "p",
                    groupsAllowed: .value([ShareRequest(name: "ops"), ShareRequest(name: "\u{202E}ops")])),
                "1002: Parameter 'groups_allowed' is invalid: item 2: 'name' must not contain bidirectional formatting characters"
            ),
            (
                PasswordRequest(
                    name: "n", username: "u", password: "p",
                    usersAllowed: .value([ShareRequest(name: "\u{200B}\u{FEFF}")])),
                "1002: Parameter 'users_allowed' is invalid: item 1: 'username' must have at least one visible character"
            ),
        ]
        for (request, message) in cases {
            do {
                _ = try await vault.create(request, as: alice)
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.message == message)
            }
        }
    }
}
