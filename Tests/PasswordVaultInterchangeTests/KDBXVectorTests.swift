import Foundation
import Testing

@testable import PasswordVaultInterchange

/// Public test vectors through the code paths the KDBX reader uses (docs/contract.md §15): the
/// KDF parameters parsed from a KDBX 4 variant dictionary and derived (libargon2), the outer
/// ChaCha20 cipher as the header decrypts with it, and the inner streams (libsodium).
@Suite("KDBX public vectors")
struct KDBXVectorTests {
    /// Bytes from hexadecimal text, spaces and line breaks ignored.
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter(\.isHexDigit))
        precondition(digits.count.isMultiple(of: 2), "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// RFC 9106's inputs (§5.1, §5.3): password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03,
    /// associated data 12 × 0x04, 32 KiB, 3 passes, 4 lanes, version 0x13, a 32-byte tag — as a
    /// KDBX 4 header's KDF parameters (`S`, `K`, `A`, `M` in bytes, `I`, `P`, `V`).
    static func argon2Parameters(_ uuid: [UInt8]) -> [UInt8] {
        var dictionary = VariantDictionary()
        dictionary.bytes("$UUID", uuid)
        dictionary.bytes("S", [UInt8](repeating: 0x02, count: 16))
        dictionary.bytes("K", [UInt8](repeating: 0x03, count: 8))
        dictionary.bytes("A", [UInt8](repeating: 0x04, count: 12))
        dictionary.uint64("M", 32 * 1024)
        dictionary.uint64("I", 3)
        dictionary.uint32("P", 4)
        dictionary.uint32("V", 0x13)
        return dictionary.encoded
    }

    @Test(arguments: [
        // RFC 9106 §5.1, Argon2d test vector, Tag[32].
        (
            KDBXConstant.argon2d,
            "51 2b 39 1b 6f 11 62 97 53 71 d3 09 19 73 42 94 f8 68 e3 be 39 84 f3 c1 a1 3a 4d b9 fa be 4a cb"
        ),
        // RFC 9106 §5.3, Argon2id test vector, Tag[32].
        (
            KDBXConstant.argon2id,
            "0d 64 0d f5 8d 78 76 6c 08 c0 37 a3 4a 8b 53 c9 d0 1e f0 45 2d 75 b6 5e b5 25 20 e9 6b 01 e6 59"
        ),
    ])
    func argon2MatchesRFC9106(uuid: [UInt8], tag: String) throws {
        let parameters = try KDFParameters.parse(Self.argon2Parameters(uuid))
        try parameters.check(KDBXLimits())
        let derived = try parameters.derive([UInt8](repeating: 0x01, count: 32), limits: KDBXLimits())
        #expect(derived == Self.hex(tag))
        // Without the secret the tag differs: `K` is used, not ignored.
        let withoutSecret = KDBXCrypto.argon2(
            password: [UInt8](repeating: 0x01, count: 32), salt: [UInt8](repeating: 0x02, count: 16),
            associatedData: [UInt8](repeating: 0x04, count: 12), iterations: 3, memoryKiB: 32, parallelism: 4,
            version: 0x13, identified: uuid == KDBXConstant.argon2id)
        #expect(withoutSecret != nil && withoutSecret != derived)
    }

    static let rfc8439Key = hex(
        "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f")

    /// RFC 8439 §2.3.2, "Test Vector for the ChaCha20 Block Function": nonce
    /// 00:00:00:09:00:00:00:4a:00:00:00:00, block count 1, the serialized block.
    static let block232 = (
        nonce: hex("00 00 00 09 00 00 00 4a 00 00 00 00"),
        block: hex(
            """
            10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4
            c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
            d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2
            b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e
            """)
    )

    /// RFC 8439 §2.4.2, "Example and Test Vector for the ChaCha20 Cipher": nonce
    /// 00:00:00:00:00:00:00:4a:00:00:00:00, initial counter 1, the sunscreen text.
    static let cipher242 = (
        nonce: hex("00 00 00 00 00 00 00 4a 00 00 00 00"),
        plaintext: Array(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
                .utf8),
        ciphertext: hex(
            """
            6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81
            e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
            f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57
            16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
            07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e
            52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
            5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42
            87 4d
            """)
    )

    /// The outer cipher as the reader decrypts a ChaCha20 file (`Header.decrypt`, KDBX's counter
    /// starts at 0): block 1 is the second 64 bytes, so 64 leading bytes stand for block 0.
    @Test func outerChaCha20MatchesRFC8439() throws {
        var header = Header()
        header.cipher = .chaCha20
        header.iv = Self.block232.nonce
        let stream = try #require(header.decrypt([UInt8](repeating: 0, count: 128), key: Self.rfc8439Key))
        #expect(Array(stream[64..<128]) == Self.block232.block)

        header.iv = Self.cipher242.nonce
        let zeros = [UInt8](repeating: 0, count: 64)
        let decrypted = try #require(header.decrypt(zeros + Self.cipher242.ciphertext, key: Self.rfc8439Key))
        #expect(Array(decrypted[64...]) == Self.cipher242.plaintext)
        // The writer encrypts with the same call.
        let encrypted = try #require(
            KDBXCrypto.chaCha20(zeros + Self.cipher242.plaintext, key: Self.rfc8439Key, nonce: Self.cipher242.nonce))
        #expect(Array(encrypted[64...]) == Self.cipher242.ciphertext)
    }

    /// The inner ChaCha20 stream, consumed in pieces as protected values consume it.
    @Test func innerChaCha20MatchesRFC8439() {
        var blocks = InnerStream(.chaCha20, key: Self.rfc8439Key, nonce: Self.block232.nonce)
        _ = blocks.apply([UInt8](repeating: 0, count: 64))
        #expect(blocks.apply([UInt8](repeating: 0, count: 64)) == Self.block232.block)

        var text = InnerStream(.chaCha20, key: Self.rfc8439Key, nonce: Self.cipher242.nonce)
        _ = text.apply([UInt8](repeating: 0, count: 64))
        let plaintext = Self.cipher242.plaintext
        let masked = text.apply(Array(plaintext[0..<50])) + text.apply(Array(plaintext[50...]))
        #expect(masked == Self.cipher242.ciphertext)

        // Past the stream's 1,024-byte refills, in uneven pieces: the same bytes as one call of
        // the outer cipher (checked above against the RFC).
        var long = InnerStream(.chaCha20, key: Self.rfc8439Key, nonce: Self.cipher242.nonce)
        var pieces: [UInt8] = []
        for size in [1, 63, 960, 1_000, 976, 3] { pieces += long.apply([UInt8](repeating: 0, count: size)) }
        let oneCall = KDBXCrypto.chaCha20(
            [UInt8](repeating: 0, count: pieces.count), key: Self.rfc8439Key, nonce: Self.cipher242.nonce)
        #expect(pieces.count == 3_003 && pieces == oneCall)
    }

    /// The inner Salsa20 stream (KDBX 3.1's, KeePassXC 2.7.4's default) against eSTREAM's
    /// verified Salsa20/20 vectors for 256-bit keys (ECRYPT, `salsa20-256.64-verified.test-vectors`,
    /// Set 1, vector# 0: key 80 00 … 00, IV 00 … 00), stream bytes 0–63, 192–255, 256–319, 448–511.
    @Test func innerSalsa20MatchesESTREAM() {
        var key = [UInt8](repeating: 0, count: 32)
        key[0] = 0x80
        var stream = InnerStream(.salsa20, key: key, nonce: [UInt8](repeating: 0, count: 8))
        var bytes: [UInt8] = []
        for size in [7, 100, 405] { bytes += stream.apply([UInt8](repeating: 0, count: size)) }
        #expect(
            Array(bytes[0..<64])
                == Self.hex(
                    """
                    E3BE8FDD8BECA2E3EA8EF9475B29A6E7 003951E1097A5C38D23B7A5FAD9F6844
                    B22C97559E2723C7CBBD3FE4FC8D9A07 44652A83E72A9C461876AF4D7EF1A117
                    """))
        #expect(
            Array(bytes[192..<256])
                == Self.hex(
                    """
                    57BE81F47B17D9AE7C4FF15429A73E10 ACF250ED3A90A93C711308A74C6216A9
                    ED84CD126DA7F28E8ABF8BB63517E1CA 98E712F4FB2E1A6AED9FDC73291FAA17
                    """))
        #expect(
            Array(bytes[256..<320])
                == Self.hex(
                    """
                    958211C4BA2EBD5838C635EDB81F513A 91A294E194F1C039AEEC657DCE40AA7E
                    7C0AF57CACEFA40C9F14B71A4B3456A6 3E162EC7D8D10B8FFB1810D71001B618
                    """))
        #expect(
            Array(bytes[448..<512])
                == Self.hex(
                    """
                    696AFCFD0CDDCC83C7E77F11A649D79A CDC3354E9635FF137E929933A0BD6F53
                    77EFA105A3A4266B7C0D089D08F1E855 CC32B15B93784A36E56A76CC64BC8477
                    """))
    }
}
