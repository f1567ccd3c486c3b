import Foundation
import Testing

@testable import PasswordVault

/// docs/contract.md §3, rule by rule, each message asserted exactly.
@Suite("Field rules")
struct RulesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var request: PasswordRequest
        /// The exact message, or nil when the request must pass.
        var message: String?
        var testDescription: String { label }
    }

    static func base(
        _ change: (inout PasswordRequest) -> Void = { _ in }
    ) -> PasswordRequest {
        var request = PasswordRequest(name: "senseg account", username: "npass", password: "8jhfy@3789")
        change(&request)
        return request
    }

    static func long(_ n: Int) -> String { String(repeating: "a", count: n) }
    static let createCases: [Case] = [
        Case(label: "empty body", request: PasswordRequest(), message: "1001: Parameter 'name' was not informed!"),
        Case(
            label: "name only", request: PasswordRequest(name: "x"),
            message: "1001: Parameter 'username' was not informed!"),
        Case(
            label: "no password", request: PasswordRequest(name: "x", username: "y"),
            message: "1001: Parameter 'password' was not informed!"),
        Case(
            label: "blank name", request: base { $0.name = " \t\n " },
            message: "1001: Parameter 'name' was not informed!"),
        Case(label: "empty name", request: base { $0.name = "" }, message: "1001: Parameter 'name' was not informed!"),
        Case(label: "null name", request: base { $0.name = nil }, message: "1001: Parameter 'name' was not informed!"),
        Case(
            label: "null username", request: base { $0.username = nil },
            message: "1001: Parameter 'username' was not informed!"),
        Case(
            label: "blank password", request: base { $0.password = "   " },
            message: "1001: Parameter 'password' was not informed!"),
        Case(
            label: "1001 comes before 1002",
            request: PasswordRequest(name: .invalid(reason: "expected a string, got a number"), password: "p"),
            message: "1001: Parameter 'username' was not informed!"),
        Case(
            label: "wrong type", request: base { $0.name = .invalid(reason: "expected a string, got a number") },
            message: "1002: Parameter 'name' is invalid: expected a string, got a number"),
        Case(label: "name of 200", request: base { $0.name = .value(long(200)) }, message: nil),
        Case(
            label: "name of 201", request: base { $0.name = .value(long(201)) },
            message: "1002: Parameter 'name' is invalid: must have at most 200 characters"),
        Case(
            label: "limits count scalars, not characters",
            request: base { $0.name = .value(String(repeating: "e\u{301}", count: 101)) },
            message: "1002: Parameter 'name' is invalid: must have at most 200 characters"),
        Case(
            label: "200 emoji are 200 scalars", request: base { $0.name = .value(String(repeating: "😀", count: 200)) },
            message: nil),
        Case(
            label: "line break in name", request: base { $0.name = "a\nb" },
            message: "1002: Parameter 'name' is invalid: must not contain control characters or line breaks"),
        Case(
            label: "DEL in username", request: base { $0.username = "a\u{7F}" },
            message: "1002: Parameter 'username' is invalid: must not contain control characters or line breaks"),
        Case(
            label: "C1 control in username", request: base { $0.username = "a\u{85}" },
            message: "1002: Parameter 'username' is invalid: must not contain control characters or line breaks"),
        Case(label: "password of 1024", request: base { $0.password = .value(long(1024)) }, message: nil),
        Case(
            label: "password of 1025", request: base { $0.password = .value(long(1025)) },
            message: "1002: Parameter 'password' is invalid: must have at most 1024 characters"),
        Case(
            label: "NUL in password", request: base { $0.password = "a\u{0}b" },
            message: "1002: Parameter 'password' is invalid: must not contain control characters"),
        Case(label: "url without scheme", request: base { $0.url = "www.senhasegura.com" }, message: nil),
        Case(label: "url of 2048", request: base { $0.url = .value(long(2048)) }, message: nil),
        Case(
            label: "url of 2049", request: base { $0.url = .value(long(2049)) },
            message: "1002: Parameter 'url' is invalid: must have at most 2048 characters"),
        Case(
            label: "url with a line break", request: base { $0.url = "http://a\r\nb" },
            message: "1002: Parameter 'url' is invalid: must not contain control characters or line breaks"),
        Case(
            label: "url with a line separator", request: base { $0.url = "a\u{2028}b" },
            message: "1002: Parameter 'url' is invalid: must not contain control characters or line breaks"),
        Case(label: "notes with lines and tabs", request: base { $0.notes = "line 1\n\tline 2\r\n" }, message: nil),
        Case(label: "notes of 10000", request: base { $0.notes = .value(long(10_000)) }, message: nil),
        Case(
            label: "notes of 10001", request: base { $0.notes = .value(long(10_001)) },
            message: "1002: Parameter 'notes' is invalid: must have at most 10000 characters"),
        Case(
            label: "NUL in notes", request: base { $0.notes = "a\u{0}" },
            message: "1002: Parameter 'notes' is invalid: must not contain control characters"),
        Case(label: "seed example 1", request: base { $0.secretKey = "JBSWY3DPEHPK3PXP" }, message: nil),
        Case(label: "seed example 2", request: base { $0.secretKey = "3DPEHPK3PXPGHODADA" }, message: nil),
        Case(label: "pasted seed with spaces", request: base { $0.secretKey = "jbsw y3dp ehpk 3pxp" }, message: nil),
        Case(label: "empty seed is absent on create", request: base { $0.secretKey = "" }, message: nil),
        Case(label: "64 tags", request: base { $0.tags = .value((1...64).map { "t\($0)" }) }, message: nil),
        Case(
            label: "65 tags", request: base { $0.tags = .value((1...65).map { "t\($0)" }) },
            message: "1002: Parameter 'tags' is invalid: must have at most 64 tags"),
        Case(
            label: "a tag of 65", request: base { $0.tags = .value([long(65)]) },
            message:
                "1002: Parameter 'tags' is invalid: each tag must have at most 64 characters and no control characters"),
        Case(
            label: "tags of the wrong type",
            request: base { $0.tags = .invalid(reason: "expected a string or an array of strings, got a number") },
            message: "1002: Parameter 'tags' is invalid: expected a string or an array of strings, got a number"),
        Case(
            label: "share without username",
            request: base { $0.usersAllowed = .value([ShareRequest(name: .absent, canEdit: true)]) },
            message: "1002: Parameter 'users_allowed' is invalid: item 1: 'username' was not informed"),
        Case(
            label: "share with blank name",
            request: base { $0.groupsAllowed = .value([ShareRequest(name: "Test group"), ShareRequest(name: "  ")]) },
            message: "1002: Parameter 'groups_allowed' is invalid: item 2: 'name' was not informed"),
        Case(
            label: "share name of the wrong type",
            request: base { $0.usersAllowed = .value([ShareRequest(name: .invalid(reason: "x"))]) },
            message: "1002: Parameter 'users_allowed' is invalid: item 1: 'username' must be a string"),
        Case(
            label: "can_edit not a boolean",
            request: base { $0.usersAllowed = .value([ShareRequest(name: "bob", canEdit: .invalid(reason: "x"))]) },
            message: "1002: Parameter 'users_allowed' is invalid: item 1: 'can_edit' must be a boolean"),
        Case(
            label: "can_edit null",
            request: base { $0.usersAllowed = .value([ShareRequest(name: "bob", canEdit: .null)]) },
            message: "1002: Parameter 'users_allowed' is invalid: item 1: 'can_edit' must be a boolean"),
        Case(
            label: "share list of the wrong type",
            request: base { $0.groupsAllowed = .invalid(reason: "expected an array of objects, got a string") },
            message: "1002: Parameter 'groups_allowed' is invalid: expected an array of objects, got a string"),
        Case(
            label: "1001 shares",
            request: base { $0.usersAllowed = .value((0...1000).map { ShareRequest(name: .value("u\($0)")) }) },
            message: "1002: Parameter 'users_allowed' is invalid: must have at most 1000 items"),
        Case(
            label: "fields are checked in order",
            request: base {
                $0.url = "a\nb"; $0.tags = .value([long(65)])
            },
            message: "1002: Parameter 'url' is invalid: must not contain control characters or line breaks"),
    ]

    @Test(arguments: createCases)
    func create(_ c: Case) async throws {
        let f = try await VaultFixture()
        do {
            let result = try await f.vault.create(c.request, as: f.alice)
            #expect(c.message == nil, "accepted, expected \(c.message ?? "")")
            #expect(try await f.vault.entity(result.entity.identifier, as: f.alice) == result.entity)
        } catch {
            #expect(error.message == c.message)
            // One request is one atomic change: nothing was stored, no identifier burned into an entry.
            #expect(f.storage.count == 0)
        }
    }

    @Test func badSeedNamesItsPositionNotItsCharacters() async throws {
        let f = try await VaultFixture()
        let error = await #expect(throws: VaultError.self) {
            try await f.vault.create(Self.base { $0.secretKey = "JBSWY3DP!HPK3PXP" }, as: f.alice)
        }
        // docs/contract.md §3 and §5: the position (from 1), never the character or the seed.
        #expect(
            error?.message == "1002: Parameter 'secret_key' is invalid: not base32: invalid character at position 9")
    }

    @Test func tagsAreNormalised() async throws {
        let f = try await VaultFixture()
        let result = try await f.vault.create(
            Self.base { $0.tags = .value(Tags.split(" tag1, tag2,,tag1 , tag3 ")) }, as: f.alice)
        #expect(result.entity.tags == ["tag1", "tag2", "tag3"])
        #expect(Tags.join(result.entity.tags) == "tag1, tag2, tag3")
        #expect(Tags.normalize(Tags.normalize(["a ", " a", "b"])) == ["a", "b"])
    }

    @Test func sharesMergeAndUnknownOnesAreReported() async throws {
        let f = try await VaultFixture()
        let request = Self.base {
            $0.usersAllowed = .value([
                ShareRequest(name: "bob"), ShareRequest(name: "ghost", canEdit: true), ShareRequest(name: "alice"),
                ShareRequest(name: "bob", canEdit: true), ShareRequest(name: "erin", canEdit: false),
            ])
            $0.groupsAllowed = .value([ShareRequest(name: "nobody-group"), ShareRequest(name: "viewers")])
        }
        let result = try await f.vault.create(request, as: f.alice)
        #expect(result.entity.usersAllowed == [UserShare(username: "bob", canEdit: true), UserShare(username: "erin")])
        #expect(result.entity.groupsAllowed == [GroupShare(name: "viewers")])
        #expect(
            result.sharedErrors == [
                ShareError(kind: .user, name: "ghost", reason: .userNotFound),
                ShareError(kind: .user, name: "alice", reason: .ownerAlreadyHasAccess),
                ShareError(kind: .group, name: "nobody-group", reason: .groupNotFound),
            ])
    }

    @Test func ownerIsTheCallerNeverTheRequest() async throws {
        let f = try await VaultFixture()
        let result = try await f.vault.create(Self.base(), as: f.bob)
        #expect(result.entity.owner == f.bob.id)
        #expect(result.entity.version == 1)
        #expect(result.entity.isActive)
        #expect(result.entity.createdAt == VaultFixture.now)
    }

    @Test func identifiersAreNeverReused() async throws {
        let f = try await VaultFixture()
        let first = try await f.vault.create(Self.base(), as: f.alice).entity.identifier
        try await f.vault.delete(first, as: f.alice)
        _ = try? await f.vault.create(PasswordRequest(), as: f.alice)
        let second = try await f.vault.create(Self.base(), as: f.alice).entity.identifier
        #expect(second > first)
    }
}
