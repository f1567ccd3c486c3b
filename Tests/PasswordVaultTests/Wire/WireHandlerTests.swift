import Foundation
import Testing

@testable import PasswordVault

@Suite("Wire handler")
struct WireHandlerTests {
    let f: VaultFixture
    let api: WireHandler

    init() async throws {
        f = try await VaultFixture()
        api = WireHandler(vault: f.vault)
    }

    func call(_ method: String, _ path: String, _ body: String = "", as user: User) async -> WireResponse {
        await api.handle(WireRequest(method: method, path: path, body: Array(body.utf8)), as: user)
    }

    /// The entry the fixture shares with the cast, created through the wire.
    func createShared() async throws -> String {
        let body = """
            {"name": "shared", "username": "svc", "password": "p4ss\\"w0rd", "url": "www.example.com",
             "secret_key": "JBSWY3DPEHPK3PXP", "notes": "line 1\\nline 2", "tags": ["ops", "prod"],
             "users_allowed": [{"username": "bob", "can_edit": true}, {"username": "erin"}],
             "groups_allowed": [{"name": "editors", "can_edit": true}, {"name": "viewers"}]}
            """
        let answer = await call("POST", "api/mysafe/password", body, as: f.alice)
        #expect(answer.status == 201, "\(answer.bodyText)")
        guard case .string(let id)? = try json(answer.body)["password_entity"]?["identifier"] else {
            Issue.record("no identifier")
            return ""
        }
        return id
    }

    func message(_ answer: WireResponse) throws -> String? {
        guard case .string(let text)? = try json(answer.body)["response"]?["message"] else { return nil }
        return text
    }

    @Test func getRevealsSecretsAndTheCurrentToken() async throws {
        let id = try await createShared()
        let answer = await call("GET", "api/mysafe/password/\(id)", as: f.erin)
        #expect(answer.status == 200)
        let clock = VaultFixture.now.timeIntervalSince1970
        let totp = try TOTP(secret: Base32.decodeSecret("JBSWY3DPEHPK3PXP"))
        let token = try totp.code(atUnixTime: Int64(clock))
        let expected = try json(
            Array(
                """
                {"code":200,"response":{"status":200,"message":"Success","error":false,"error_code":0,"detail":"",
                "mensagem":"Success","erro":false,"cod_erro":0},"password_entity":{"identifier":"\(id)","name":"shared",
                "url":"www.example.com","username":"svc","password":"p4ss\\"w0rd","secret_key":"JBSWY3DPEHPK3PXP",
                "token":"\(token)","notes":"line 1\\nline 2","tags":"ops, prod",
                "users_allowed":[{"username":"bob","can_edit":true},{"username":"erin","can_edit":false}],
                "groups_allowed":[{"name":"editors","can_edit":true},{"name":"viewers","can_edit":false}]}}
                """.utf8))
        #expect(try json(answer.body) == expected)
    }

    @Test func aSeedWithItsOwnParametersComesBackAsAnOtpauthURI() async throws {
        let uri =
            "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60"
        let body = #"{"name": "acme", "username": "u", "password": "p", "secret_key": "\#(uri)"}"#
        #expect(await call("POST", "api/mysafe/password", body, as: f.alice).status == 201)
        let got = try json((await call("GET", "api/mysafe/password/1", as: f.alice)).body)["password_entity"]
        guard case .string(let text)? = got?["secret_key"], case .string(let token)? = got?["token"] else {
            Issue.record("no secret_key or token")
            return
        }
        // Label and issuer are kept (docs/contract.md §8 and §16): the sent label "ACME:alice",
        // its issuer written back as the parameter too, not the entry's name.
        let parsed = try OTPAuthURI(parsing: text)
        #expect(parsed.account == "alice")
        #expect(parsed.issuer == "ACME")
        #expect(parsed.extraParameters.isEmpty)
        #expect(
            text
                == "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&algorithm=SHA256&digits=8&period=60"
        )
        let again = try parsed.makeTOTP()
        #expect(again.algorithm == .sha256)
        #expect(again.digits == 8)
        #expect(again.period == 60)
        #expect(Base32.encode(again.secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(token.count == 8)
    }

    @Test func getWithoutSeedHasNullSecretKeyAndToken() async throws {
        let answer = await call(
            "POST", "api/mysafe/password", #"{"name":"n","username":"u","password":"p"}"#, as: f.alice)
        let created = try json(answer.body)["password_entity"]
        #expect(created?["note"] == .null)
        #expect(created?["url"] == .string(""))
        #expect(created?["tags"] == .string(""))
        let got = try json((await call("GET", "api/mysafe/password/1", as: f.alice)).body)["password_entity"]
        #expect(got?["secret_key"] == .null)
        #expect(got?["token"] == .null)
        #expect(got?["notes"] == .null)
    }

    @Test func listShowsTheCallersRights() async throws {
        let id = try await createShared()
        for (user, canWrite) in [(f.alice, true), (f.bob, true), (f.carol, true), (f.erin, false), (f.frank, false)] {
            let answer = await call("GET", "api/mysafe/password", as: user)
            #expect(answer.status == 200)
            #expect(try message(answer) == "")
            let expected = JSONValue.array([
                .object([
                    ("identifier", .string(id)), ("name", .string("shared")), ("url", .string("www.example.com")),
                    ("username", .string("svc")), ("tags", .string("ops, prod")), ("need_justify", .string("0")),
                    ("need_approval", .string("0")), ("can_view", .bool(true)), ("can_write", .bool(canWrite)),
                ])
            ])
            #expect(try json(answer.body)["password_on_list"] == expected, "\(user.username)")
        }
        let stranger = await call("GET", "api/mysafe/password", as: f.mallory)
        #expect(try json(stranger.body)["password_on_list"] == .array([]))
    }

    /// Three entries that each match only some of the filters, so that every combined query
    /// tells AND from OR (docs/contract.md §8: filters combine; `tag` is one tag exactly,
    /// ignoring case; `name`, `username`, `url` are substrings, ignoring case; an empty filter
    /// is no filter; the first of a repeated parameter wins).
    @Test func listFiltersFromTheQueryCombineWithAnd() async throws {
        for (name, username, url, tags) in [
            ("alpha mail", "ann", "mail.example.com", #"["work"]"#),
            ("alpha bank", "bob.s", "bank.example.org", #"["home"]"#),
            ("beta mail", "ann", "mail.example.org", #"["work", "home"]"#),
        ] {
            let body =
                #"{"name": "\#(name)", "username": "\#(username)", "password": "p", "url": "\#(url)", "tags": \#(tags)}"#
            #expect(await call("POST", "api/mysafe/password", body, as: f.alice).status == 201)
        }
        let cases: [(String, [String])] = [
            ("", ["1", "2", "3"]),
            ("?tag=work", ["1", "3"]),
            ("?tag=WORK", ["1", "3"]),
            ("?tag=wor", []),
            ("?name=alpha", ["1", "2"]),
            ("?name=alpha&tag=work", ["1"]),
            ("?tag=home&name=alpha", ["2"]),
            ("?name=mail&username=ann&url=org", ["3"]),
            ("?username=ann&tag=home", ["3"]),
            ("?url=example.com&tag=home", []),
            ("?name=ALPHA&url=ORG", ["2"]),
            ("?name=%61lpha&tag=work", ["1"]),
            ("?name=alpha+mail", ["1"]),
            ("?name=&tag=work", ["1", "3"]),
            ("?tag=work&tag=home", ["1", "3"]),
            ("?username=nobody", []),
        ]
        for (query, expected) in cases {
            let answer = await call("GET", "api/mysafe/password\(query)", as: f.alice)
            #expect(answer.status == 200, "\(query)")
            guard case .array(let items)? = try json(answer.body)["password_on_list"] else {
                Issue.record("no list for \(query)")
                continue
            }
            let identifiers = items.map { item -> String in
                guard case .string(let id)? = item["identifier"] else { return "?" }
                return id
            }
            #expect(identifiers == expected, "\(query)")
        }
    }

    @Test func disableAndEnableAnswerAsTheContract() async throws {
        let id = try await createShared()
        let steps: [(String, User, String)] = [
            ("inactive", f.bob, "Password successfully deactivated"),
            ("inactive", f.alice, "Password has already been deactivated"),
            ("active", f.carol, "Password successfully activated"),
            ("active", f.alice, "Password has already been activated"),
        ]
        for (verb, user, expected) in steps {
            let answer = await call("POST", "api/mysafe/password/\(verb)/\(id)", as: user)
            #expect(answer.status == 200)
            #expect(try message(answer) == expected)
        }
    }

    @Test func everyCatalogueErrorThroughTheHandler() async throws {
        let id = try await createShared()
        let cases: [(String, String, String, User, String)] = [
            ("POST", "api/mysafe/password", "not json", f.alice, "1000: Request body is not valid JSON"),
            ("POST", "api/mysafe/password", "[1, 2]", f.alice, "1000: Request body is not valid JSON"),
            ("POST", "api/mysafe/password", "", f.alice, "1000: Request body is not valid JSON"),
            ("POST", "api/mysafe/password", #"{"name": "a",}"#, f.alice, "1000: Request body is not valid JSON"),
            ("PUT", "api/mysafe/password/update/999", "{", f.alice, "1000: Request body is not valid JSON"),
            (
                "POST", "api/mysafe/password", #"{"name": "n", "password": "p"}"#, f.alice,
                "1001: Parameter 'username' was not informed!"
            ),
            (
                "POST", "api/mysafe/password", #"{"name": 1, "username": "u", "password": "p"}"#, f.alice,
                "1002: Parameter 'name' is invalid: expected a string, got a number"
            ),
            ("GET", "api/mysafe/password/999", "", f.alice, "1005: Password not found"),
            ("GET", "api/mysafe/password/abc", "", f.alice, "1005: Password not found"),
            ("GET", "api/mysafe/password/0", "", f.alice, "1005: Password not found"),
            ("GET", "api/mysafe/password/\(id)", "", f.mallory, "1005: Password not found"),
            ("PUT", "api/mysafe/password/update/\(id)", #"{"name": "x"}"#, f.erin, "1006: User does not have access"),
            (
                "PUT", "api/mysafe/password/update/\(id)", #"{"users_allowed": []}"#, f.bob,
                "1006: User does not have access"
            ),
            ("POST", "api/mysafe/password/inactive/\(id)", "", f.frank, "1006: User does not have access"),
            ("DELETE", "api/mysafe/password/\(id)", "", f.bob, "1006: User does not have access"),
        ]
        for (method, path, body, user, expected) in cases {
            let answer = await call(method, path, body, as: user)
            #expect(answer.status == 400, "\(method) \(path) \(body)")
            #expect(try message(answer) == expected, "\(method) \(path) \(body)")
            let code = Int(expected.prefix(4))!
            #expect(try json(answer.body)["exception"]?["code"] == .int(code))
        }
        _ = await call("POST", "api/mysafe/password/inactive/\(id)", as: f.alice)
        for (method, path, body) in [
            ("GET", "api/mysafe/password/\(id)", ""), ("PUT", "api/mysafe/password/update/\(id)", #"{"notes": "n"}"#),
        ] {
            let answer = await call(method, path, body, as: f.alice)
            #expect(try message(answer) == "1007: Password is disabled")
        }
    }

    @Test func lostRaceIs1008AndStorageFailureIs500() async throws {
        let storage = FaultInjectingStorage()
        let vault = try await Vault.create(
            storage: storage, directory: f.directory, credential: .rawKey(try SecretBytes.random(count: 32)))
        let api = WireHandler(vault: vault)
        let created = await api.handle(
            WireRequest(
                method: "POST", path: "api/mysafe/password",
                body: Array(#"{"name":"n","username":"u","password":"p"}"#.utf8)),
            as: f.alice)
        #expect(created.status == 201)
        storage.update { $0.conflictOnReplace = true }
        let raced = await api.handle(
            WireRequest(method: "PUT", path: "api/mysafe/password/update/1", body: Array(#"{"name":"m"}"#.utf8)),
            as: f.alice)
        #expect(raced.status == 400)
        #expect(try message(raced) == "1008: Password was changed concurrently")
        storage.update { $0.failReads = true }
        let broken = await api.handle(WireRequest(method: "GET", path: "api/mysafe/password/1"), as: f.alice)
        #expect(broken.status == 500)
        #expect(try message(broken) == "Unexpected error.")
        #expect(!broken.bodyText.contains("injected"))
        #expect(try json(broken.body)["exception"]?["code"] == .int(500))
    }

    @Test func unknownRoutesAnswerLikeTheGateway() async throws {
        for (method, path) in [
            ("GET", "api/mysafe/nothing"), ("PATCH", "api/mysafe/password"), ("PUT", "api/mysafe/password/1"),
            ("GET", "api/password-generator/save-passwords/"), ("POST", "api/mysafe/password/update/1"), ("GET", ""),
        ] {
            let answer = await call(method, path, "{}", as: f.alice)
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(try json(answer.body)["message"] == .string("No route matched with those values."))
        }
    }

    /// Every field, every wrong JSON type: 1002 naming the field, never a crash.
    @Test(arguments: [
        "name", "username", "password", "url", "secret_key", "notes", "tags", "users_allowed", "groups_allowed",
    ])
    func wrongTypesAre1002NamingTheField(_ field: String) async throws {
        let wrongs: [String] =
            switch field {
            case "tags": ["1", "true", "{}", "[1]", "[\"a\", null]"]
            case "users_allowed", "groups_allowed": ["1", "\"x\"", "true", "{}", "[1]", "[\"bob\"]", "[[]]"]
            default: ["1", "1.5", "true", "false", "[]", "{}", "[\"x\"]"]
            }
        for wrong in wrongs {
            var members = [#""name": "n""#, #""username": "u""#, #""password": "p""#].filter {
                !$0.hasPrefix("\"\(field)\"")
            }
            members.append("\"\(field)\": \(wrong)")
            let answer = await call("POST", "api/mysafe/password", "{\(members.joined(separator: ", "))}", as: f.alice)
            #expect(answer.status == 400)
            #expect(
                try message(answer)?.hasPrefix("1002: Parameter '\(field)' is invalid: ") == true, "\(field): \(wrong)")
        }
    }

    @Test func shareItemsOfTheWrongShape() async throws {
        for (body, expected) in [
            (#"[{"username": 5}]"#, "1002: Parameter 'users_allowed' is invalid: item 1: 'username' must be a string"),
            (
                #"[{"can_edit": true}]"#,
                "1002: Parameter 'users_allowed' is invalid: item 1: 'username' was not informed"
            ),
            (
                #"[{"username": "bob", "can_edit": "true"}]"#,
                "1002: Parameter 'users_allowed' is invalid: item 1: 'can_edit' must be a boolean"
            ),
            (
                #"[{"username": "bob", "can_edit": 1}]"#,
                "1002: Parameter 'users_allowed' is invalid: item 1: 'can_edit' must be a boolean"
            ),
        ] {
            let answer = await call(
                "POST", "api/mysafe/password",
                #"{"name": "n", "username": "u", "password": "p", "users_allowed": \#(body)}"#,
                as: f.alice)
            #expect(try message(answer) == expected)
        }
    }

    @Test func unknownFieldsAreIgnoredAndNullsAreNotValues() async throws {
        let answer = await call(
            "POST", "api/mysafe/password",
            #"{"name": "n", "username": "u", "password": "p", "url": null, "notes": null, "secret_key": null, "tags": null, "users_allowed": null, "groups_allowed": null, "owner": 99, "identifier": "7"}"#,
            as: f.alice)
        #expect(answer.status == 201)
        // Unknown fields are ignored: the owner is the caller, the identifier the storage's.
        let entity = try await f.vault.entity(EntryID(rawValue: 1)!, as: f.alice)
        #expect(entity.owner == f.alice.id)
        #expect(entity.identifier.rawValue == 1)
        // null is no value (docs/contract.md §3): url and tags empty, no notes, no seed, no shares.
        #expect(entity.url == "")
        #expect(entity.tags == [])
        #expect(!entity.hasNotes)
        #expect(!entity.hasSecretKey)
        #expect(entity.usersAllowed == [])
        #expect(entity.groupsAllowed == [])
        #expect(try await f.vault.revealNotes(entity.identifier, as: f.alice) == nil)
        #expect(try await f.vault.code(entity.identifier, as: f.alice) == nil)
        // And the answer says so (docs/contract.md §8: absent url and tags are "", note is null).
        let created = try json(answer.body)["password_entity"]
        #expect(created?["identifier"] == .string("1"))
        #expect(created?["url"] == .string(""))
        #expect(created?["tags"] == .string(""))
        #expect(created?["note"] == .null)
        #expect(created?["users_allowed"] == .array([]))
        #expect(created?["groups_allowed"] == .array([]))
        #expect(created?["shared_error"] == .array([]))
    }

    @Test func sharedErrorsAreReported() async throws {
        let answer = await call(
            "POST", "api/mysafe/password",
            #"{"name": "n", "username": "u", "password": "p", "users_allowed": [{"username": "ghost"}, {"username": "alice"}], "groups_allowed": [{"name": "nope", "can_edit": true}]}"#,
            as: f.alice)
        #expect(answer.status == 201)
        let expected = JSONValue.array([
            .object([("type", .string("user")), ("name", .string("ghost")), ("message", .string("User not found"))]),
            .object([
                ("type", .string("user")), ("name", .string("alice")), ("message", .string("Owner already has access")),
            ]),
            .object([("type", .string("group")), ("name", .string("nope")), ("message", .string("Group not found"))]),
        ])
        #expect(try json(answer.body)["password_entity"]?["shared_error"] == expected)
    }

    @Test func savePasswordsFollowsDjangoRestFramework() async throws {
        let path = "api/password-generator/save-passwords/"
        let long = String(repeating: "x", count: 201)
        let cases: [(String, Int, String)] = [
            (
                #"{"user": 1, "password_saved": "p", "url": "\#(long)"}"#, 400,
                #"{"url":["Ensure this field has no more than 200 characters."]}"#
            ),
            (
                #"{"user": 1, "password_saved": "\#(long)", "url": "u", "name_pages": "\#(long)"}"#, 400,
                #"{"password_saved":["Ensure this field has no more than 200 characters."],"name_pages":["Ensure this field has no more than 200 characters."]}"#
            ),
            (
                #"{"user": "x", "password_saved": "", "url": null}"#, 400,
                #"{"user":["A valid integer is required."],"password_saved":["This field may not be blank."],"url":["This field may not be null."]}"#
            ),
            (
                #"{"user": 2, "password_saved": "p", "url": "u"}"#, 403,
                #"{"detail":"You do not have permission to perform this action."}"#
            ),
            (#"{"user": "1", "password_saved": "p", "url": "u"}"#, 200, #""password saved successfully""#),
            (#"[]"#, 400, #"{"non_field_errors":["Invalid data. Expected a dictionary, but got list."]}"#),
        ]
        for (body, status, expected) in cases {
            let answer = await call("POST", path, body, as: f.alice)
            #expect(answer.status == status, "\(body)")
            #expect(try json(answer.body) == (try json(Array(expected.utf8))), "\(body)")
        }
        let saved = try await f.vault.list(as: f.alice)
        #expect(saved.map(\.entity.name) == ["u"])
    }
}
