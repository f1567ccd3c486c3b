import Foundation
import Testing

@testable import PasswordVault

/// What the handler refuses before any route runs (docs/contract.md §8): methods compared as
/// RFC 9110 tokens, JSON nested at most 64 levels, bodies at most ``WireHandler/maximumBodySize``.
@Suite("Wire limits")
struct WireLimitsTests {
    let f: VaultFixture
    let api: WireHandler

    init() async throws {
        f = try await VaultFixture()
        api = WireHandler(vault: f.vault)
    }

    func call(_ method: String, _ path: String, _ body: String = "", via handler: WireHandler? = nil) async
        -> WireResponse
    {
        await (handler ?? api).handle(WireRequest(method: method, path: path, body: Array(body.utf8)), as: f.alice)
    }

    static let createPath = "api/mysafe/password"
    static let savePath = "api/password-generator/save-passwords/"
    static let createBody = #"{"name": "n", "username": "u", "password": "p"}"#
    static let noRoute = #"{"message":"No route matched with those values."}"#

    // MARK: Methods (RFC 9110 §9.1: case-sensitive tokens)

    /// `poſt` (U+017F, LATIN SMALL LETTER LONG S) upper-cases to `POST` under Unicode case mapping.
    @Test(arguments: ["post", "Post", "pOST", "po\u{17F}t", "POST ", " POST", "P\u{200B}OST", "ＰＯＳＴ"])
    func aMethodThatIsNotExactlyPOSTIsNoRoute(_ method: String) async throws {
        for (path, body) in [
            (Self.createPath, Self.createBody),
            (Self.savePath, #"{"user": 1, "password_saved": "p", "url": "u"}"#),
        ] {
            let answer = await call(method, path, body)
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(answer.bodyText == Self.noRoute, "\(method) \(path)")
        }
        #expect(f.storage.count == 0)
        // The same requests with the exact token are served.
        #expect(await call("POST", Self.createPath, Self.createBody).status == 201)
        #expect(await call("POST", Self.savePath, #"{"user": 1, "password_saved": "p", "url": "u"}"#).status == 200)
    }

    @Test func lowerCaseGetPutAndDeleteAreNoRouteEither() async throws {
        #expect(await call("POST", Self.createPath, Self.createBody).status == 201)
        for (method, path, body) in [
            ("get", Self.createPath, ""), ("get", "api/mysafe/password/1", ""), ("Get", "api/mysafe/password/1", ""),
            ("put", "api/mysafe/password/update/1", #"{"name": "changed"}"#),
            ("delete", "api/mysafe/password/1", ""), ("dele\u{17F}e", "api/mysafe/password/1", ""),
        ] {
            let answer = await call(method, path, body)
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(answer.bodyText == Self.noRoute, "\(method) \(path)")
        }
        let entity = try await f.vault.entity(try #require(EntryID(rawValue: 1)), as: f.alice)
        #expect(entity.name == "n")
        #expect(entity.version == 1)
    }

    // MARK: JSON nesting (64 levels)

    /// `levels` nested arrays or objects, the outermost first: `[[]]` and `{"a":{}}` are 2 levels.
    static func nested(_ levels: Int, objects: Bool) -> String {
        objects
            ? String(repeating: #"{"a":"#, count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)
            : String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
    }

    @Test(arguments: [false, true])
    func theParserTakes64LevelsAndRefuses65(_ objects: Bool) {
        #expect(JSONParser.parse(Array(Self.nested(64, objects: objects).utf8)) != nil)
        #expect(JSONParser.parse(Array(Self.nested(65, objects: objects).utf8)) == nil)
        // A scalar inside the 64th level is still level 64.
        let deepest = String(repeating: "[", count: 64) + "1" + String(repeating: "]", count: 64)
        #expect(JSONParser.parse(Array(deepest.utf8)) != nil)
        let mixed = String(repeating: #"[{"a":"#, count: 32) + "0" + String(repeating: "}]", count: 32)
        #expect(JSONParser.parse(Array(mixed.utf8)) != nil)
        let mixedDeeper = String(repeating: #"[{"a":"#, count: 32) + "[]" + String(repeating: "}]", count: 32)
        #expect(JSONParser.parse(Array(mixedDeeper.utf8)) == nil)
    }

    /// The body object is level 1, so `"x"` holds 63 more levels at most.
    @Test(arguments: [false, true])
    func aBodyNested64LevelsIsParsedAnd65Is1000(_ objects: Bool) async throws {
        let accepted = await call("POST", Self.createPath, #"{"x": \#(Self.nested(63, objects: objects))}"#)
        #expect(accepted.status == 400)
        #expect(try json(accepted.body)["exception"]?["message"] == .string("1001: Parameter 'name' was not informed!"))
        let refused = await call("POST", Self.createPath, #"{"x": \#(Self.nested(64, objects: objects))}"#)
        #expect(refused.status == 400)
        #expect(
            refused.bodyText
                == #"{"code":400,"response":{"status":400,"message":"1000: Request body is not valid JSON","error":true,"error_code":1,"detail":"","mensagem":"1000: Request body is not valid JSON","erro":true,"cod_erro":1},"exception":{"code":1000,"message":"1000: Request body is not valid JSON","detail":null}}"#
        )
        let saved = await call("POST", Self.savePath, #"{"x": \#(Self.nested(64, objects: objects))}"#)
        #expect(saved.status == 400)
        #expect(saved.bodyText == #"{"detail":"JSON parse error - invalid JSON"}"#)
        #expect(f.storage.count == 0)
    }

    // MARK: Body size

    /// A create body of exactly `size` bytes (a valid entry; the padding is an ignored field).
    static func createBody(ofSize size: Int) -> String {
        let head = #"{"name": "big", "username": "u", "password": "p", "pad": ""#
        let tail = #""}"#
        return head + String(repeating: "x", count: size - head.utf8.count - tail.utf8.count) + tail
    }

    static func tooLarge(_ limit: Int) -> String {
        let message = "Request body is too large (at most \(limit) bytes)"
        return
            #"{"code":413,"response":{"status":413,"message":"\#(message)","error":true,"error_code":1,"detail":"","mensagem":"\#(message)","erro":true,"cod_erro":1},"exception":{"code":413,"message":"\#(message)","detail":null}}"#
    }

    @Test func theDefaultLimitIsOneMebibyte() {
        #expect(WireHandler.defaultMaximumBodySize == 1_048_576)
        #expect(api.maximumBodySize == 1_048_576)
    }

    @Test func aBodyOfExactlyTheLimitIsParsedAndOneByteMoreIs413() async throws {
        let exact = Self.createBody(ofSize: 1_048_576)
        #expect(exact.utf8.count == 1_048_576)
        let created = await call("POST", Self.createPath, exact)
        #expect(created.status == 201, "\(created.bodyText.prefix(300))")
        let over = Self.createBody(ofSize: 1_048_577)
        let refused = await call("POST", Self.createPath, over)
        #expect(refused.status == 413)
        #expect(refused.statusLine == "HTTP/1.1 413 Content Too Large")
        #expect(refused.bodyText == Self.tooLarge(1_048_576))
        #expect(f.storage.count == 1)
    }

    /// Nothing is parsed: a body that is not JSON, on any route, even one that takes no body, is 413.
    @Test func anOversizedBodyIs413BeforeParsingOnEveryRoute() async throws {
        let junk = String(repeating: "{", count: 1_048_577)
        for (method, path) in [
            ("POST", Self.createPath), ("PUT", "api/mysafe/password/update/1"), ("GET", Self.createPath),
            ("GET", "api/mysafe/password/1"), ("DELETE", "api/mysafe/password/1"), ("PATCH", "api/nothing"),
        ] {
            let answer = await call(method, path, junk)
            #expect(answer.status == 413, "\(method) \(path)")
            #expect(answer.bodyText == Self.tooLarge(1_048_576), "\(method) \(path)")
        }
        let saved = await call("POST", Self.savePath, junk)
        #expect(saved.status == 413)
        #expect(saved.bodyText == #"{"detail":"Request body is too large (at most 1048576 bytes)"}"#)
    }

    @Test func aHostSetLimitIsHonoured() async throws {
        let small = WireHandler(vault: f.vault, maximumBodySize: 100)
        #expect(small.maximumBodySize == 100)
        let created = await call("POST", Self.createPath, Self.createBody(ofSize: 100), via: small)
        #expect(created.status == 201, "\(created.bodyText)")
        let refused = await call("POST", Self.createPath, Self.createBody(ofSize: 101), via: small)
        #expect(refused.status == 413)
        #expect(refused.bodyText == Self.tooLarge(100))
        let update = await call(
            "PUT", "api/mysafe/password/update/1", #"{"notes": "\#(String(repeating: "n", count: 100))"}"#, via: small)
        #expect(update.status == 413)
        #expect(try await f.vault.revealNotes(try #require(EntryID(rawValue: 1)), as: f.alice) == nil)
        let saved = await call(
            "POST", Self.savePath,
            #"{"user": 1, "password_saved": "p", "url": "\#(String(repeating: "u", count: 90))"}"#, via: small)
        #expect(saved.status == 413)
        #expect(saved.bodyText == #"{"detail":"Request body is too large (at most 100 bytes)"}"#)
        #expect(f.storage.count == 1)
    }
}
