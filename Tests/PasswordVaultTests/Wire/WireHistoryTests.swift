import Foundation
import Testing

@testable import PasswordVault

/// The history routes (docs/contract.md §11) in the envelope of §8.
@Suite("Wire: history")
struct WireHistoryTests {
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

    /// An entry created by alice and then changed by bob a minute later: two versions.
    func entryWithTwoVersions() async throws -> String {
        let id = try await f.createShared().description
        clock.advance(by: 60.5)
        let answer = await call(
            "PUT", "api/mysafe/password/update/\(id)", #"{"password": "second", "tags": "ops, new"}"#, as: f.bob)
        #expect(answer.status == 200, "\(answer.bodyText)")
        return id
    }

    static func success(_ message: String) -> String {
        """
        "code":200,"response":{"status":200,"message":"\(message)","error":false,"error_code":0,"detail":"",\
        "mensagem":"\(message)","erro":false,"cod_erro":0}
        """
    }

    @Test func theHistoryListsEveryVersionNewestFirstWithoutASecret() async throws {
        let id = try await entryWithTwoVersions()
        let answer = await call("GET", "api/mysafe/password/history/\(id)", as: f.carol)
        #expect(answer.status == 200)
        let expected = try json(
            Array(
                """
                {\(Self.success("Success")),"password_history":[
                {"version":2,"current":true,"changed_at":"2023-11-14T22:14:20.500Z","changed_by":"bob",
                 "changed_fields":["password","tags"],"name":"shared","username":"svc","url":"www.example.com",
                 "tags":"ops, new"},
                {"version":1,"current":false,"changed_at":"2023-11-14T22:13:20.000Z","changed_by":"alice",
                 "changed_fields":["name","username","password","url","secret_key","notes","tags","users_allowed",
                 "groups_allowed"],"name":"shared","username":"svc","url":"www.example.com","tags":"ops, prod"}]}
                """.utf8))
        #expect(try json(answer.body) == expected)
        for secret in ["p4ssw0rd!", "second", "JBSWY3DPEHPK3PXP", "the notes"] {
            #expect(!answer.bodyText.contains(secret))
        }
    }

    @Test func anOldVersionIsAnsweredAsGetOneWithoutAToken() async throws {
        let id = try await entryWithTwoVersions()
        let answer = await call("GET", "api/mysafe/password/history/\(id)/1", as: f.bob)
        #expect(answer.status == 200, "\(answer.bodyText)")
        let expected = try json(
            Array(
                """
                {\(Self.success("Success")),"password_entity":{"identifier":"\(id)","name":"shared",
                "url":"www.example.com","username":"svc","password":"p4ssw0rd!","secret_key":"JBSWY3DPEHPK3PXP",
                "token":null,"notes":"the notes","tags":"ops, prod",
                "users_allowed":[{"username":"bob","can_edit":true},{"username":"dave","can_edit":false},
                {"username":"erin","can_edit":false}],
                "groups_allowed":[{"name":"editors","can_edit":true},{"name":"viewers","can_edit":false}]}}
                """.utf8))
        #expect(try json(answer.body) == expected)
    }

    @Test func restoreAnswersAsUpdateAndMakesANewVersion() async throws {
        let id = try await entryWithTwoVersions()
        let answer = await call("POST", "api/mysafe/password/restore/\(id)/1", as: f.alice)
        #expect(answer.status == 200, "\(answer.bodyText)")
        let expected = try json(
            Array(
                """
                {\(Self.success("Password successfully restored")),"password_entity":{"identifier":"\(id)",
                "name":"shared","url":"www.example.com","username":"svc","note":"the notes","tags":"ops, prod",
                "users_allowed":[{"username":"bob","can_edit":true},{"username":"dave","can_edit":false},
                {"username":"erin","can_edit":false}],
                "groups_allowed":[{"name":"editors","can_edit":true},{"name":"viewers","can_edit":false}],
                "shared_error":[]}}
                """.utf8))
        #expect(try json(answer.body) == expected)
        let get = await call("GET", "api/mysafe/password/\(id)", as: f.erin)
        guard case .string(let password)? = try json(get.body)["password_entity"]?["password"] else {
            Issue.record("no password in \(get.bodyText)")
            return
        }
        #expect(password == "p4ssw0rd!")
        let history = await call("GET", "api/mysafe/password/history/\(id)", as: f.alice)
        guard case .array(let items)? = try json(history.body)["password_history"] else {
            Issue.record("no history in \(history.bodyText)")
            return
        }
        #expect(items.count == 3)
        #expect(items.first?["version"] == .int(3))
        #expect(items.first?["changed_fields"] == .array([.string("password"), .string("tags")]))
    }

    /// Refusals in the catalogue's envelope: 1005 for strangers, 1006 for viewers, 1007 for a
    /// disabled entry's secrets, 1011 for a version that does not exist (after the access checks).
    @Test(arguments: [
        ("GET", "history/ID", "mallory", 1005), ("GET", "history/ID/1", "mallory", 1005),
        ("POST", "restore/ID/1", "mallory", 1005), ("POST", "restore/ID/99", "mallory", 1005),
        ("GET", "history/ID", "erin", 1006), ("GET", "history/ID/1", "frank", 1006),
        ("POST", "restore/ID/1", "frank", 1006), ("POST", "restore/ID/99", "erin", 1006),
        ("GET", "history/ID/3", "alice", 1011), ("GET", "history/ID/0", "bob", 1011),
        ("GET", "history/ID/x1", "bob", 1011), ("POST", "restore/ID/99", "carol", 1011),
        ("GET", "history/ID/18446744073709551616", "alice", 1011), ("GET", "history/999/1", "alice", 1005),
    ])
    func refusals(_ method: String, _ route: String, _ username: String, _ code: Int) async throws {
        let id = try await entryWithTwoVersions()
        let user = [f.alice, f.bob, f.carol, f.dave, f.erin, f.frank, f.mallory].first { $0.username == username }!
        let answer = await call(
            method, "api/mysafe/password/" + route.replacingOccurrences(of: "ID", with: id), as: user)
        #expect(answer.status == 400, "\(answer.bodyText)")
        #expect(try json(answer.body)["exception"]?["code"] == .int(code))
    }

    @Test func aDisabledEntrysOldSecretsAre1007() async throws {
        let id = try await entryWithTwoVersions()
        _ = await call("POST", "api/mysafe/password/inactive/\(id)", as: f.alice)
        let reveal = await call("GET", "api/mysafe/password/history/\(id)/1", as: f.alice)
        #expect(try json(reveal.body)["exception"]?["code"] == .int(1007))
        let restore = await call("POST", "api/mysafe/password/restore/\(id)/1", as: f.alice)
        #expect(try json(restore.body)["exception"]?["message"] == .string("1007: Password is disabled"))
        let list = await call("GET", "api/mysafe/password/history/\(id)", as: f.alice)
        #expect(list.status == 200)
    }

    @Test func otherMethodsOnTheHistoryRoutesAreNoRoute() async throws {
        let id = try await entryWithTwoVersions()
        for (method, route) in [
            ("POST", "history/\(id)"), ("PUT", "history/\(id)/1"), ("GET", "restore/\(id)/1"),
            ("DELETE", "history/\(id)"), ("POST", "restore/\(id)"),
        ] {
            let answer = await call(method, "api/mysafe/password/\(route)", as: f.alice)
            #expect(answer.status == 404, "\(method) \(route)")
        }
    }
}
