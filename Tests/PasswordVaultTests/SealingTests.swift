import Foundation
import Testing

@testable import PasswordVault

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
            #expect(sealed.bytes.count == 45 + secret.count)
            #expect(sealed.bytes[0] == 1)
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
        // Entries whose ids differ only in the high bits of the subkey id are distinct too.
        let far = EntryID(rawValue: 312 + (1 << 40))!
        #expect(throws: CryptoError.self) { try Fixture.ring.open(sealed, entry: far, field: .password) }
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
            [], [1], Array(sealed.bytes.prefix(44)), Array(sealed.bytes.dropLast()), sealed.bytes + [0],
            [2] + sealed.bytes.dropFirst(),
        ]
        for bytes in malformed {
            #expect(throws: CryptoError.self) {
                try Fixture.ring.open(SealedValue(bytes: bytes), entry: Fixture.entry, field: .password)
            }
        }
        #expect(Fixture.ring.keyID(of: SealedValue(bytes: [1, 0, 0, 0])) == nil)
    }

    @Test func aValueUnderAnUnknownKeyNamesTheKey() throws {
        var bytes = try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: Fixture.entry, field: .password).bytes
        bytes[1...4] = [0, 0, 0, 9]
        #expect(throws: CryptoError.unknownDataKey(entry: "312", field: "password", keyID: 9)) {
            try Fixture.ring.open(SealedValue(bytes: bytes), entry: Fixture.entry, field: .password)
        }
    }

    @Test func entriesBeyondTheBindableRangeAreRefused() throws {
        let largest = EntryID(rawValue: (1 << 62) - 1)!
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: largest, field: .secretKey)
        #expect(try Fixture.ring.open(sealed, entry: largest, field: .secretKey) == SecretBytes(utf8: "x"))
        let beyond = EntryID(rawValue: 1 << 62)!
        #expect(throws: CryptoError.entryOutOfRange(entry: String(1 << 62))) {
            try Fixture.ring.seal(SecretBytes(utf8: "x"), entry: beyond, field: .password)
        }
        #expect(throws: CryptoError.sealedValueRejected(entry: String(1 << 62), field: "secret_key")) {
            try Fixture.ring.open(sealed, entry: beyond, field: .secretKey)
        }
    }

    @Test func fieldsHaveTheirWireNames() {
        #expect(SecretField.allCases.map(\.name) == ["password", "notes", "secret_key"])
        #expect(SecretField.allCases.map(\.rawValue) == [1, 2, 3])
    }
}
