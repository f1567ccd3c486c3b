import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

@Suite("Changing the credential and rotating the data key")
struct KeyChangeTests {
    let old = VaultCredential.passphrase(Fixture.passphrase)
    let new = VaultCredential.passphrase(SecretBytes(utf8: "Tr0ub4dor&3 — new"))

    @Test func aPassphraseChangeRewrapsTheSameDataKey() throws {
        let sealed = try Fixture.ring.seal(SecretBytes(utf8: "8jhfy@3789"), entry: Fixture.entry, field: .password)
        let (changed, header) = try Fixture.ring.changingCredential(to: new)
        #expect(throws: CryptoError.wrongPassphraseOrKey) { try KeyRing.unlock(header: header, credential: old) }
        let unlocked = try KeyRing.unlock(header: header, credential: new)
        #expect(unlocked.dataKeys == Fixture.ring.dataKeys)
        #expect(changed.dataKeys == Fixture.ring.dataKeys)
        #expect(try unlocked.open(sealed, entry: Fixture.entry, field: .password) == SecretBytes(utf8: "8jhfy@3789"))
        #expect(header[6..<22] != Fixture.header[6..<22], "a new salt")
        #expect(try VaultHeader(parsing: header).derivation == .argon2id(salt: Array(header[6..<22]), cost: .minimum))
        // The old header is a value: still what it was, still opened by the old passphrase.
        #expect(try KeyRing.unlock(header: Fixture.header, credential: old).dataKeys == Fixture.ring.dataKeys)
    }

    @Test func aChangeCanSetANewCost() throws {
        let cost = KeyDerivationCost(opsLimit: 2, memLimit: 16 << 10)
        let (_, header) = try Fixture.ring.changingCredential(to: new, cost: cost)
        guard case .argon2id(_, let stored) = try VaultHeader(parsing: header).derivation else {
            Issue.record("expected Argon2id")
            return
        }
        #expect(stored == cost)
    }

    @Test func aVaultMovesBetweenPassphraseAndRawKey() throws {
        let key = try SecretBytes.random(count: 32)
        let (toRaw, rawHeader) = try Fixture.ring.changingCredential(to: .rawKey(key))
        #expect(try KeyRing.unlock(header: rawHeader, credential: .rawKey(key)).dataKeys == Fixture.ring.dataKeys)
        #expect(throws: CryptoError.wrongPassphraseOrKey) { try KeyRing.unlock(header: rawHeader, credential: old) }
        let (_, back) = try toRaw.changingCredential(to: new, cost: .minimum)
        #expect(try KeyRing.unlock(header: back, credential: new).dataKeys == Fixture.ring.dataKeys)
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 3)) {
            try Fixture.ring.changingCredential(to: .rawKey(SecretBytes([1, 2, 3])))
        }
    }

    @Test func rotationKeepsOldKeysUntilItFinishes() throws {
        let ring = Fixture.ring
        let before = try ring.seal(SecretBytes(utf8: "sealed before"), entry: Fixture.entry, field: .notes)
        #expect(ring.keyID(of: before) == 1)

        // Begin: the old key and a new current one; old values still open, new seals use the new key.
        let (rotating, rotatingHeader) = try ring.beginRotation()
        #expect(rotating.keyIDs == [1, 2])
        #expect(rotating.currentKeyID == 2)
        #expect(rotating.isRotationPending)
        #expect(rotating.dataKeys[1] == ring.dataKeys[1])
        #expect(rotating.dataKeys[2] != ring.dataKeys[1])
        let reopened = try KeyRing.unlock(header: rotatingHeader, credential: old)
        #expect(reopened.keyIDs == [1, 2] && reopened.currentKeyID == 2 && reopened.isRotationPending)
        #expect(try reopened.open(before, entry: Fixture.entry, field: .notes) == SecretBytes(utf8: "sealed before"))
        let resealed = try reopened.seal(
            try reopened.open(before, entry: Fixture.entry, field: .notes), entry: Fixture.entry, field: .notes)
        #expect(reopened.keyID(of: resealed) == 2)

        // Beginning again while pending resumes the same rotation.
        let (resumed, _) = try reopened.beginRotation()
        #expect(resumed.keyIDs == [1, 2] && resumed.dataKeys == reopened.dataKeys)

        // Finish: only the new key.
        let (finished, finishedHeader) = try reopened.finishRotation()
        #expect(finished.keyIDs == [2] && finished.currentKeyID == 2 && !finished.isRotationPending)
        let afterFinish = try KeyRing.unlock(header: finishedHeader, credential: old)
        #expect(afterFinish.keyIDs == [2])
        #expect(
            try afterFinish.open(resealed, entry: Fixture.entry, field: .notes) == SecretBytes(utf8: "sealed before"))
        #expect(throws: CryptoError.unknownDataKey(entry: "312", field: "notes", keyID: 1)) {
            try afterFinish.open(before, entry: Fixture.entry, field: .notes)
        }

        // The next rotation takes the next id.
        #expect(try afterFinish.beginRotation().ring.keyIDs == [2, 3])
    }

    @Test func aPassphraseChangeDuringARotationKeepsBothKeys() throws {
        let (rotating, _) = try Fixture.ring.beginRotation()
        let (_, header) = try rotating.changingCredential(to: new)
        let unlocked = try KeyRing.unlock(header: header, credential: new)
        #expect(unlocked.dataKeys == rotating.dataKeys && unlocked.currentKeyID == 2)
    }

    /// Ids are never reused (a ring's current id then names one key for the vault's life,
    /// which `KeyRing.reopening(_:)` relies on): after id 2^32 − 1 a rotation is refused.
    @Test func keyIDsNeverWrapAround() throws {
        let ring = KeyRing(
            dataKeys: [UInt32.max: try .random(count: 32)], currentKeyID: .max, derivation: Fixture.ring.derivation,
            keyEncryptionKey: Fixture.ring.keyEncryptionKey, historyDepth: 10, auditKey: Fixture.ring.auditKey)
        #expect(throws: CryptoError.operationFailed("no data key id is left for a rotation")) {
            try ring.beginRotation()
        }
    }
}
