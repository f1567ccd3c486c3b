import Foundation
import Testing

@testable import PasswordVault

@Suite("HOTP (RFC 4226) and TOTP (RFC 6238)")
struct OneTimeCodeTests {
    struct HOTPFile: Decodable {
        struct Case: Decodable {
            var counter: UInt64
            var code: String
        }
        var secret: Hex
        var digits: Int
        var cases: [Case]
    }

    struct TOTPFile: Decodable {
        struct Case: Decodable {
            var time: Int64
            var counter: UInt64
            var algorithm: OTPAlgorithm
            var code: String
        }
        var seeds: [String: Hex]
        var digits: Int
        var period: Int
        var cases: [Case]
    }

    static let rfcSecret = SecretBytes(utf8: "12345678901234567890")

    /// RFC 4226 Appendix D: HOTP values for counters 0…9.
    @Test func matchesRFC4226AppendixD() throws {
        let file = try TestVectors.load("RFC4226", as: HOTPFile.self)
        #expect(file.cases.map(\.counter) == Array(0...9))
        let hotp = try HOTP(secret: SecretBytes(file.secret.bytes), digits: file.digits)
        for vector in file.cases {
            #expect(hotp.code(counter: vector.counter) == vector.code)
            #expect(hotp.verify(vector.code, counter: vector.counter, window: 0) == vector.counter)
        }
    }

    /// RFC 4226 Appendix D, "Truncated" column: with 10 digits the 31-bit value itself, zero-padded.
    @Test func tenDigitsAreTheTruncatedValue() throws {
        let hotp = try HOTP(secret: Self.rfcSecret, digits: 10)
        let expected = [
            "1284755224", "1094287082", "0137359152", "1726969429", "1640338314",
            "0868254676", "1918287922", "0082162583", "0673399871", "0645520489",
        ]
        #expect((0..<10).map { hotp.code(counter: UInt64($0)) } == expected)
    }

    /// RFC 6238 Appendix B: all 18 rows, with the 20-, 32- and 64-byte seeds.
    @Test func matchesRFC6238AppendixB() throws {
        let file = try TestVectors.load("RFC6238", as: TOTPFile.self)
        #expect(file.cases.count == 18)
        #expect(file.seeds["SHA1"]?.bytes.count == 20)
        #expect(file.seeds["SHA256"]?.bytes.count == 32)
        #expect(file.seeds["SHA512"]?.bytes.count == 64)
        for vector in file.cases {
            let seed = try #require(file.seeds[vector.algorithm.rawValue])
            let totp = try TOTP(
                secret: SecretBytes(seed.bytes), algorithm: vector.algorithm, digits: file.digits, period: file.period)
            #expect(try totp.counter(atUnixTime: vector.time) == vector.counter)
            #expect(try totp.code(atUnixTime: vector.time) == vector.code, "\(vector.algorithm) at \(vector.time)")
            #expect(try totp.code(at: Date(timeIntervalSince1970: TimeInterval(vector.time) + 0.999)) == vector.code)
            #expect(try totp.verify(vector.code, atUnixTime: vector.time, window: 0) == vector.counter)
        }
    }

    @Test func computesOtherParameters() throws {
        let seed = try Base32.decodeSecret("JBSWY3DPEHPK3PXP")
        #expect(try TOTP(secret: seed).code(atUnixTime: 1_700_000_000) == "324550")
        let custom = try TOTP(secret: seed, algorithm: .sha256, digits: 7, period: 60, t0: 1000)
        #expect(try custom.code(atUnixTime: 1_700_000_000) == "4245206")
        #expect(try custom.counter(atUnixTime: 1000) == 0)
        #expect(try custom.counter(atUnixTime: 1059) == 0)
        #expect(try custom.counter(atUnixTime: 1060) == 1)
        let seed2 = try TOTP(secret: Base32.decodeSecret("3DPEHPK3PXPGHODADA"))
        #expect(try seed2.code(atUnixTime: 1_700_000_000) == "484014")
    }

    @Test func handlesTheEndsOfTheCounterRange() throws {
        let hotp = try HOTP(secret: Self.rfcSecret, algorithm: .sha512, digits: 10)
        #expect(hotp.code(counter: .max) == "1111381515")
        #expect(hotp.verify("1111381515", counter: .max - 2, window: 10) == .max)
        #expect(hotp.verify("1111381515", counter: .max, window: Int.max) == .max)
        let widest = try TOTP(secret: Self.rfcSecret, t0: .min)
        #expect(try widest.counter(atUnixTime: .max) == UInt64.max / 30)
        #expect(try widest.counter(atUnixTime: .max) == 614_891_469_123_651_720)
        #expect(try widest.code(atUnixTime: .max) == "277486")
        #expect(try widest.verify("277486", atUnixTime: .max, window: 3) == 614_891_469_123_651_720)
        let early = try TOTP(secret: Self.rfcSecret, period: 1)
        #expect(try early.verify("755224", atUnixTime: 0, window: 2) == 0)
        #expect(try early.verify("287082", atUnixTime: 0, window: 2) == 1)
        #expect(try early.verify("969429", atUnixTime: 0, window: 2) == nil)
    }

    @Test func refusesTimesBeforeT0() throws {
        let totp = try TOTP(secret: Self.rfcSecret, t0: 100)
        #expect(throws: OTPError.timeBeforeEpoch) { try totp.code(atUnixTime: 99) }
        #expect(throws: OTPError.timeBeforeEpoch) { try totp.counter(atUnixTime: .min) }
        #expect(throws: OTPError.timeBeforeEpoch) { try totp.verify("123456", atUnixTime: 0) }
        #expect(try totp.code(atUnixTime: 100) == "755224")
        let plain = try TOTP(secret: Self.rfcSecret)
        #expect(throws: OTPError.timeBeforeEpoch) { try plain.code(at: Date(timeIntervalSince1970: -0.5)) }
        #expect(throws: OTPError.timeBeforeEpoch) { try plain.code(at: Date(timeIntervalSince1970: -.infinity)) }
        #expect(throws: OTPError.timeOutOfRange) { try plain.code(at: Date(timeIntervalSince1970: 1e300)) }
        #expect(throws: OTPError.timeOutOfRange) { try plain.code(at: Date(timeIntervalSince1970: .nan)) }
        #expect(try plain.code(at: Date(timeIntervalSince1970: 29.9)) == "755224")
    }

    static let invalidParameters: [(digits: Int, period: Int, secret: [UInt8], error: OTPError)] = [
        (6, 30, [], .emptySecret),
        (5, 30, [1], .digitsOutOfRange(5)),
        (11, 30, [1], .digitsOutOfRange(11)),
        (0, 30, [1], .digitsOutOfRange(0)),
        (-6, 30, [1], .digitsOutOfRange(-6)),
        (.max, 30, [1], .digitsOutOfRange(.max)),
        (6, 0, [1], .nonPositivePeriod(0)),
        (6, -30, [1], .nonPositivePeriod(-30)),
        (6, .min, [1], .nonPositivePeriod(.min)),
    ]

    @Test(arguments: invalidParameters)
    func refusesInvalidParameters(digits: Int, period: Int, secret: [UInt8], error: OTPError) {
        #expect(throws: error) { try TOTP(secret: SecretBytes(secret), digits: digits, period: period) }
    }

    @Test func acceptsEveryDigitCountFromSixToTen() throws {
        for digits in 6...10 {
            let code = try HOTP(secret: Self.rfcSecret, digits: digits).code(counter: 7)
            #expect(code == String("0082162583".suffix(digits)))
        }
        #expect(try TOTP(secret: Self.rfcSecret, period: 4_294_967_295).counter(atUnixTime: .max) == 2_147_483_648)
    }

    @Test func verifiesWithinTheWindowOnly() throws {
        let totp = try TOTP(secret: Base32.decodeSecret("JBSWY3DPEHPK3PXP"))
        let now: Int64 = 1_700_000_000
        let step = UInt64(now / 30)
        // Codes of steps -2…+2, computed independently with Python's hmac.
        let codes = ["968785", "822542", "324550", "367665", "870960"]
        #expect(try totp.verify(codes[2], atUnixTime: now) == step)
        #expect(try totp.verify(codes[1], atUnixTime: now) == step - 1)
        #expect(try totp.verify(codes[3], atUnixTime: now) == step + 1)
        #expect(try totp.verify(codes[0], atUnixTime: now) == nil)
        #expect(try totp.verify(codes[4], atUnixTime: now) == nil)
        #expect(try totp.verify(codes[0], atUnixTime: now, window: 2) == step - 2)
        #expect(try totp.verify(codes[1], atUnixTime: now, window: 0) == nil)
        #expect(try totp.verify(codes[2], at: Date(timeIntervalSince1970: 1_700_000_000.7)) == step)
        #expect(throws: OTPError.negativeWindow(-1)) { try totp.verify(codes[2], atUnixTime: now, window: -1) }
    }

    static let malformedCodes = [
        "", "32455", "3245500", " 324550", "324550 ", "32 4550", "32455a", "+24550", "３２４５５０", "٣٢٤٥٥٠",
    ]

    @Test(arguments: malformedCodes)
    func refusesMalformedCodes(code: String) throws {
        let totp = try TOTP(secret: Base32.decodeSecret("JBSWY3DPEHPK3PXP"))
        #expect(try totp.verify(code, atUnixTime: 1_700_000_000, window: 5) == nil)
        let hotp = try HOTP(secret: Self.rfcSecret)
        #expect(hotp.verify(code, counter: 0, window: 5) == nil)
    }

    @Test func hotpLooksAheadAndReturnsTheLowestMatch() throws {
        let hotp = try HOTP(secret: Self.rfcSecret)
        #expect(hotp.verify("969429", counter: 0, window: 3) == 3)
        #expect(hotp.verify("969429", counter: 0, window: 2) == nil)
        #expect(hotp.verify("755224", counter: 1, window: 5) == nil)
        #expect(hotp.verify("755224", counter: 0, window: -1) == nil)
    }

    static let algorithmNames: [(String, OTPAlgorithm?)] = [
        ("SHA1", .sha1), ("sha1", .sha1), ("Sha-1", .sha1), ("HmacSHA1", .sha1), ("hmac-sha1", .sha1),
        ("SHA256", .sha256), ("sha-256", .sha256), ("SHA_256", .sha256), ("sha512", .sha512), ("SHA-512", .sha512),
        ("", nil), ("MD5", nil), ("SHA384", nil), ("SHA", nil), ("SHA2", nil), ("SHA1 SHA1", nil),
        (String(repeating: "-", count: 100) + "SHA1", nil),
    ]

    @Test(arguments: algorithmNames)
    func parsesAlgorithmNamesLeniently(name: String, expected: OTPAlgorithm?) {
        #expect(OTPAlgorithm(name: name) == expected)
    }

    @Test func encodesAlgorithmsByRawValue() throws {
        let data = try JSONEncoder().encode([OTPAlgorithm.sha1, .sha256, .sha512])
        #expect(String(decoding: data, as: UTF8.self) == #"["SHA1","SHA256","SHA512"]"#)
        #expect(try JSONDecoder().decode([OTPAlgorithm].self, from: data) == OTPAlgorithm.allCases)
    }

    @Test func redactsTheSecret() throws {
        let secret = SecretBytes(utf8: "hunter2-totp-seed")
        let totp = try TOTP(secret: secret, algorithm: .sha256, digits: 8)
        let hotp = try HOTP(secret: secret)
        #expect(totp.description == "TOTP(SHA256, 8 digits, period 30 s, T0 0, secret: <redacted>)")
        #expect(hotp.description == "HOTP(SHA1, 6 digits, secret: <redacted>)")
        for rendering in [String(reflecting: totp), String(reflecting: hotp), dumped(totp), dumped(hotp)] {
            #expect(!rendering.contains("hunter2"))
            #expect(rendering.contains("<redacted>"))
        }
        #expect(totp.secret == secret)
    }

    @Test func describesErrorsWithoutSecrets() {
        #expect(OTPError.emptySecret.description == "the secret is empty")
        #expect(OTPError.digitsOutOfRange(5).description == "the number of digits must be from 6 to 10, not 5")
        #expect(OTPError.nonPositivePeriod(0).description == "the period must be a positive number of seconds, not 0")
        #expect(OTPError.timeBeforeEpoch.description == "the time is before the start of the first time step (T0)")
    }

    private func dumped(_ value: some Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
