import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// A clock the test moves forward, so that each version has its own `changed_at`.
final class SteppingClock: VaultClock, @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date
    init(_ date: Date) { self.date = date }
    func now() -> Date { lock.withLock { date } }
    func advance(by seconds: TimeInterval) { lock.withLock { date += seconds } }
}

/// Versions and history (docs/contract.md §11).
@Suite("History")
struct HistoryTests {
    // MARK: Versions

    @Test func everyChangingUpdateKeepsThePreviousStateWithItsSecretsSealedAsTheyWere() async throws {
        let clock = SteppingClock(VaultFixture.now)
        let f = try await VaultFixture(clock: clock)
        let id = try await f.createShared()
        let first = try await f.storage.entity(id)!
        clock.advance(by: 60)
        let updated = try await f.vault.update(id, PasswordRequest(password: "second password"), as: f.bob)
        #expect(updated.entity.revision == 2)
        #expect(updated.entity.changedBy == f.bob.id)
        #expect(updated.entity.changedFields == .password)
        #expect(updated.entity.updatedAt == VaultFixture.now + 60)

        let history = try await f.storage.history(of: id)
        #expect(history.count == 1)
        // The old version is the state before, byte for byte: moved, not resealed.
        #expect(history[0] == first)
        let versions = try await f.vault.history(id, as: f.alice)
        #expect(versions.map(\.version) == [2, 1])
        #expect(versions.map(\.isCurrent) == [true, false])
        #expect(versions[0].changedBy == f.bob)
        #expect(versions[1].changedBy == f.alice)
        #expect(
            versions[1].entity.changedFields == [
                .name, .username, .password, .url, .secretKey, .notes, .tags,
                .usersAllowed, .groupsAllowed,
            ])
        let old = try await f.vault.revealVersion(id, version: 1, as: f.bob)
        #expect(old.password?.revealUTF8() == "p4ssw0rd!")
        #expect(old.notes?.revealUTF8() == "the notes")
        #expect(old.secretKey.map { Base32.encode($0.secret) } == "JBSWY3DPEHPK3PXP")
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "second password")
    }

    @Test func changedFieldsNameExactlyWhatDiffers() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let result = try await f.vault.update(
            id,
            PasswordRequest(
                name: "shared", username: "svc2", password: "p4ssw0rd!", url: .null, notes: "other notes",
                tags: .value(["ops", "prod"])),
            as: f.alice)
        // name, password and tags were sent with their current values: not changed.
        #expect(result.entity.changedFields == [.username, .url, .notes])
        #expect(result.entity.changedFields.names == ["username", "url", "notes"])
        let shares = try await f.vault.update(
            id, PasswordRequest(usersAllowed: .value([ShareRequest(name: "bob", canEdit: true)])), as: f.alice)
        #expect(shares.entity.changedFields == .usersAllowed)
        #expect(shares.entity.revision == 3)
    }

    @Test func anUpdateThatChangesNothingWritesNothing() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let before = try await f.storage.entity(id)!
        let result = try await f.vault.update(
            id,
            PasswordRequest(
                name: "shared", username: "svc", password: "p4ssw0rd!", url: "www.example.com",
                secretKey: "JBSWY3DPEHPK3PXP", notes: "the notes", tags: .value(["ops", "prod"])),
            as: f.bob)
        #expect(result.entity == before)
        let after = try await f.storage.entity(id)!
        #expect(after == before)  // same version, same sealed bytes
        #expect(try await f.storage.history(of: id).isEmpty)
    }

    @Test func aNameChangedOnlyFromNFCToNFDIsAChange() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(
            PasswordRequest(name: "caf\u{E9}", username: "u", password: "p", tags: .value(["caf\u{E9}"])), as: f.alice
        ).entity.identifier
        let result = try await f.vault.update(
            id, PasswordRequest(name: "cafe\u{301}", tags: .value(["cafe\u{301}"])), as: f.alice)
        #expect(result.entity.revision == 2)
        #expect(result.entity.changedFields == [.name, .tags])
        #expect(
            Array(try await f.vault.entity(id, as: f.alice).name.unicodeScalars) == ["c", "a", "f", "e", "\u{301}"])
    }

    @Test func disableAndEnableAreVersionsOfIsActive() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        try await f.vault.disable(id, as: f.carol)
        try await f.vault.enable(id, as: f.alice)
        let versions = try await f.vault.history(id, as: f.alice)
        #expect(versions.map(\.version) == [3, 2, 1])
        #expect(versions[0].entity.changedFields == .isActive)
        #expect(versions[0].changedBy == f.alice)
        #expect(versions[1].entity.changedFields == .isActive)
        #expect(versions[1].changedBy == f.carol)
        #expect(versions[1].entity.isActive == false)
        #expect(versions[2].entity.isActive)
    }

    @Test func theOldestBeyondTheDepthIsPurgedInTheSameWrite() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        for n in 1...12 {
            _ = try await f.vault.update(id, PasswordRequest(password: .value("password \(n)")), as: f.alice)
        }
        let history = try await f.storage.history(of: id)
        #expect(Vault.defaultHistoryDepth == 10)
        #expect(history.map(\.revision) == Array(3...12))
        let versions = try await f.vault.history(id, as: f.alice)
        #expect(versions.map(\.version) == Array((3...13).reversed()))
        await #expect(throws: VaultError.versionNotFound) {
            try await f.vault.revealVersion(id, version: 2, as: f.alice)
        }
        #expect(try await f.vault.revealVersion(id, version: 3, as: f.alice).password?.revealUTF8() == "password 2")
    }

    // MARK: Access

    @Test func historyIsForOwnerAndEditorsOnly() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        _ = try await f.vault.update(id, PasswordRequest(password: "new"), as: f.alice)
        for editor in [f.alice, f.bob, f.carol] {
            #expect(try await f.vault.history(id, as: editor).count == 2)
            #expect(try await f.vault.revealVersion(id, version: 1, as: editor).password?.revealUTF8() == "p4ssw0rd!")
        }
        for viewer in [f.erin, f.frank] {
            await #expect(throws: VaultError.accessDenied) { try await f.vault.history(id, as: viewer) }
            await #expect(throws: VaultError.accessDenied) {
                try await f.vault.revealVersion(id, version: 1, as: viewer)
            }
            await #expect(throws: VaultError.accessDenied) { try await f.vault.restore(id, version: 1, as: viewer) }
        }
        await #expect(throws: VaultError.notFound) { try await f.vault.history(id, as: f.mallory) }
        await #expect(throws: VaultError.notFound) { try await f.vault.revealVersion(id, version: 1, as: f.mallory) }
        await #expect(throws: VaultError.notFound) { try await f.vault.restore(id, version: 1, as: f.mallory) }
        // A stranger learns 1005 even for a version that does not exist.
        await #expect(throws: VaultError.notFound) { try await f.vault.restore(id, version: 99, as: f.mallory) }
        await #expect(throws: VaultError.notFound) {
            try await f.vault.history(EntryID(rawValue: 999)!, as: f.alice)
        }
    }

    @Test func unknownVersionsAre1011() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        _ = try await f.vault.update(id, PasswordRequest(password: "new"), as: f.alice)
        for version: UInt64 in [0, 3, 4, .max] {
            await #expect(throws: VaultError.versionNotFound) {
                try await f.vault.revealVersion(id, version: version, as: f.alice)
            }
            await #expect(throws: VaultError.versionNotFound) {
                try await f.vault.restore(id, version: version, as: f.alice)
            }
        }
        #expect(VaultError.versionNotFound.code == 1011)
        #expect(VaultError.versionNotFound.message == "1011: Version not found")
        // The current version is a version too.
        #expect(try await f.vault.revealVersion(id, version: 2, as: f.alice).password?.revealUTF8() == "new")
    }

    @Test func aDisabledEntryListsItsHistoryButRefusesRevealAndRestoreWith1007() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        _ = try await f.vault.update(id, PasswordRequest(password: "new"), as: f.alice)
        try await f.vault.disable(id, as: f.alice)
        #expect(try await f.vault.history(id, as: f.bob).count == 3)
        await #expect(throws: VaultError.disabled) { try await f.vault.revealVersion(id, version: 1, as: f.bob) }
        await #expect(throws: VaultError.disabled) { try await f.vault.restore(id, version: 1, as: f.bob) }
        // 1007 comes before 1011.
        await #expect(throws: VaultError.disabled) { try await f.vault.restore(id, version: 42, as: f.bob) }
    }

    // MARK: Restore

    @Test func restoreWritesANewVersionWithTheChosenContentAndTodaysShares() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let original = try await f.storage.entity(id)!
        _ = try await f.vault.update(
            id,
            PasswordRequest(
                name: "renamed", password: "second", secretKey: .null, notes: .null, tags: .value(["x"]),
                usersAllowed: .value([ShareRequest(name: "erin", canEdit: true)])),
            as: f.alice)
        let restored = try await f.vault.restore(id, version: 1, as: f.erin)
        #expect(restored.entity.revision == 3)
        #expect(restored.entity.changedBy == f.erin.id)
        #expect(restored.entity.changedFields == [.name, .password, .secretKey, .notes, .tags])
        #expect(restored.entity.name == "shared")
        #expect(restored.entity.tags == ["ops", "prod"])
        // Shares stay as they are now.
        #expect(restored.entity.usersAllowed == [UserShare(username: "erin", canEdit: true)])
        // The secrets are moved as they were sealed.
        #expect(restored.entity.sealedPassword == original.sealedPassword)
        #expect(restored.entity.sealedNotes == original.sealedNotes)
        #expect(restored.notes?.revealUTF8() == "the notes")
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p4ssw0rd!")
        #expect(try await f.storage.history(of: id).map(\.revision) == [1, 2])
        // Restoring the content it already has writes nothing.
        let again = try await f.vault.restore(id, version: 1, as: f.alice)
        #expect(again.entity.revision == 3)
        #expect(again.notes?.revealUTF8() == "the notes" && again.notesIncluded)
        #expect(try await f.storage.history(of: id).count == 2)
    }

    // MARK: Delete and rotation

    @Test func deleteTakesTheHistoryWithIt() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        _ = try await f.vault.update(id, PasswordRequest(password: "new"), as: f.alice)
        try await f.vault.delete(id, as: f.alice)
        #expect(try await f.storage.history(of: id).isEmpty)
        await #expect(throws: VaultError.notFound) { try await f.vault.history(id, as: f.alice) }
    }

    @Test func rotationResealsTheHistoryWithoutMakingAVersion() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        _ = try await f.vault.update(id, PasswordRequest(password: "second"), as: f.alice)
        _ = try await f.vault.update(id, PasswordRequest(notes: "third notes"), as: f.alice)
        let before = try await f.storage.history(of: id)
        try await f.vault.rotateDataKey()
        let after = try await f.storage.history(of: id)
        #expect(after.map(\.revision) == before.map(\.revision))
        for (old, new) in zip(before, after) {
            #expect(new.sealedPassword != old.sealedPassword)
            #expect(new.name == old.name && new.changedFields == old.changedFields && new.updatedAt == old.updatedAt)
        }
        let current = try await f.storage.entity(id)!
        #expect(current.revision == 3)
        #expect(try await f.vault.history(id, as: f.alice).map(\.version) == [3, 2, 1])
        // After the old key is gone, every version still opens.
        #expect(try await f.vault.revealVersion(id, version: 1, as: f.alice).password?.revealUTF8() == "p4ssw0rd!")
        #expect(try await f.vault.revealVersion(id, version: 2, as: f.alice).notes?.revealUTF8() == "the notes")
        #expect(try await f.vault.revealVersion(id, version: 3, as: f.alice).notes?.revealUTF8() == "third notes")
    }
}

/// The history depth, a vault setting in the header (docs/contract.md §11, docs/format.md §3).
@Suite("History depth")
struct HistoryDepthTests {
    func vault(depth: Int) async throws -> (Vault, InMemoryStorage, User) {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let storage = InMemoryStorage()
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: .passphrase(Fixture.passphrase), cost: .minimum,
            historyDepth: depth)
        return (vault, storage, alice)
    }

    func writeVersions(_ count: Int, to vault: Vault, as user: User) async throws -> EntryID {
        let id = try await vault.create(PasswordRequest(name: "n", username: "u", password: "v1"), as: user)
            .entity.identifier
        for n in 2...count {
            _ = try await vault.update(id, PasswordRequest(password: .value("v\(n)")), as: user)
        }
        return id
    }

    @Test func aVaultKeepsTheDepthItWasMadeWithAcrossReopening() async throws {
        let (vault, storage, alice) = try await vault(depth: 2)
        #expect(vault.historyDepth == 2)
        let id = try await writeVersions(5, to: vault, as: alice)
        #expect(try await storage.history(of: id).map(\.revision) == [3, 4])
        let reopened = try await Vault.open(
            storage: storage, directory: InMemoryDirectory(), credential: .passphrase(Fixture.passphrase))
        #expect(reopened.historyDepth == 2)
        // The depth is under the header's MAC: byte 45 + 76·n.
        let header = try #require(try await storage.readHeader()).bytes
        #expect(header.count == 182 + 76 && header[4] == 3 && header[45 + 76] == 2)
    }

    @Test func loweringTheDepthPurgesAtTheNextWriteAndZeroKeepsNothing() async throws {
        let (vault, storage, alice) = try await vault(depth: 10)
        let id = try await writeVersions(6, to: vault, as: alice)
        #expect(try await storage.history(of: id).count == 5)
        try await vault.setHistoryDepth(0)
        #expect(vault.historyDepth == 0)
        // Nothing purged before a write…
        #expect(try await storage.history(of: id).count == 5)
        _ = try await vault.update(id, PasswordRequest(password: "v7"), as: alice)
        // …and the write purges every old version in the same commit.
        #expect(try await storage.history(of: id).isEmpty)
        #expect(try await vault.history(id, as: alice).map(\.version) == [7])
        // Passphrase change and rotation keep the setting.
        try await vault.changeCredential(to: .passphrase(SecretBytes(utf8: "another one")), cost: .minimum)
        try await vault.rotateDataKey()
        #expect(vault.historyDepth == 0)
        let reopened = try await Vault.open(
            storage: storage, directory: InMemoryDirectory(), credential: .passphrase(SecretBytes(utf8: "another one")))
        #expect(reopened.historyDepth == 0)
    }

    @Test(arguments: [-1, 101, Int.max, Int.min])
    func aDepthOutside0To100IsRefused(_ depth: Int) async throws {
        let message = "a history depth of \(depth) is outside 0 to 100"
        await #expect(throws: VaultKeyError.invalidSetting(message)) {
            try await Vault.create(
                storage: InMemoryStorage(), credential: .passphrase(Fixture.passphrase), cost: .minimum,
                historyDepth: depth)
        }
        let (vault, storage, _) = try await vault(depth: 10)
        let before = try await storage.readHeader()
        await #expect(throws: VaultKeyError.invalidSetting(message)) { try await vault.setHistoryDepth(depth) }
        #expect(try await storage.readHeader() == before)
        #expect(VaultKeyError.invalidSetting(message).description == message)
    }

    @Test func aDepthAbove100InAHeaderIsRefusedAsCorrupted() throws {
        var header = Fixture.header
        // The byte changed and the checksum recomputed (the MAC cannot be): the structure check
        // refuses it before any key is derived.
        header[45 + 76] = 101
        let body = Array(header.dropLast(32))
        let forged = body + (try Sodium.blake2b(body[...]))
        #expect(throws: CryptoError.headerCorrupted(reason: "a history depth of 101 is outside 0 to 100")) {
            try KeyRing.unlock(header: forged, credential: .passphrase(Fixture.passphrase))
        }
    }

    /// A first-release header (format version 1, no depth byte) opens with a depth of 10, and
    /// the next header write upgrades it to version 3 (with an audit key).
    @Test func aFirstReleaseHeaderReadsAsDepth10() async throws {
        let ring = Fixture.ring
        let v2 = Fixture.header
        var v1 = Array(v2.prefix(45 + 76))  // everything before the depth byte
        v1[4] = 1
        v1 += try Sodium.blake2b(v1[...], key: VaultHeader.macKey(of: ring.keyEncryptionKey))
        v1 += try Sodium.blake2b(v1[...])
        #expect(v1.count == 109 + 76)
        let unlocked = try KeyRing.unlock(header: v1, credential: .passphrase(Fixture.passphrase))
        #expect(unlocked.historyDepth == 10)
        #expect(unlocked.currentKeyID == ring.currentKeyID)

        let storage = InMemoryStorage()
        try await storage.writeHeader(v1, expectedGeneration: .noHeader)
        let vault = try await Vault.open(
            storage: storage, directory: InMemoryDirectory(), credential: .passphrase(Fixture.passphrase))
        #expect(vault.historyDepth == 10)
        try await vault.setHistoryDepth(4)
        let upgraded = try #require(try await storage.readHeader()).bytes
        #expect(upgraded.count == 182 + 76 && upgraded[4] == 3 && upgraded[45 + 76] == 4)
    }
}
