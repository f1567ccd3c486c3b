import Foundation
import Testing

@testable import PasswordVault

@Suite("otpauth:// key URIs")
struct OTPAuthURITests {
    static let seed = "JBSWY3DPEHPK3PXP"

    @Test func parsesTheKeyUriFormatExample() throws {
        let uri = try OTPAuthURI(
            parsing: "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
        #expect(uri.kind == .totp(period: 30))
        #expect(uri.issuer == "Example")
        #expect(uri.account == "alice@google.com")
        #expect(uri.secret == (try Base32.decodeSecret(Self.seed)))
        #expect(uri.algorithm == .sha1)
        #expect(uri.digits == 6)
        #expect(uri.extraParameters.isEmpty)
        #expect(try uri.makeTOTP().code(atUnixTime: 1_700_000_000) == "324550")
        #expect(throws: OTPAuthURIError.notHOTP) { try uri.makeHOTP() }
    }

    @Test func parsesEveryParameterInAnyCase() throws {
        let uri = try OTPAuthURI(
            parsing: "OTPAUTH://TOTP/ACME%20Co%3A%20%20john.doe%40example.com?SECRET=jbsw%20y3dp-ehpk3pxp"
                + "&Issuer=ACME%20Co&algorithm=sha-256&digits=8&period=60&image=https%3A%2F%2Fx.test%2Fa.png#frag")
        #expect(uri.kind == .totp(period: 60))
        #expect(uri.issuer == "ACME Co")
        #expect(uri.account == "john.doe@example.com")
        #expect(uri.algorithm == .sha256)
        #expect(uri.digits == 8)
        #expect(uri.extraParameters == [.init(name: "image", value: "https://x.test/a.png")])
        let totp = try uri.makeTOTP()
        #expect(totp.period == 60 && totp.digits == 8 && totp.algorithm == .sha256)
    }

    @Test func parsesHOTPWithItsCounter() throws {
        let uri = try OTPAuthURI(
            parsing:
                "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615&period=7")
        #expect(uri.kind == .hotp(counter: .max))
        #expect(uri.issuer == nil)
        #expect(uri.account == "alice")
        #expect(uri.extraParameters == [.init(name: "period", value: "7")])
        #expect(try uri.makeHOTP().code(counter: 0) == "755224")
        #expect(throws: OTPAuthURIError.notTOTP) { try uri.makeTOTP() }
    }

    static let labels: [(uri: String, issuer: String?, account: String)] = [
        ("otpauth://totp/alice?secret=\(seed)", nil, "alice"),
        ("otpauth://totp/Big%20Corp:alice?secret=\(seed)", "Big Corp", "alice"),
        ("otpauth://totp/Big%20Corp%3Aalice?secret=\(seed)", "Big Corp", "alice"),
        ("otpauth://totp/Big%20Corp:%20%20alice?secret=\(seed)", "Big Corp", "alice"),
        ("otpauth://totp/Label:alice?secret=\(seed)&issuer=Param", "Param", "alice"),
        ("otpauth://totp/A%3AB:alice?secret=\(seed)&issuer=A%3AB", "A:B", "alice"),
        ("otpauth://totp/:a:b?secret=\(seed)", nil, "a:b"),
        ("otpauth://totp/?secret=\(seed)", nil, ""),
        ("otpauth://totp?secret=\(seed)", nil, ""),
        ("otpauth://totp/Caf%C3%A9:j%C3%BCrgen?secret=\(seed)", "Café", "jürgen"),
        ("otpauth://totp/Café:jürgen?secret=\(seed)", "Café", "jürgen"),
        ("otpauth://totp/a+b?secret=\(seed)&issuer=x+y", "x+y", "a+b"),
        ("otpauth://totp/Example:alice?secret=\(seed)&issuer=", "Example", "alice"),
    ]

    @Test(arguments: labels)
    func splitsTheLabel(uri: String, issuer: String?, account: String) throws {
        let parsed = try OTPAuthURI(parsing: uri)
        #expect(parsed.issuer == issuer)
        #expect(parsed.account == account)
    }

    @Test func writesACanonicalURI() throws {
        let uri = try OTPAuthURI(
            kind: .totp(period: 30), account: "alice@example.com", issuer: "ACME Co",
            secret: Base32.decodeSecret(Self.seed), extraParameters: [.init(name: "image", value: "a b&c")])
        #expect(
            uri.uriString
                == "otpauth://totp/ACME%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co"
                + "&algorithm=SHA1&digits=6&period=30&image=a%20b%26c")
        let hotp = try OTPAuthURI(
            kind: .hotp(counter: 42), account: "bob", secret: SecretBytes([1, 2, 3]), algorithm: .sha512, digits: 10)
        #expect(hotp.uriString == "otpauth://hotp/bob?secret=AEBAG&algorithm=SHA512&digits=10&counter=42")
    }

    static let roundTripCases: [OTPAuthURI] = {
        let secret = SecretBytes(Array(0...40))
        return try! [
            OTPAuthURI(kind: .totp(period: 30), account: "alice", secret: secret),
            OTPAuthURI(kind: .totp(period: 1), account: "a:b", secret: secret, algorithm: .sha256, digits: 7),
            OTPAuthURI(kind: .totp(period: 4_294_967_295), account: "x", issuer: "A:B C/D?E&F=G", secret: secret),
            OTPAuthURI(kind: .hotp(counter: 0), account: "", issuer: "Ünïcødé 🎉", secret: secret, digits: 10),
            OTPAuthURI(kind: .hotp(counter: .max), account: "%41+%", secret: secret, algorithm: .sha512),
            OTPAuthURI(
                kind: .totp(period: 45), account: "bob", issuer: "I", secret: secret,
                extraParameters: [.init(name: "image", value: "https://x/y.png?z=1"), .init(name: "", value: "")]),
        ]
    }()

    @Test(arguments: roundTripCases)
    func roundTrips(uri: OTPAuthURI) throws {
        let text = uri.uriString
        let parsed = try OTPAuthURI(parsing: text)
        #expect(parsed == uri)
        #expect(parsed.uriString == text)
    }

    static let refused: [(uri: String, error: OTPAuthURIError)] = [
        ("", .notOTPAuth),
        ("https://example.com/?secret=\(seed)", .notOTPAuth),
        ("otpauth:/totp/a?secret=\(seed)", .notOTPAuth),
        ("otpauth:", .notOTPAuth),
        ("otpauth://", .unsupportedType),
        ("otpauth://motp/a?secret=\(seed)", .unsupportedType),
        ("otpauth://totpx/a?secret=\(seed)", .unsupportedType),
        ("otpauth://totp/a", .missingSecret),
        ("otpauth://totp/a?issuer=x", .missingSecret),
        ("otpauth://totp/a?secret=", .invalidSecret(.empty)),
        ("otpauth://totp/a?secret=JBSWY3DP1HPK3PXP", .invalidSecret(.invalidCharacter(position: 9))),
        ("otpauth://totp/a?secret=JBSWY3DPE", .invalidSecret(.invalidLength(symbols: 9))),
        ("otpauth://totp/a?secret=%", .invalidPercentEncoding),
        ("otpauth://totp/a?secret=%4", .invalidPercentEncoding),
        ("otpauth://totp/a?secret=\(seed)%zz", .invalidPercentEncoding),
        ("otpauth://totp/%?secret=\(seed)", .invalidPercentEncoding),
        ("otpauth://totp/%C3?secret=\(seed)", .invalidPercentEncoding),
        ("otpauth://totp/a?secret=\(seed)&issuer=%FF", .invalidPercentEncoding),
        ("otpauth://totp/a?secret=\(seed)&x%=1", .invalidPercentEncoding),
        ("otpauth://hotp/a?secret=\(seed)", .missingCounter),
        ("otpauth://hotp/a?secret=\(seed)&counter=-1", .invalidValue(parameter: "counter")),
        ("otpauth://hotp/a?secret=\(seed)&counter=18446744073709551616", .invalidValue(parameter: "counter")),
        ("otpauth://hotp/a?secret=\(seed)&counter=", .invalidValue(parameter: "counter")),
        ("otpauth://totp/a?secret=\(seed)&digits=99999999999999999999999", .invalidValue(parameter: "digits")),
        ("otpauth://totp/a?secret=\(seed)&digits=six", .invalidValue(parameter: "digits")),
        ("otpauth://totp/a?secret=\(seed)&digits=5", .invalidParameters(.digitsOutOfRange(5))),
        ("otpauth://totp/a?secret=\(seed)&digits=11", .invalidParameters(.digitsOutOfRange(11))),
        ("otpauth://totp/a?secret=\(seed)&period=0", .invalidParameters(.nonPositivePeriod(0))),
        ("otpauth://totp/a?secret=\(seed)&period=-30", .invalidParameters(.nonPositivePeriod(-30))),
        ("otpauth://totp/a?secret=\(seed)&period=1e3", .invalidValue(parameter: "period")),
        ("otpauth://totp/a?secret=\(seed)&algorithm=MD5", .invalidValue(parameter: "algorithm")),
        ("otpauth://totp/a?secret=\(seed)&secret=\(seed)", .duplicateParameter("secret")),
        ("otpauth://totp/a?secret=\(seed)&DIGITS=6&digits=6", .duplicateParameter("digits")),
    ]

    @Test(arguments: refused)
    func refusesWithTheExactReason(uri: String, error: OTPAuthURIError) {
        #expect(throws: error) { try OTPAuthURI(parsing: uri) }
    }

    @Test func refusesInvalidParts() {
        let secret = SecretBytes([1])
        #expect(throws: OTPAuthURIError.invalidParameters(.emptySecret)) {
            try OTPAuthURI(kind: .totp(period: 30), account: "a", secret: SecretBytes([]))
        }
        #expect(throws: OTPAuthURIError.invalidParameters(.nonPositivePeriod(0))) {
            try OTPAuthURI(kind: .totp(period: 0), account: "a", secret: secret)
        }
        #expect(throws: OTPAuthURIError.duplicateParameter("Secret")) {
            try OTPAuthURI(
                kind: .totp(period: 30), account: "a", secret: secret,
                extraParameters: [.init(name: "Secret", value: "")])
        }
    }

    @Test func keepsTheSecretOutOfEveryRendering() throws {
        let uri = try OTPAuthURI(parsing: "otpauth://totp/Example:alice?secret=\(Self.seed)&issuer=Example")
        #expect(
            uri.description
                == "otpauth://totp/Example:alice?secret=<redacted>&issuer=Example&algorithm=SHA1&digits=6&period=30")
        var dumped = ""
        dump(uri, to: &dumped)
        for rendering in [uri.description, uri.debugDescription, "\(uri)", String(reflecting: uri), dumped] {
            #expect(!rendering.contains(Self.seed))
            #expect(rendering.contains("<redacted>"))
        }
        for (_, error) in Self.refused { #expect(!error.description.contains(Self.seed)) }
        #expect(
            OTPAuthURIError.invalidSecret(.invalidCharacter(position: 9)).description
                == "the secret is invalid: invalid character at position 9")
    }

    /// Hostile input: random bytes and random mutations of a valid URI either parse or throw.
    @Test func neverCrashesOnHostileInput() {
        var generator = SystemRandomNumberGenerator()
        let valid = Array("otpauth://hotp/A%3AB:c?secret=\(Self.seed)&issuer=A&digits=8&counter=5&period=3#x".utf8)
        let alphabet = Array("%:/?&=#+ aZ09-_.~\u{0}".utf8) + [0xC3, 0xA9, 0xFF]
        var outcomes = (parsed: 0, refused: 0)
        for round in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
                default: if bytes.count > 1 { bytes.remove(at: index) }
                }
            }
            if round.isMultiple(of: 10) {
                bytes = (0..<Int.random(in: 0...80, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator)!
                }
            }
            do {
                let uri = try OTPAuthURI(parsing: String(decoding: bytes, as: UTF8.self))
                #expect(try OTPAuthURI(parsing: uri.uriString) == uri)
                outcomes.parsed += 1
            } catch {
                outcomes.refused += 1
            }
        }
        #expect(outcomes.parsed > 0 && outcomes.refused > 0)
    }

    @Test func handlesHugeInput() {
        let long = String(repeating: "A", count: 200_000)
        #expect(throws: OTPAuthURIError.invalidValue(parameter: "digits")) {
            try OTPAuthURI(
                parsing: "otpauth://totp/\(long)?secret=\(Self.seed)&digits=\(String(repeating: "9", count: 100_000))")
        }
        #expect(throws: OTPAuthURIError.invalidSecret(.invalidLength(symbols: 200_001))) {
            try OTPAuthURI(parsing: "otpauth://totp/a?secret=\(long)A")
        }
    }
}
