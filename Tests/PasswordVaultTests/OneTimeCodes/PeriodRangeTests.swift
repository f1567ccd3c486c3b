import Foundation
import Testing

@testable import PasswordVault

/// One period range everywhere: 1 to 2³²−1 seconds (docs/contract.md §5, §16), in the library's
/// generator and in key URIs; the wire and `pwvault code` have tests of their own for the same bounds.
@Suite("TOTP period range")
struct PeriodRangeTests {
    static let seed = SecretBytes(Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF])

    @Test func theGeneratorAcceptsOneToTwoToThe32MinusOneSeconds() throws {
        #expect(TOTP.allowedPeriods == 1...4_294_967_295)
        #expect(try TOTP(secret: Self.seed, period: 1).code(atUnixTime: 59) == "663767")
        let longest = try TOTP(secret: Self.seed, period: 4_294_967_295)
        #expect(try longest.code(atUnixTime: 59) == "282760")
        #expect(try longest.counter(atUnixTime: .max) == 2_147_483_648)
        #expect(throws: OTPError.nonPositivePeriod(0)) { try TOTP(secret: Self.seed, period: 0) }
        #expect(throws: OTPError.periodTooLong(4_294_967_296)) { try TOTP(secret: Self.seed, period: 4_294_967_296) }
        #expect(throws: OTPError.periodTooLong(.max)) { try TOTP(secret: Self.seed, period: .max) }
        #expect(
            OTPError.periodTooLong(4_294_967_296).description
                == "the period must be at most 4294967295 seconds, not 4294967296")
    }

    @Test func keyURIsAcceptTheSameRange() throws {
        func parse(_ period: String) throws(OTPAuthURIError) -> OTPAuthURI {
            try OTPAuthURI(parsing: "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=\(period)")
        }
        #expect(try parse("1").kind == .totp(period: 1))
        #expect(try parse("4294967295").kind == .totp(period: 4_294_967_295))
        #expect(try parse("4294967295").makeTOTP().period == 4_294_967_295)
        #expect(throws: OTPAuthURIError.invalidParameters(.nonPositivePeriod(0))) { try parse("0") }
        #expect(throws: OTPAuthURIError.invalidParameters(.periodTooLong(4_294_967_296))) { try parse("4294967296") }
        #expect(
            OTPAuthURIError.invalidParameters(.periodTooLong(4_294_967_296)).description
                == "the period must be at most 4294967295 seconds, not 4294967296")
        #expect(throws: OTPAuthURIError.invalidParameters(.periodTooLong(4_294_967_296))) {
            try OTPAuthURI(kind: .totp(period: 4_294_967_296), account: "a", secret: Self.seed)
        }
    }
}
