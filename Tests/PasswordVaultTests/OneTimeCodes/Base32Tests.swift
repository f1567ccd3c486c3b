import Foundation
import Testing

@testable import PasswordVault

@Suite("Base32 (RFC 4648 §6)")
struct Base32Tests {
    struct VectorFile: Decodable {
        struct Case: Decodable {
            var bytes: Hex
            var base32: String
        }
        var cases: [Case]
    }

    /// RFC 4648 §10: BASE32("") … BASE32("foobar").
    @Test func matchesRFC4648Section10() throws {
        let file = try TestVectors.load("RFC4648Base32", as: VectorFile.self)
        #expect(file.cases.count == 7)
        for vector in file.cases {
            let unpadded = String(vector.base32.prefix { $0 != "=" })
            #expect(Base32.encode(vector.bytes.bytes) == unpadded)
            if vector.bytes.bytes.isEmpty {
                #expect(throws: Base32Error.empty) { try Base32.decode(vector.base32) }
            } else {
                #expect(try Base32.decode(vector.base32) == vector.bytes.bytes)
                #expect(try Base32.decode(unpadded) == vector.bytes.bytes)
                #expect(try Base32.decode(vector.base32.lowercased()) == vector.bytes.bytes)
            }
        }
    }

    /// The seeds' own examples (docs/contract.md §5).
    @Test func decodesTheSeedExamples() throws {
        #expect(try Base32.decode("JBSWY3DPEHPK3PXP") == Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF])
        let second = try Base32.decode("3DPEHPK3PXPGHODADA")
        #expect(Hex(second) == Hex(Hex.parse("d8de43bd5b7dde63b86018")!))
        #expect(Base32.encode(second) == "3DPEHPK3PXPGHODADA")
        #expect(try Base32.decodeSecret("JBSWY3DPEHPK3PXP") == SecretBytes(try Base32.decode("JBSWY3DPEHPK3PXP")))
    }

    static let accepted: [(text: String, expected: String)] = [
        ("MZXW6YTBOI", "foobar"),
        ("mzxw6ytboi", "foobar"),
        ("MzXw6YtBoI", "foobar"),
        ("MZXW 6YTB OI", "foobar"),
        ("  MZXW6YTBOI  ", "foobar"),
        ("MZXW-6YTB-OI", "foobar"),
        ("MZXW\t6YTB\nOI", "foobar"),
        ("MZXW\r\n6YTB\rOI", "foobar"),
        ("MZXW6YTBOI======", "foobar"),
        ("MZXW6YTBOI====== \n", "foobar"),
        ("MZXW6YTBOI=== ===", "foobar"),
        ("MZXW6YQ=", "foob"),
        ("MZXW6===", "foo"),
        ("MZXQ====", "fo"),
        ("MY======", "f"),
        ("MY", "f"),
        ("MZ", "f"),  // non-zero trailing bits are accepted (RFC 4648 §3.5 allows either choice)
        ("MZXW6YTB", "fooba"),
        ("-M-Y-", "f"),
    ]

    @Test(arguments: accepted)
    func acceptsLenientForms(text: String, expected: String) throws {
        #expect(try Base32.decode(text) == Array(expected.utf8))
        #expect(try Base32.decodeSecret(text) == SecretBytes(utf8: expected))
    }

    static let refused: [(text: String, error: Base32Error)] = [
        ("", .empty),
        ("   ", .empty),
        (" -\t\r\n- ", .empty),
        ("MZXW1YTB", .invalidCharacter(position: 5)),
        ("MZXW8YTB", .invalidCharacter(position: 5)),
        ("MZXW0YTB", .invalidCharacter(position: 5)),
        ("MZXW_YTB", .invalidCharacter(position: 5)),
        ("MZXW.YTB", .invalidCharacter(position: 5)),
        ("é", .invalidCharacter(position: 1)),
        ("MY\u{0301}ZXW6YTB", .invalidCharacter(position: 2)),  // Y + combining accent is one Character
        ("👍🏽MZXW6YTB", .invalidCharacter(position: 1)),
        ("MZ👍🏽X", .invalidCharacter(position: 3)),
        ("\r\nMZ!", .invalidCharacter(position: 4)),  // CR-LF is a single Character
        ("MZXW6YTB\u{00A0}", .invalidCharacter(position: 9)),  // no-break space is not ignored
        ("MY=\0", .invalidCharacter(position: 4)),
        ("M", .invalidLength(symbols: 1)),
        ("MZX", .invalidLength(symbols: 3)),
        ("MZXW6Y", .invalidLength(symbols: 6)),
        ("MZXW6YTBO", .invalidLength(symbols: 9)),
        ("M=======", .invalidLength(symbols: 1)),
        ("MY=A", .misplacedPadding(position: 3)),
        ("MZXW=6YTB", .misplacedPadding(position: 5)),
        ("M Y = = MZ", .misplacedPadding(position: 5)),
        ("=MY", .misplacedPadding(position: 1)),
        ("MY=", .invalidPaddingLength(1)),
        ("MY=====", .invalidPaddingLength(5)),
        ("MY=======", .invalidPaddingLength(7)),
        ("MZXW6YTB========", .invalidPaddingLength(8)),
        ("MZXW6YTB=", .invalidPaddingLength(1)),
        ("MZXW6===========", .invalidPaddingLength(11)),
        ("====", .invalidPaddingLength(4)),
        ("========", .invalidPaddingLength(8)),
    ]

    @Test(arguments: refused)
    func refusesWithTheExactReason(text: String, error: Base32Error) {
        #expect(throws: error) { try Base32.decode(text) }
        #expect(throws: error) { try Base32.decodeSecret(text) }
    }

    @Test func describesReasonsWithoutTheText() {
        #expect(Base32Error.empty.description == "empty")
        #expect(Base32Error.invalidCharacter(position: 5).description == "invalid character at position 5")
        #expect(Base32Error.invalidLength(symbols: 9).description == "impossible length of 9 symbols")
        #expect(Base32Error.invalidLength(symbols: 1).description == "impossible length of 1 symbol")
        #expect(
            Base32Error.misplacedPadding(position: 4).description
                == "padding '=' is only allowed at the end (position 4)")
        #expect(Base32Error.invalidPaddingLength(5).description == "wrong amount of padding (5 '=')")
        do {
            _ = try Base32.decode("SECRETX9SECRET")
            Issue.record("should have thrown")
        } catch {
            #expect(!"\(error)".contains("9"))
            #expect(!"\(error)".contains("SECRET"))
            #expect("\(error)" == "invalid character at position 8")
        }
    }

    @Test func roundTripsEveryLength() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 1...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let text = Base32.encode(bytes)
            #expect(text.count == (length * 8 + 4) / 5)
            #expect(text.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) })
            #expect(try Base32.decode(text) == bytes)
            #expect(try Base32.decode(text.lowercased()) == bytes)
            let padded = text + String(repeating: "=", count: (8 - text.count % 8) % 8)
            #expect(try Base32.decode(padded) == bytes)
            let secret = SecretBytes(bytes)
            #expect(Base32.encode(secret) == text)
            #expect(try Base32.decodeSecret(text) == secret)
        }
        #expect(Base32.encode([UInt8]()) == "")
        #expect(Base32.encode(SecretBytes([])) == "")
    }

    @Test func encodesKnownBytes() {
        #expect(Base32.encode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == "77777777")
        #expect(Base32.encode([0x00]) == "AA")
        #expect(Base32.encode(Array("12345678901234567890".utf8)) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }
}
