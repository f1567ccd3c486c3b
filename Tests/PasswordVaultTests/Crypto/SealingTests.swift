import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

@Suite("Sealing secrets")
struct SealingTests {
    static let secrets: [(String, SecretBytes)] = [
        ("empty", SecretBytes([])),
        ("one byte", SecretBytes([0x2A])),
        ("200 bytes", SecretBytes((0..<200).map { UInt8($0) })),
        ("10,000 characters", SecretBytes(utf8: String(repeating: "n", count: 10_000))),
        ("non-ASCII", SecretBytes(utf8: "Senha çãé – пароль – 密码 – 🔐")),
    ]

    @Test(arguments: secrets)
    func roundTrips(_ name: String, _ secret: SecretBytes) throws {
        for field in SecretField.allCases {
            let sealed = try Fixture.ring.seal(secret, entry: Fixture.entry, field: field)
            #expect(sealed.bytes.count == 54 + secret.count)
            #expect(sealed.bytes[0] == 2)
            #expect(Fixture.ring.keyID(of: sealed) == Fixture.ring.currentKeyID)
            #expect(try Fixture.ring.open(sealed, entry: Fixture.entry, field: field) == secret)
        }
    }

    @Test func usesAFreshNonceEachTime() throws {
        let secret = SecretBytes(utf8: "8jhfy@3789")
        let a = try Fixture.ring.seal(secret, entry: Fixture.entry, field: .password)
        let b = try Fixture.ring.seal(secret, entry: Fixture.entry, field: .password)
        #expect(a != b)
        #expect(a.bytes[5..<29] != b.bytes[5..<29])
    }

    @Test func aValueMovedToAnotherEntryIsRefused() throws {
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "8jhfy@3789"), entry: Fixture.entry, field: .password)
        #expect(throws: CryptoError.sealedValueRejected(entry: "313", field: "password")) {
            try Fixture.ring.open(sealed, entry: Fixture.otherEntry, field: .password)
        }
        // Entries whose ids differ only in their high bits are distinct too.
        for bit in [40, 62] {
            let far = EntryID(rawValue: 312 | (1 << bit))!
            #expect(throws: CryptoError.sealedValueRejected(entry: far.description, field: "password")) {
                try Fixture.ring.open(sealed, entry: far, field: .password)
            }
        }
    }

    @Test(arguments: SecretField.allCases)
    func aValueMovedToAnotherFieldIsRefused(_ field: SecretField) throws {
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "JBSWY3DPEHPK3PXP"), entry: Fixture.entry, field: field)
        for other in SecretField.allCases where other != field {
            #expect(throws: CryptoError.sealedValueRejected(entry: "312", field: other.name)) {
                try Fixture.ring.open(sealed, entry: Fixture.entry, field: other)
            }
        }
    }

    @Test func everySingleBitFlipIsRefused() throws {
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "8jhfy@3789"), entry: Fixture.entry, field: .notes)
        var refused = 0
        for flip in singleBitFlips(of: sealed.bytes) {
            do {
                _ = try Fixture.ring.open(SealedValue(bytes: flip.bytes), entry: Fixture.entry, field: .notes)
                Issue.record("bit \(flip.bit) flipped, and the value still opened")
            } catch .sealedValueRejected(entry: "312", field: "notes") {
                refused += 1
            } catch .unknownDataKey(entry: "312", field: "notes", keyID: _) {
                #expect((8..<40).contains(flip.bit), "only the key id bits name another key")
                refused += 1
            } catch {
                Issue.record("bit \(flip.bit): unexpected \(error)")
            }
        }
        #expect(refused == sealed.bytes.count * 8)
    }

    @Test func malformedValuesAreRefused() throws {
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: Fixture.entry, field: .password)
        let malformed: [[UInt8]] = [
            [], [2], Array(sealed.bytes.prefix(45)), Array(sealed.bytes.prefix(53)), Array(sealed.bytes.dropLast()),
            sealed.bytes + [0], [1] + sealed.bytes.dropFirst(), [3] + sealed.bytes.dropFirst(),
        ]
        for bytes in malformed {
            #expect(throws: CryptoError.sealedValueRejected(entry: "312", field: "password")) {
                try Fixture.ring.open(SealedValue(bytes: bytes), entry: Fixture.entry, field: .password)
            }
        }
        #expect(Fixture.ring.keyID(of: SealedValue(bytes: [2, 0, 0, 0])) == nil)
        #expect(Fixture.ring.keyID(of: SealedValue(bytes: Array(sealed.bytes.prefix(53)))) == nil)
    }

    @Test func aValueUnderAnUnknownKeyNamesTheKey() throws {
        var bytes = try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: Fixture.entry, field: .password).bytes
        bytes[1...4] = [0, 0, 0, 9]
        #expect(throws: CryptoError.unknownDataKey(entry: "312", field: "password", keyID: 9)) {
            try Fixture.ring.open(SealedValue(bytes: bytes), entry: Fixture.entry, field: .password)
        }
    }

    @Test func everyEntryIDCanBeBound() throws {
        for raw: Int64 in [1, 2, (1 << 62) - 1, 1 << 62, .max - 1, .max] {
            let entry = EntryID(rawValue: raw)!
            let sealed = try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: entry, field: .secretKey)
            #expect(try Fixture.ring.open(sealed, entry: entry, field: .secretKey) == SecretBytes(utf8: "x"))
            let neighbour = EntryID(rawValue: raw == .max ? raw - 1 : raw + 1)!
            #expect(throws: CryptoError.sealedValueRejected(entry: neighbour.description, field: "secret_key")) {
                try Fixture.ring.open(sealed, entry: neighbour, field: .secretKey)
            }
        }
    }

    /// A value sealed for entry A, field F is authentic under the data key — its tag verifies and
    /// its plaintext begins with A and F — yet opening it for entry B or field G is refused by the
    /// binding check, naming B or G.
    @Test func theBindingCheckRefusesAnAuthenticValueElsewhere() throws {
        let secret = SecretBytes(utf8: "8jhfy@3789")
        let sealed = try Fixture.ring.seal(secret, entry: Fixture.entry, field: .notes)
        let layout = SealedValue.Layout.self

        // Decrypted by hand under the current data key: authentic, bound to 312 and notes.
        let plaintext = try SecretBox.open(
            sealed.bytes[layout.sealed...], nonce: sealed.bytes[layout.nonce],
            key: Fixture.ring.dataKeys[Fixture.ring.currentKeyID]!, orThrow: .wrongPassphraseOrKey)
        plaintext.withUnsafeBytes { bytes in
            #expect(Array(bytes.prefix(9)) == [0, 0, 0, 0, 0, 0, 0x01, 0x38, SecretField.notes.rawValue])
            #expect(layout.isBound(bytes, to: Fixture.entry, field: .notes))
            #expect(!layout.isBound(bytes, to: Fixture.otherEntry, field: .notes))
            #expect(!layout.isBound(bytes, to: Fixture.entry, field: .password))
            #expect(Array(bytes.dropFirst(9)) == Array("8jhfy@3789".utf8))
        }

        // So the tag is not what refuses it elsewhere: the binding is, and the error names the place.
        #expect(try Fixture.ring.open(sealed, entry: Fixture.entry, field: .notes) == secret)
        #expect(throws: CryptoError.sealedValueRejected(entry: "313", field: "notes")) {
            try Fixture.ring.open(sealed, entry: Fixture.otherEntry, field: .notes)
        }
        for other in SecretField.allCases where other != .notes {
            #expect(throws: CryptoError.sealedValueRejected(entry: "312", field: other.name)) {
                try Fixture.ring.open(sealed, entry: Fixture.entry, field: other)
            }
        }
    }

    @Test func aValueOfTheFormerLayoutIsRefused() throws {
        // Version 1: the bare secret sealed under a crypto_kdf subkey, 45 bytes of overhead.
        var bytes = try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: Fixture.entry, field: .password).bytes
        bytes[0] = 1
        #expect(Fixture.ring.keyID(of: SealedValue(bytes: bytes)) == nil)
        #expect(throws: CryptoError.sealedValueRejected(entry: "312", field: "password")) {
            try Fixture.ring.open(SealedValue(bytes: bytes), entry: Fixture.entry, field: .password)
        }
    }

    @Test func fieldsHaveTheirWireNames() {
        #expect(SecretField.allCases.map(\.name) == ["password", "notes", "secret_key"])
        #expect(SecretField.allCases.map(\.rawValue) == [1, 2, 3])
    }
}
