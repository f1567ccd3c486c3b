import Foundation
import Testing

@testable import PasswordVault

/// `secret_key` on the wire (docs/contract.md §5, §8, §16): GET one gives back base32 for the
/// defaults and otherwise the otpauth URI with its label, issuer and every parameter; an hotp
/// URI is refused; the period range is the library's, 1 to 2³²−1 seconds.
@Suite("Wire secret_key")
struct WireSecretKeyTests {
    let f: VaultFixture
    let api: WireHandler

    init() async throws {
        f = try await VaultFixture()
        api = WireHandler(vault: f.vault)
    }

    /// Creates an entry with `secretKey` as alice: the status and the catalogue message.
    func create(secretKey: String) async throws -> (status: Int, message: JSONValue?) {
        let body = #"{"name": "n", "username": "u", "password": "p", "secret_key": "\#(secretKey)"}"#
        let answer = await api.handle(
            WireRequest(method: "POST", path: "api/mysafe/password", body: Array(body.utf8)), as: f.alice)
        return (answer.status, try json(answer.body)["response"]?["message"])
    }

    /// GET one's `secret_key` and `token` for entry `id`.
    func secretKeyAndToken(_ id: Int) async throws -> (JSONValue?, JSONValue?) {
        let answer = await api.handle(WireRequest(method: "GET", path: "api/mysafe/password/\(id)"), as: f.alice)
        let entity = try json(answer.body)["password_entity"]
        return (entity?["secret_key"], entity?["token"])
    }

    static let keptAsSent: [(sent: String, shown: String)] = [
        ("jbsw y3dp-ehpk 3pxp", "JBSWY3DPEHPK3PXP"),
        ("otpauth://totp/?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30", "JBSWY3DPEHPK3PXP"),
        (
            "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&period=60&issuer=Example",
            "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA256&digits=8&period=60"
        ),
        (
            "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP",
            "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"
        ),
        (
            "otpauth://totp/?secret=JBSWY3DPEHPK3PXP&issuer=%C3%89quipe%20%E2%9C%93&image=x%2By&lock=true",
            "otpauth://totp/%C3%89quipe%20%E2%9C%93:?secret=JBSWY3DPEHPK3PXP&issuer=%C3%89quipe%20%E2%9C%93"
                + "&algorithm=SHA1&digits=6&period=30&image=x%2By&lock=true"
        ),
    ]

    @Test(arguments: keptAsSent)
    func getOneGivesBackTheKeyWithEveryParameter(sent: String, shown: String) async throws {
        let created = try await create(secretKey: sent)
        #expect(created.status == 201)
        let (text, token) = try await secretKeyAndToken(1)
        #expect(text == .string(shown))
        // What GET one shows reads back as the same key, and PUT of it changes nothing.
        let again = try SecretKeyRule.parse(shown)
        #expect(again.text.revealUTF8() == shown)
        guard case .string(let code)? = token else {
            Issue.record("no token")
            return
        }
        #expect(try again.totp.code(at: VaultFixture.now) == code)
    }

    @Test func theCodesOfAKeyURIAreUnchanged() async throws {
        // RFC 6238 Appendix B, SHA-256, 8 digits, at T = 1111111109 s.
        let uri =
            "otpauth://totp/RFC:6238?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&algorithm=SHA256&digits=8"
        #expect(try await create(secretKey: uri).status == 201)
        let code = try await f.vault.code(
            try #require(EntryID(rawValue: 1)), at: Date(timeIntervalSince1970: 1_111_111_109), as: f.alice)
        #expect(code == "68084774")
    }

    @Test func anHOTPURIIsRefused() async throws {
        let refused = try await create(secretKey: "otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=5")
        #expect(refused.status == 400)
        #expect(
            refused.message
                == .string("1002: Parameter 'secret_key' is invalid: not a usable otpauth URI: not a totp URI"))
        #expect(f.storage.count == 0)
    }

    static let periods: [(period: String, message: String?)] = [
        (
            "0",
            "1002: Parameter 'secret_key' is invalid: not a usable otpauth URI: the period must be a positive number of seconds, not 0"
        ),
        ("1", nil),
        ("4294967295", nil),
        (
            "4294967296",
            "1002: Parameter 'secret_key' is invalid: not a usable otpauth URI: the period must be at most 4294967295 seconds, not 4294967296"
        ),
    ]

    @Test(arguments: periods)
    func theWireAcceptsTheLibrarysPeriodRange(period: String, message: String?) async throws {
        let created = try await create(secretKey: "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=\(period)")
        if let message {
            #expect(created.status == 400)
            #expect(created.message == .string(message))
            #expect(f.storage.count == 0)
        } else {
            #expect(created.status == 201)
            let (text, _) = try await secretKeyAndToken(1)
            #expect(
                text == .string("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=\(period)"))
        }
    }
}
