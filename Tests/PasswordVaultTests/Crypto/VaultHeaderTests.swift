import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

@Suite("Vault header and credentials")
struct VaultHeaderTests {
    let passphrase = VaultCredential.passphrase(Fixture.passphrase)

    @Test func createdHeaderUnlocksWithThePassphrase() throws {
        #expect(Fixture.header.count == 182 + 76)
        #expect(Array(Fixture.header.prefix(5)) == Array("PWVH".utf8) + [3])
        let ring = try KeyRing.unlock(header: Fixture.header, credential: passphrase)
        #expect(ring.currentKeyID == 1)
        #expect(ring.keyIDs == [1])
        #expect(ring.dataKeys == Fixture.ring.dataKeys)
        #expect(!ring.isRotationPending)
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "8jhfy@3789"), entry: Fixture.entry, field: .password)
        #expect(try ring.open(sealed, entry: Fixture.entry, field: .password) == SecretBytes(utf8: "8jhfy@3789"))
    }

    @Test func theCostIsStoredInTheHeader() throws {
        let header = try VaultHeader(parsing: Fixture.header)
        guard case .argon2id(let salt, let cost) = header.derivation else {
            Issue.record("expected Argon2id")
            return
        }
        #expect(salt.count == 16)
        #expect(cost == .minimum)
        #expect(KeyDerivationCost.minimum == KeyDerivationCost(opsLimit: 1, memLimit: 8192))
        #expect(KeyDerivationCost.moderate == KeyDerivationCost(opsLimit: 3, memLimit: 256 << 20))
    }

    @Test func twoVaultsFromOnePassphraseDiffer() throws {
        let other = try KeyRing.create(credential: passphrase, cost: .minimum)
        #expect(other.header != Fixture.header)
        #expect(other.ring.dataKeys[1] != Fixture.ring.dataKeys[1])
        #expect(other.header[6..<22] != Fixture.header[6..<22], "a fresh salt")
    }

    @Test func aWrongPassphraseIsRefusedAndChangesNothing() throws {
        let header = Fixture.header
        let before = header
        #expect(throws: CryptoError.wrongPassphraseOrKey) {
            try KeyRing.unlock(
                header: header, credential: .passphrase(SecretBytes(utf8: "Correct horse battery staple")))
        }
        #expect(throws: CryptoError.wrongPassphraseOrKey) {
            try KeyRing.unlock(header: header, credential: .passphrase(SecretBytes([])))
        }
        #expect(throws: CryptoError.wrongPassphraseOrKey) {
            try KeyRing.unlock(header: header, credential: .rawKey(SecretBytes([UInt8](repeating: 7, count: 32))))
        }
        #expect(header == before)
        #expect(try KeyRing.unlock(header: header, credential: passphrase).dataKeys == Fixture.ring.dataKeys)
    }

    @Test func anEmptyPassphraseWorks() throws {
        let empty = VaultCredential.passphrase(SecretBytes([]))
        let (ring, header) = try KeyRing.create(credential: empty, cost: .minimum)
        #expect(try KeyRing.unlock(header: header, credential: empty).dataKeys == ring.dataKeys)
        #expect(throws: CryptoError.wrongPassphraseOrKey) {
            try KeyRing.unlock(header: header, credential: .passphrase(SecretBytes(utf8: " ")))
        }
    }

    @Test func aRawKeyCreatesAndUnlocks() throws {
        let key = try SecretBytes.random(count: 32)
        let (ring, header) = try KeyRing.create(credential: .rawKey(key), cost: .sensitive)
        #expect(header[5] == 2)
        #expect(header[6..<39].allSatisfy { $0 == 0 }, "no salt or cost for a raw key")
        #expect(try KeyRing.unlock(header: header, credential: .rawKey(key)).dataKeys == ring.dataKeys)
        #expect(throws: CryptoError.wrongPassphraseOrKey) {
            try KeyRing.unlock(header: header, credential: .rawKey(try SecretBytes.random(count: 32)))
        }
        #expect(throws: CryptoError.wrongPassphraseOrKey) {
            try KeyRing.unlock(header: header, credential: .passphrase(SecretBytes(utf8: "anything")))
        }
    }

    @Test(arguments: [0, 1, 16, 31, 33, 64])
    func aRawKeyOfTheWrongLengthIsRefused(_ length: Int) throws {
        let key = SecretBytes([UInt8](repeating: 1, count: length))
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: length)) {
            try KeyRing.create(credential: .rawKey(key), cost: .minimum)
        }
        let rawHeader = try KeyRing.create(
            credential: .rawKey(SecretBytes([UInt8](repeating: 1, count: 32))), cost: .minimum
        )
        .header
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: length)) {
            try KeyRing.unlock(header: rawHeader, credential: .rawKey(key))
        }
    }

    @Test func aCostOutsideLibsodiumsLimitsIsRefused() {
        for cost in [KeyDerivationCost(opsLimit: 0, memLimit: 8192), KeyDerivationCost(opsLimit: 1, memLimit: 1024)] {
            #expect(throws: CryptoError.keyDerivationFailed) { try KeyRing.create(credential: passphrase, cost: cost) }
        }
    }

    @Test func everySingleBitFlipOfTheHeaderIsRefused() throws {
        var counts: [String: Int] = [:]
        for flip in singleBitFlips(of: Fixture.header) {
            do {
                _ = try KeyRing.unlock(header: flip.bytes, credential: passphrase)
                Issue.record("bit \(flip.bit) flipped, and the header still unlocked")
            } catch .headerCorrupted(let reason) {
                counts[reason, default: 0] += 1
            } catch {
                Issue.record("bit \(flip.bit): unexpected \(error)")
            }
        }
        #expect(counts == ["checksum mismatch": 258 * 8 - 32, "not a PasswordVault header": 32])
    }

    /// A forger who recomputes the unkeyed checksum meets the structure checks, a KEK that no
    /// longer unwraps the current key, or the keyed MAC. Checked on a header with two data keys
    /// (a rotation begun), byte by byte, with the outcome each region must give.
    @Test func everyForgedChangeIsRefused() throws {
        let (_, header) = try Fixture.ring.beginRotation()
        #expect(header.count == 182 + 2 * 76)
        let authenticationFailed = CryptoError.headerCorrupted(reason: "authentication failed")
        func expected(atByte offset: Int) -> CryptoError? {
            switch offset {
            case 0..<4: .headerCorrupted(reason: "not a PasswordVault header")
            case 4: nil  // the version: any other is refused by number, checked below
            case 5: nil  // the kind: another known kind or an unknown one, checked below
            case 6..<22: .wrongPassphraseOrKey  // the salt: another KEK
            case 38: .headerCorrupted(reason: "unsupported key derivation parameters")
            case 41..<117: authenticationFailed  // data key 1, not the current one
            case 117..<121, 193..<197: .headerCorrupted(reason: "the current data key is missing")
            case 121..<193: .wrongPassphraseOrKey  // the wrapped current key
            // The history depth (10): a flip to at most 100 fails the MAC, one above is refused by
            // the structure check; both are headerCorrupted, accepted below.
            case 197: nil
            case 198..<270: authenticationFailed  // the wrapped audit key, under the MAC
            case 270..<302: authenticationFailed  // the MAC itself
            default: nil
            }
        }
        let costBytes = 22..<38  // a forged cost only makes Argon2id slow: not run here
        var checked = 0
        for flip in singleBitFlips(of: header) where flip.bit < (header.count - 32) * 8 {
            let offset = flip.bit / 8
            guard !costBytes.contains(offset) else { continue }
            let body = flip.bytes.dropLast(32)
            let forged = Array(body) + (try Sodium.blake2b(body))
            do {
                _ = try KeyRing.unlock(header: forged, credential: passphrase)
                Issue.record("byte \(offset) forged, and the header still unlocked")
            } catch {
                if let wanted = expected(atByte: offset) {
                    #expect(error == wanted, "byte \(offset)")
                } else if case .headerCorrupted = error {
                } else if case .unsupportedHeaderVersion = error {
                } else {
                    Issue.record("byte \(offset): unexpected \(error)")
                }
                checked += 1
            }
        }
        #expect(checked == (header.count - 32 - costBytes.count) * 8)
    }

    @Test func aNewerVersionIsRefusedByName() throws {
        var header = Fixture.header
        header[4] = 4
        let body = Array(header.dropLast(32))
        #expect(throws: CryptoError.unsupportedHeaderVersion(4)) {
            try KeyRing.unlock(header: body + (try Sodium.blake2b(body[...])), credential: passphrase)
        }
    }

    @Test func truncatedOrForeignBytesAreRefused() {
        for bytes in [
            [], Array(Fixture.header.prefix(36)), Array(Fixture.header.dropLast()), Array(repeating: 0, count: 185),
        ] {
            #expect(throws: CryptoError.self) { try KeyRing.unlock(header: bytes, credential: passphrase) }
        }
    }
}
