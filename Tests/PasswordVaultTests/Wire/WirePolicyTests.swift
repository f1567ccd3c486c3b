import Foundation
import Testing

@testable import PasswordVault

/// The access policies on the wire (docs/contract.md §13): `can_reveal` in share items, the
/// policies on create and update, `?justification=`, the request routes and their refusals.
@Suite("Wire: access policies")
struct WirePolicyTests {
    let clock = SteppingClock(VaultFixture.now)
    let f: VaultFixture
    let api: WireHandler

    init() async throws {
        f = try await VaultFixture(clock: clock)
        api = WireHandler(vault: f.vault)
    }

    func call(_ method: String, _ path: String, _ body: String = "", as user: User) async -> WireResponse {
        await api.handle(WireRequest(method: method, path: path, body: Array(body.utf8)), as: user)
    }

    func refusal(
        _ answer: WireResponse, _ code: Int, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        #expect(answer.status == 400, "\(answer.bodyText)", sourceLocation: sourceLocation)
        let body = try json(answer.body)
        #expect(body["exception"]?["code"] == .int(code), "\(answer.bodyText)", sourceLocation: sourceLocation)
        #expect(body["exception"]?["message"] == .string(message), sourceLocation: sourceLocation)
    }

    static func success(_ status: Int, _ message: String) -> String {
        """
        "code":\(status),"response":{"status":\(status),"message":"\(message)","error":false,"error_code":0,\
        "detail":"","mensagem":"\(message)","erro":false,"cod_erro":0}
        """
    }

    /// Alice's entry, shared with bob (editor) and erin without reveal, and with `editors`.
    func create(_ extra: String = "") async throws -> String {
        let answer = await call(
            "POST", "api/mysafe/password",
            #"""
            {"name": "db", "username": "svc", "password": "p4ssw0rd!", "secret_key": "JBSWY3DPEHPK3PXP",
             "notes": "the notes", "users_allowed": [{"username": "bob", "can_edit": true},
             {"username": "erin", "can_reveal": false}], "groups_allowed": [{"name": "editors", "can_edit": true}]
            """# + extra + "}", as: f.alice)
        #expect(answer.status == 201, "\(answer.bodyText)")
        guard case .string(let id)? = try json(answer.body)["password_entity"]?["identifier"] else {
            Issue.record("no identifier in \(answer.bodyText)")
            return ""
        }
        return id
    }

    @Test func canRevealIsEchoedOnlyWhereFalseAndWithholdsTheSecrets() async throws {
        let id = try await create()
        let answer = await call("GET", "api/mysafe/password/\(id)", as: f.erin)
        #expect(answer.status == 200, "\(answer.bodyText)")
        let body = try json(answer.body)["password_entity"]
        #expect(body?["password"] == .null && body?["notes"] == .null && body?["secret_key"] == .null)
        guard case .string(let token)? = body?["token"] else {
            Issue.record("no token in \(answer.bodyText)")
            return
        }
        #expect(token.count == 6)
        #expect(
            body?["users_allowed"]
                == .array([
                    .object([("username", .string("bob")), ("can_edit", .bool(true))]),
                    .object([("username", .string("erin")), ("can_edit", .bool(false)), ("can_reveal", .bool(false))]),
                ]))
        for secret in ["p4ssw0rd!", "the notes", "JBSWY3DPEHPK3PXP"] { #expect(!answer.bodyText.contains(secret)) }
        let list = try json(await call("GET", "api/mysafe/password", as: f.erin).body)
        #expect(list["password_on_list"]?[0]?["can_view"] == .bool(false))
        let listed = try json(await call("GET", "api/mysafe/password", as: f.carol).body)
        #expect(listed["password_on_list"]?[0]?["can_view"] == .bool(true))
        try refusal(
            await call(
                "PUT", "api/mysafe/password/update/\(id)",
                #"{"users_allowed": [{"username": "erin", "can_reveal": 1}]}"#, as: f.alice),
            1002, "1002: Parameter 'users_allowed' is invalid: item 1: 'can_reveal' must be a boolean")
    }

    @Test func listItemsShowThePoliciesThatBindTheCaller() async throws {
        let id = try await create(#", "need_justify": true, "need_approval": 2"#)
        func item(_ user: User) async throws -> JSONValue? {
            try json(await call("GET", "api/mysafe/password", as: user).body)["password_on_list"]?[0]
        }
        #expect(try await item(f.alice)?["need_justify"] == .string("0"))
        #expect(try await item(f.alice)?["need_approval"] == .string("0"))
        #expect(try await item(f.bob)?["need_justify"] == .string("1"))
        #expect(try await item(f.bob)?["need_approval"] == .string("1"))
        // The owner's get-one shows the policies themselves.
        let mine = try json(await call("GET", "api/mysafe/password/\(id)", as: f.alice).body)["password_entity"]
        #expect(mine?["need_justify"] == .bool(true) && mine?["need_approval"] == .int(2))
    }

    @Test func policiesAreTheOwnersAndChecked() async throws {
        let id = try await create()
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_justify": false}"#, as: f.bob),
            1006, "1006: User does not have access")
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_approval": 2}"#, as: f.mallory),
            1005, "1005: Password not found")
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_approval": 1.5}"#, as: f.alice),
            1002, "1002: Parameter 'need_approval' is invalid: expected an integer, got a number that is not one")
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_approval": "2"}"#, as: f.alice),
            1002, "1002: Parameter 'need_approval' is invalid: expected an integer, got a string")
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_approval": 6}"#, as: f.alice),
            1002, "1002: Parameter 'need_approval' is invalid: must be an integer from 0 to 5")
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_justify": "yes"}"#, as: f.alice),
            1002, "1002: Parameter 'need_justify' is invalid: expected a boolean, got a string")
        // alice, bob, carol and dave: four approvers.
        try refusal(
            await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_approval": 5}"#, as: f.alice),
            1002, "1002: Parameter 'need_approval' is invalid: the entry has 4 approvers (its owner and editors)")
        let set = await call("PUT", "api/mysafe/password/update/\(id)", #"{"need_approval": 4}"#, as: f.alice)
        #expect(set.status == 200, "\(set.bodyText)")
    }

    @Test func justificationOnTheQuery() async throws {
        let id = try await create(#", "need_justify": true"#)
        try refusal(await call("GET", "api/mysafe/password/\(id)", as: f.bob), 1009, "1009: Justification is required")
        try refusal(
            await call("GET", "api/mysafe/password/\(id)?justification=", as: f.bob), 1009,
            "1009: Justification is required")
        try refusal(
            await call("GET", "api/mysafe/password/history/\(id)", as: f.bob), 1009, "1009: Justification is required")
        try refusal(
            await call("GET", "api/mysafe/password/\(id)?justification=a%0Ab", as: f.bob), 1002,
            "1002: Parameter 'justification' is invalid: must not contain control characters or line breaks")
        let ok = await call("GET", "api/mysafe/password/\(id)?justification=INC+42%20db", as: f.bob)
        #expect(ok.status == 200, "\(ok.bodyText)")
        #expect(try json(ok.body)["password_entity"]?["password"] == .string("p4ssw0rd!"))
        #expect(try await f.vault.auditRecords().last?.event.justification == "INC 42 db")
        let version = await call("GET", "api/mysafe/password/history/\(id)/1?justification=x", as: f.bob)
        #expect(version.status == 200, "\(version.bodyText)")
        // The owner needs none; a stranger still learns only 1005.
        #expect(await call("GET", "api/mysafe/password/\(id)", as: f.alice).status == 200)
        try refusal(await call("GET", "api/mysafe/password/\(id)", as: f.mallory), 1005, "1005: Password not found")
    }

    @Test func theRequestRoutesEndToEnd() async throws {
        let id = try await create(#", "need_approval": 2"#)
        try refusal(await call("GET", "api/mysafe/password/\(id)", as: f.erin), 1010, "1010: Access requires approval")
        let made = await call(
            "POST", "api/mysafe/password/request/\(id)", #"{"justification": "INC-7", "minutes": 30}"#, as: f.erin)
        #expect(made.status == 201, "\(made.bodyText)")
        let expected = try json(
            Array(
                """
                {\(Self.success(201, "Access request registered")),"access_request":{"identifier":"1",
                "password_identifier":"\(id)","requester":"erin","justification":"INC-7","minutes":30,
                "state":"pending","approvals":0,"created_at":"2023-11-14T22:13:20.000Z","expires_at":null}}
                """.utf8))
        #expect(try json(made.body) == expected)

        let pending = try json(await call("GET", "api/mysafe/password/requests", as: f.bob).body)
        #expect(pending["access_requests"]?[0]?["identifier"] == .string("1"))
        let mine = try json(await call("GET", "api/mysafe/password/requests", as: f.erin).body)
        #expect(mine["access_requests"]?[0]?["state"] == .string("pending"))
        #expect(
            try json(await call("GET", "api/mysafe/password/requests", as: f.frank).body)["access_requests"]
                == .array([]))

        try refusal(
            await call("POST", "api/mysafe/password/request/approve/1", as: f.erin), 1006,
            "1006: User does not have access")
        let first = await call("POST", "api/mysafe/password/request/approve/1", as: f.bob)
        #expect(first.status == 200, "\(first.bodyText)")
        #expect(try json(first.body)["response"]?["message"] == .string("Access request approved"))
        #expect(try json(first.body)["access_request"]?["approvals"] == .int(1))
        try refusal(
            await call("POST", "api/mysafe/password/request/approve/1", as: f.bob), 1006,
            "1006: User does not have access")
        clock.advance(by: 5)
        let second = try json(await call("POST", "api/mysafe/password/request/approve/1", as: f.alice).body)
        #expect(second["access_request"]?["state"] == .string("approved"))
        #expect(second["access_request"]?["expires_at"] == .string("2023-11-14T22:43:25.000Z"))
        let read = await call("GET", "api/mysafe/password/\(id)", as: f.erin)
        #expect(read.status == 200, "\(read.bodyText)")

        // A second request, denied.
        _ = await call("POST", "api/mysafe/password/request/\(id)", #"{"justification": "again"}"#, as: f.erin)
        let denied = await call("POST", "api/mysafe/password/request/deny/2", as: f.carol)
        #expect(try json(denied.body)["response"]?["message"] == .string("Access request denied"))
        #expect(try json(denied.body)["access_request"]?["state"] == .string("denied"))
        #expect(try json(denied.body)["access_request"]?["minutes"] == .int(60))
        clock.advance(by: 30 * 60)
        try refusal(await call("GET", "api/mysafe/password/\(id)", as: f.erin), 1010, "1010: Access requires approval")
        let states = try json(await call("GET", "api/mysafe/password/requests", as: f.erin).body)
        #expect(states["access_requests"]?[0]?["state"] == .string("expired"))
        #expect(states["access_requests"]?[1]?["state"] == .string("denied"))
    }

    @Test(arguments: [
        ("POST", "request/ID", #"{"justification": "x"}"#, "mallory", 1005, "1005: Password not found"),
        ("POST", "request/999", #"{"justification": "x"}"#, "erin", 1005, "1005: Password not found"),
        ("POST", "request/ID", "[1]", "erin", 1000, "1000: Request body is not valid JSON"),
        ("POST", "request/ID", "{}", "erin", 1001, "1001: Parameter 'justification' was not informed!"),
        (
            "POST", "request/ID", #"{"justification": 5}"#, "erin", 1002,
            "1002: Parameter 'justification' is invalid: expected a string, got a number"
        ),
        (
            "POST", "request/ID", #"{"justification": "x", "minutes": 0}"#, "erin", 1002,
            "1002: Parameter 'minutes' is invalid: must be an integer from 1 to 1440"
        ),
        (
            "POST", "request/ID", #"{"justification": "x", "minutes": 1441}"#, "erin", 1002,
            "1002: Parameter 'minutes' is invalid: must be an integer from 1 to 1440"
        ),
        (
            "POST", "request/ID", #"{"justification": "x", "minutes": "60"}"#, "erin", 1002,
            "1002: Parameter 'minutes' is invalid: must be an integer from 1 to 1440"
        ),
        (
            "POST", "request/ID", #"{"justification": "x"}"#, "alice", 1002,
            "1002: Parameter 'identifier' is invalid: the entry asks no approval of this user"
        ),
        ("POST", "request/approve/77", "", "alice", 1005, "1005: Password not found"),
        ("POST", "request/deny/x", "", "alice", 1005, "1005: Password not found"),
    ])
    func requestRefusals(
        _ method: String, _ route: String, _ body: String, _ username: String, _ code: Int, _ message: String
    ) async throws {
        let id = try await create(#", "need_approval": 1"#)
        let user = [f.alice, f.bob, f.erin, f.mallory].first { $0.username == username }!
        try refusal(
            await call(method, "api/mysafe/password/" + route.replacingOccurrences(of: "ID", with: id), body, as: user),
            code, message)
    }

    @Test func needsRotationAppearsOnlyWhenTrue() async throws {
        let id = try await create()
        let before = await call("GET", "api/mysafe/password/\(id)", as: f.alice)
        #expect(!before.bodyText.contains("needs_rotation"))
        _ = await call("GET", "api/mysafe/password/\(id)", as: f.bob)  // bob sees the password
        _ = await call("PUT", "api/mysafe/password/update/\(id)", #"{"users_allowed": []}"#, as: f.alice)
        let after = try json(await call("GET", "api/mysafe/password/\(id)", as: f.alice).body)
        #expect(after["password_entity"]?["needs_rotation"] == .bool(true))
        let list = try json(await call("GET", "api/mysafe/password", as: f.alice).body)
        #expect(list["password_on_list"]?[0]?["needs_rotation"] == .bool(true))
        _ = await call("PUT", "api/mysafe/password/update/\(id)", #"{"password": "rotated"}"#, as: f.alice)
        #expect(!(await call("GET", "api/mysafe/password", as: f.alice).bodyText.contains("needs_rotation")))
    }
}

extension JSONValue {
    /// An array's item, for the assertions above.
    fileprivate subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
