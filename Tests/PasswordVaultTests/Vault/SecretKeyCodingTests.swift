import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// The sealed plaintext of a `secret_key`, byte for byte (docs/format.md §5): layout 1 for a bare
/// seed (what the first release wrote, still read), layout 2 for an otpauth URI with its label,
/// issuer and every parameter (docs/contract.md §16).
@Suite("secret_key plaintext layouts")
struct SecretKeyCodingTests {
    /// RFC 6238 Appendix A's SHA-1 and SHA-256 seeds, "1234567890…" of 20 and 32 bytes.
    static let sha1Seed = Array("12345678901234567890".utf8)
    static let sha256Seed = Array("12345678901234567890123456789012".utf8)
    /// `JBSWY3DPEHPK3PXP`.
    static let helloSeed: [UInt8] = Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF]

    /// The 15 fixed bytes: version, algorithm, digits, period (u32 BE), T0 (i64 BE).
    static func fixed(version: UInt8, algorithm: UInt8, digits: UInt8, period: UInt32, t0: Int64 = 0) -> [UInt8] {
        var bytes = [version, algorithm, digits]
        bytes.appendBigEndian(period)
        bytes.appendBigEndian(UInt64(bitPattern: t0))
        return bytes
    }

    static func layout2(algorithm: UInt8, digits: UInt8, period: UInt32, seed: [UInt8], uri: String) -> [UInt8] {
        var bytes = fixed(version: 2, algorithm: algorithm, digits: digits, period: period)
        bytes.appendBigEndian(UInt16(seed.count))
        return bytes + seed + Array(uri.utf8)
    }

    static func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }
    static func text(_ key: StoredSecretKey) -> String? { key.text.revealUTF8() }

    @Test func aFirstReleaseLayout1SeedStillGivesItsRFC6238Codes() throws {
        // As the first release sealed a URI's SHA-1, 8 digits, 30 s: no label, no issuer.
        let plain = Self.fixed(version: 1, algorithm: 1, digits: 8, period: 30) + Self.sha1Seed
        let key = try #require(SecretKeyCoding.decode(SecretBytes(plain)))
        #expect(key.uri == nil)
        #expect(try key.totp.code(atUnixTime: 59) == "94287082")
        #expect(try key.totp.code(atUnixTime: 1_111_111_109) == "07081804")
        // Its parameters are not lost: a URI with an empty label carries them.
        #expect(
            Self.text(key)
                == "otpauth://totp/?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=8&period=30")

        let bare = try #require(
            SecretKeyCoding.decode(
                SecretBytes(Self.fixed(version: 1, algorithm: 1, digits: 6, period: 30) + Self.helloSeed)))
        #expect(Self.text(bare) == "JBSWY3DPEHPK3PXP")
        #expect(try bare.totp.code(atUnixTime: 1_700_000_000) == "324550")
    }

    @Test func aBareSeedIsStillWrittenAsLayout1() throws {
        let expected = Self.fixed(version: 1, algorithm: 1, digits: 6, period: 30) + Self.helloSeed
        for text in [
            "jbsw y3dp-ehpk 3pxp", "otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "OTPAUTH://TOTP?secret=jbswy3dpehpk3pxp",
        ] {
            let key = try SecretKeyRule.parse(text)
            #expect(Self.bytes(try SecretKeyCoding.encode(key)) == expected, "\(text)")
            #expect(Self.text(key) == "JBSWY3DPEHPK3PXP")
        }
    }

    @Test func aKeyURIIsWrittenAsLayout2WithItsLabelIssuerAndEveryParameter() throws {
        let sent =
            "otpauth://totp/ACME%20Co:john@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
            + "&algorithm=sha256&digits=8&period=60&issuer=ACME%20Co&image=https%3A%2F%2Fexample.com%2Flogo.png"
        let written =
            "otpauth://totp/ACME%20Co:john%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
            + "&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60&image=https%3A%2F%2Fexample.com%2Flogo.png"
        let key = try SecretKeyRule.parse(sent)
        #expect(Self.text(key) == written)
        let plain = try SecretKeyCoding.encode(key)
        let expected = Self.layout2(algorithm: 2, digits: 8, period: 60, seed: Self.sha256Seed, uri: written)
        #expect(Self.bytes(plain) == expected)
        #expect(Array(expected[15..<17]) == [0, 32])

        let read = try #require(SecretKeyCoding.decode(plain))
        #expect(Self.text(read) == written)
        #expect(read.uri?.issuer == "ACME Co" && read.uri?.account == "john@example.com")
        #expect(read.uri?.extraParameters == [.init(name: "image", value: "https://example.com/logo.png")])
        // The codes come from the stored seed: RFC 6238's SHA-256 vector at T = 1 (60 s steps).
        #expect(try read.totp.code(atUnixTime: 119) == "46119246")

        // A label alone is more than a seed: it is kept.
        let labelled = try SecretKeyRule.parse("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP")
        let labelText = "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30"
        #expect(Self.text(labelled) == labelText)
        #expect(
            Self.bytes(try SecretKeyCoding.encode(labelled))
                == Self.layout2(algorithm: 1, digits: 6, period: 30, seed: Self.helloSeed, uri: labelText))
    }

    static let refusedPlaintexts: [(String, [UInt8])] = [
        ("version 3", fixed(version: 3, algorithm: 1, digits: 6, period: 30) + helloSeed),
        ("layout 1 without a seed", fixed(version: 1, algorithm: 1, digits: 6, period: 30)),
        ("unknown algorithm", fixed(version: 1, algorithm: 4, digits: 6, period: 30) + helloSeed),
        ("period 0", fixed(version: 1, algorithm: 1, digits: 6, period: 0) + helloSeed),
        (
            "the URI names another seed",
            layout2(
                algorithm: 1, digits: 6, period: 30, seed: sha1Seed,
                uri: "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30")
        ),
        (
            "the URI states other digits",
            layout2(
                algorithm: 1, digits: 6, period: 30, seed: helloSeed,
                uri: "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=8&period=30")
        ),
        (
            "an hotp URI",
            layout2(
                algorithm: 1, digits: 6, period: 30, seed: helloSeed,
                uri: "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&counter=0")
        ),
        (
            "a URI that says no more than a seed",
            layout2(
                algorithm: 1, digits: 6, period: 30, seed: helloSeed,
                uri: "otpauth://totp/?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30")
        ),
        ("layout 2 without a URI", layout2(algorithm: 1, digits: 6, period: 30, seed: helloSeed, uri: "")),
        (
            "a seed length of 0",
            fixed(version: 2, algorithm: 1, digits: 6, period: 30) + [0, 0] + Array("otpauth://totp/a?secret=A".utf8)
        ),
        ("a seed length past the end", fixed(version: 2, algorithm: 1, digits: 6, period: 30) + [0, 40] + helloSeed),
    ]

    @Test(arguments: refusedPlaintexts)
    func aPlaintextInNeitherLayoutIsRefused(_ name: String, _ plain: [UInt8]) {
        #expect(SecretKeyCoding.decode(SecretBytes(plain)) == nil, "\(name)")
    }

    @Test func anHOTPURIIsRefusedAsASecretKey() throws {
        // docs/contract.md §5: the vault gives TOTP codes; an hotp URI's counter has no meaning in it.
        let error = #expect(throws: VaultError.self) {
            try SecretKeyRule.parse("otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=5")
        }
        #expect(error?.message == "1002: Parameter 'secret_key' is invalid: not a usable otpauth URI: not a totp URI")
    }

    @Test func aVaultReadsALayout1SeedTheFirstReleaseSealed() async throws {
        let f = try await VaultFixture()
        var request = PasswordRequest(name: "old", username: "u", password: "p")
        request.secretKey = "otpauth://totp/Issuer:label?secret=JBSWY3DPEHPK3PXP"
        let id = try await f.vault.create(request, as: f.alice).entity.identifier
        var stored = try #require(try await f.storage.entity(id))
        let legacy = Self.fixed(version: 1, algorithm: 2, digits: 8, period: 30) + Self.sha256Seed
        stored.sealedSecretKey = try f.vault.ring.seal(SecretBytes(legacy), entry: id, field: .secretKey)
        try await f.storage.replace(stored, expectedVersion: stored.version)

        #expect(try await f.vault.code(id, at: Date(timeIntervalSince1970: 59), as: f.alice) == "46119246")
        let text = try await f.vault.revealSecretKeyText(id, as: f.alice)?.revealUTF8()
        #expect(
            text
                == "otpauth://totp/?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&algorithm=SHA256&digits=8&period=30"
        )
        let revealed = try await f.vault.reveal(id, at: Date(timeIntervalSince1970: 59), as: f.alice)
        #expect(revealed.secretKeyText?.revealUTF8() == text)
        #expect(revealed.code == "46119246")
    }

    @Test func anEarlierVersionsKeyIsShownAsTheSameText() async throws {
        let f = try await VaultFixture()
        var request = PasswordRequest(name: "n", username: "u", password: "p")
        let uri = "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME&algorithm=SHA256&digits=8&period=60"
        request.secretKey = .value(uri)
        let id = try await f.vault.create(request, as: f.alice).entity.identifier
        var change = PasswordRequest()
        change.secretKey = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        _ = try await f.vault.update(id, change, as: f.alice)

        let first = try await f.vault.revealVersion(id, version: 1, as: f.alice)
        #expect(first.secretKeyText?.revealUTF8() == uri)
        #expect(first.secretKey?.period == 60)
        let second = try await f.vault.revealVersion(id, version: 2, as: f.alice)
        #expect(second.secretKeyText?.revealUTF8() == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }
}
