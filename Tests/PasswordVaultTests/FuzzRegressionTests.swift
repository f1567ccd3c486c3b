import Foundation
import Testing

@testable import PasswordVault

/// Inputs the fuzz harnesses (`Fuzz/`, `make fuzz`) failed on, each replayed through the
/// harness's own oracle. The inputs are in the seed corpora too (`Fuzz/Corpus/<target>/regression-*`).
@Suite("Fuzzing regressions")
struct FuzzRegressionTests {
    /// OTPAuthURIFuzz's oracle: what parses writes a `uriString` that parses to an equal value,
    /// and a description that is that string with the secret redacted.
    static func checkRoundTrip(_ text: String) throws {
        let uri = try OTPAuthURI(parsing: text)
        let written = uri.uriString
        let again = try OTPAuthURI(parsing: written)
        #expect(again == uri, "\(uri) became \(again)")
        #expect(again.account == uri.account && again.issuer == uri.issuer)
        #expect(again.uriString == written)
        let secret = "?secret=" + Base32.encode(uri.secret)
        #expect(uri.description == written.replacingOccurrences(of: secret, with: "?secret=<redacted>"))
    }

    static let found: [(name: String, bytes: [UInt8])] = [
        // An account starting with a space, with an issuer parameter: written as `I:%20x`, the
        // space after the separator was dropped on reading.
        ("leading space", Array("otpauth://totp/%20x?secret=JBSWY3DP&issuer=I".utf8)),
        // Found by OTPAuthURIFuzz: an account starting with a combining mark (U+035B) after
        // `ISSUER:` hid the colon inside one `Character`.
        (
            "combining mark",
            Array("otpauth://hotp/".utf8) + [0xCD, 0x9B, 0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD]
                + Array("gcount?secret=JBY-HA255K3PXP&counter=42&digits=7&alg&issuer=or".utf8)
                + Array(repeating: 0, count: 20)
                + Array("a255".utf8)
        ),
    ]

    @Test(arguments: found.map(\.name))
    func otpauthURIsFoundByFuzzingRoundTrip(name: String) throws {
        let bytes = Self.found.first { $0.name == name }!.bytes
        try Self.checkRoundTrip(String(decoding: bytes, as: UTF8.self))
    }

    /// The same kinds of labels, written from parts.
    @Test(
        arguments: [
            ("I", " x"), ("I", "\u{35B}x"), ("I", " \u{35B}x"), ("I", ":\u{301}"), (nil, "a:\u{301}b"), (nil, " x"),
            ("I\u{301}", "x"), ("I", "I:x"), (nil, "\u{301}"),
        ] as [(String?, String)])
    func labelsWithSpacesAndMarksRoundTrip(issuer: String?, account: String) throws {
        let uri = try OTPAuthURI(
            kind: .totp(period: 30), account: account, issuer: issuer, secret: SecretBytes(Array("12345".utf8)))
        let again = try OTPAuthURI(parsing: uri.uriString)
        #expect(again == uri, "\(uri.uriString) read back as \(again)")
    }

    /// Labels as authenticator apps write them still split where they did.
    @Test func theSeparatorIsStillFoundWhereItWas() throws {
        let uri = try OTPAuthURI(parsing: "otpauth://totp/ACME%20Co:%20%20john@example.com?secret=JBSWY3DP")
        #expect(uri.issuer == "ACME Co")
        #expect(uri.account == "john@example.com")
        let marked = try OTPAuthURI(parsing: "otpauth://totp/ACME:%CD%9Bjohn?secret=JBSWY3DP&issuer=ACME")
        #expect(marked.account == "\u{35B}john")
        let spaced = try OTPAuthURI(parsing: "otpauth://totp/ACME:%20%CD%9Bjohn?secret=JBSWY3DP")
        #expect(spaced.issuer == "ACME")
        #expect(spaced.account == "\u{35B}john")
    }
}
