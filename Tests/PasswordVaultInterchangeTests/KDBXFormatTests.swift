import Foundation
import Testing

@testable import PasswordVaultInterchange

/// Our reader against our writer, and hostile files (docs/contract.md §15).
@Suite("KDBX format")
struct KDBXFormatTests {
    static let fast = KDBXWriter.Options(kdf: .argon2id(memory: 8 << 20, iterations: 1, parallelism: 1))

    static let entries = [
        InterchangeEntry(
            name: "Mail ✉", username: "ålice", password: "p<&>\"'ß", url: "https://ü.example/?a=1&b=2",
            notes: "one\r\ntwo\nthree\t✓", tags: ["work", "mail/inbox"],
            secretKey: "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme&digits=8&period=45",
            changedAt: Date(timeIntervalSince1970: 1_614_834_367)),
        InterchangeEntry(name: "Bare", username: "bob", password: "x", changedAt: Date(timeIntervalSince1970: 0)),
    ]

    /// Every cipher and KDF combination, round trip: ours → KDBX 4 → ours.
    @Test(
        arguments: [KDBXCipher.aes256, .chaCha20],
        [
            KDBXKDF.argon2id(memory: 8 << 20, iterations: 1, parallelism: 1),
            .argon2d(memory: 8 << 20, iterations: 2, parallelism: 2), .aesKDF(rounds: 1_000),
        ])
    func roundTrip(cipher: KDBXCipher, kdf: KDBXKDF) throws {
        let file = KDBXWriter.write(Self.entries, passphrase: "pässword", options: .init(cipher: cipher, kdf: kdf))
        let database = try KDBXReader.read(file, passphrase: "pässword")
        #expect(database.version.major == 4)
        #expect(database.cipher == cipher)
        #expect(database.kdf == kdf)
        #expect(database.entries == Self.entries)
    }

    @Test func historyRoundTrips() throws {
        var entry = Self.entries[1]
        entry.history = [
            InterchangeEntry(
                name: "Bare", username: "bob", password: "older", changedAt: Date(timeIntervalSince1970: -86_400))
        ]
        let file = KDBXWriter.write([entry], passphrase: "p", options: Self.fast)
        #expect(try KDBXReader.read(file, passphrase: "p").entries == [entry])
    }

    @Test func wrongPassphraseIsTold() {
        let file = KDBXWriter.write(Self.entries, passphrase: "right", options: Self.fast)
        #expect(throws: InterchangeError.wrongPassphrase) { try KDBXReader.read(file, passphrase: "wrong") }
    }

    /// A byte flipped anywhere is refused: the header by its hash, the blocks by their HMACs.
    @Test func flippedBytesAreRefused() throws {
        let file = KDBXWriter.write(Self.entries, passphrase: "p", options: Self.fast)
        for offset in stride(from: 12, to: file.count, by: max(1, file.count / 97)) {
            var damaged = file
            damaged[offset] ^= 0x01
            #expect(throws: InterchangeError.self, "offset \(offset)") {
                try KDBXReader.read(damaged, passphrase: "p")
            }
        }
        var header = file
        header[20] ^= 0x80
        #expect(throws: InterchangeError.self) { try KDBXReader.read(header, passphrase: "p") }
        var block = file
        block[file.count - 50] ^= 0x01
        #expect(throws: InterchangeError.damaged("block 0 HMAC")) { try KDBXReader.read(block, passphrase: "p") }
    }

    @Test func truncationIsRefused() {
        let file = KDBXWriter.write(Self.entries, passphrase: "p", options: Self.fast)
        for length in [0, 4, 8, 11, 12, 40, 150, file.count / 2, file.count - 37, file.count - 1] {
            #expect(throws: InterchangeError.self, "length \(length)") {
                try KDBXReader.read(Array(file.prefix(length)), passphrase: "p")
            }
        }
        #expect(throws: InterchangeError.truncated) { try KDBXReader.read(Array(file.prefix(200)), passphrase: "p") }
        #expect(throws: InterchangeError.notThisFormat("KDBX")) {
            try KDBXReader.read(Array("not a database at all".utf8), passphrase: "p")
        }
    }

    /// Huge declared sizes and costs are refused before anything is allocated or computed.
    @Test func hugeDeclarationsAreRefused() throws {
        let file = KDBXWriter.write(Self.entries, passphrase: "p", options: Self.fast)
        // The first header field's size (after signatures, version and its id) says 4 GiB.
        var header = file
        header.replaceSubrange(13..<17, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: InterchangeError.overLimit("header field size")) {
            try KDBXReader.read(header, passphrase: "p")
        }
        var limits = KDBXLimits()
        limits.argon2Memory = 4 << 20
        #expect(throws: InterchangeError.overLimit("Argon2 memory")) {
            try KDBXReader.read(file, passphrase: "p", limits: limits)
        }
        let aes = KDBXWriter.write(Self.entries, passphrase: "p", options: .init(kdf: .aesKDF(rounds: 5_000)))
        limits = KDBXLimits()
        limits.aesRounds = 4_999
        #expect(throws: InterchangeError.overLimit("AES-KDF rounds")) {
            try KDBXReader.read(aes, passphrase: "p", limits: limits)
        }
        // A block declaring 2 GiB.
        let headerEnd = try headerLength(file) + 64
        var block = file
        block.replaceSubrange((headerEnd + 32)..<(headerEnd + 36), with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: InterchangeError.overLimit("block size")) { try KDBXReader.read(block, passphrase: "p") }
        // A payload that inflates past the limit.
        let big = [
            InterchangeEntry(name: "n", username: "u", password: "p", notes: String(repeating: "a", count: 9_000))
        ]
        let bomb = KDBXWriter.write(big, passphrase: "p", options: Self.fast)
        limits = KDBXLimits()
        limits.inflatedBytes = 4_096
        #expect(throws: InterchangeError.overLimit("inflated payload size")) {
            try KDBXReader.read(bomb, passphrase: "p", limits: limits)
        }
    }

    /// Deep XML and DTD entities are refused.
    @Test func hostileXMLIsRefused() {
        let deep = KDBXWriter.seal(passphrase: "p", options: Self.fast) { _ in
            "<KeePassFile><Root>" + String(repeating: "<Group>", count: 100_000) + "</Root></KeePassFile>"
        }
        #expect(throws: InterchangeError.overLimit("XML depth")) { try KDBXReader.read(deep, passphrase: "p") }
        let laughs = KDBXWriter.seal(passphrase: "p", options: Self.fast) { _ in
            "<?xml version=\"1.0\"?><!DOCTYPE KeePassFile [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
                + "<KeePassFile><Root><Group><Entry><String><Key>Title</Key><Value>&b;</Value></String></Entry>"
                + "</Group></Root></KeePassFile>"
        }
        #expect(throws: InterchangeError.self) { try KDBXReader.read(laughs, passphrase: "p") }
        // KDBXReaderFuzz found FoundationXML's parser crashing on a processing instruction.
        let instruction = KDBXWriter.seal(passphrase: "p", options: Self.fast) { _ in
            "<?xml version=\"1.0\"?><KeePass><?xmliUBUID?><Root/></KeePass>"
        }
        #expect(throws: InterchangeError.damaged("processing instructions are not allowed")) {
            try KDBXReader.read(instruction, passphrase: "p")
        }
        let noRoot = KDBXWriter.seal(passphrase: "p", options: Self.fast) { _ in "<KeePassFile/>" }
        #expect(throws: InterchangeError.damaged("no Root element")) { try KDBXReader.read(noRoot, passphrase: "p") }
        let notXML = KDBXWriter.seal(passphrase: "p", options: Self.fast, compress: false) { _ in "<<<" }
        #expect(throws: InterchangeError.self) { try KDBXReader.read(notXML, passphrase: "p") }
    }

    /// KDBX 4 header length: signatures and version, then fields of id, u32 size, data.
    func headerLength(_ file: [UInt8]) throws -> Int {
        var cursor = ByteCursor(file)
        _ = try cursor.take(12)
        while true {
            let id = try cursor.u8()
            let size = Int(try cursor.u32())
            _ = try cursor.take(size)
            if id == 0 { return cursor.offset }
        }
    }

    /// HMAC-SHA-256 composed from libcrypto's hash states, against RFC 4231 test case 2.
    @Test func hmacMatchesRFC4231() {
        let mac = KDBXCrypto.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
        #expect(
            mac.map { String(format: "%02x", $0) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

/// What an older version holds that has no place is reported for the entry, by version, unless
/// the entry itself already says the same (docs/contract.md §15).
@Suite("KDBX older versions' report")
struct KDBXHistoryReportTests {
    @Test func olderVersionsRemarksAreReportedOnce() throws {
        let file = KDBXWriter.seal(passphrase: "p", options: KDBXFormatTests.fast) { _ in
            func entry(_ password: String, _ extra: String, _ inner: String = "") -> String {
                "<Entry><IconID>12</IconID><String><Key>Title</Key><Value>E</Value></String>"
                    + "<String><Key>UserName</Key><Value>u</Value></String>"
                    + "<String><Key>Password</Key><Value>\(password)</Value></String>\(extra)\(inner)</Entry>"
            }
            let pin = "<String><Key>Pin</Key><Value>1</Value></String>"
            let old = "<String><Key>Old</Key><Value>2</Value></String>"
            let history = "<History>" + entry("v1", pin + old) + entry("v2", pin) + "</History>"
            return "<KeePassFile><Root><Group><Name>Root</Name>" + entry("v3", pin, history)
                + "</Group></Root></KeePassFile>"
        }
        let entry = try #require(try KDBXReader.read(file, passphrase: "p").entries.first)
        #expect(entry.history.map(\.password) == ["v1", "v2"])
        #expect(entry.history.allSatisfy { $0.unmapped.isEmpty })
        #expect(entry.unmapped == ["custom field 'Pin'", "icon", "older version 1: custom field 'Old'"])
    }
}
