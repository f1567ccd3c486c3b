import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// Several vaults on one store, as several processes or hosts are (docs/contract.md §14): a
/// write commits only under the header generation it sealed with, so no secret is ever stored
/// under a data key that another vault's rotation dropped.
@Suite struct HeaderGenerationTests {
    static let passphrase = SecretBytes(utf8: "generation test passphrase")
    static let newPassphrase = SecretBytes(utf8: "the passphrase after the change")
    let alice = User(id: UserID(rawValue: 1), username: "alice")

    /// Two vaults on one in-memory store, both opened before anything else happens.
    static func twoVaults() async throws -> (storage: InMemoryStorage, first: Vault, second: Vault) {
        let storage = InMemoryStorage()
        let first = try await Vault.create(storage: storage, credential: .passphrase(passphrase), cost: .minimum)
        let second = try await Vault.open(storage: storage, credential: .passphrase(passphrase))
        return (storage, first, second)
    }

    static func request(_ index: Int) -> PasswordRequest {
        PasswordRequest(
            name: .value("entry \(index)"), username: .value("svc\(index)"), password: .value("pw-\(index)"),
            secretKey: "JBSWY3DPEHPK3PXP", notes: .value("notes \(index)"))
    }

    /// Every sealed value in the store, with the data key id it names.
    static func keyIDs(in storage: InMemoryStorage) async throws -> Set<UInt32> {
        var ids = Set<UInt32>()
        for entity in try await storage.entities(after: nil, limit: 100_000) {
            for sealed in [entity.sealedPassword, entity.sealedSecretKey, entity.sealedNotes].compactMap({ $0 }) {
                ids.insert(try #require(sealed.keyID))
            }
        }
        return ids
    }

    /// Opens the store afresh and checks that every entry's secrets open and are the request's.
    func expectEveryEntryReadable(_ storage: InMemoryStorage, credential: SecretBytes = passphrase) async throws {
        let reader = try await Vault.open(storage: storage, credential: .passphrase(credential))
        for entity in try await storage.entities(after: nil, limit: 100_000) {
            let index = try #require(Int(entity.name.dropFirst("entry ".count)))
            let revealed = try await reader.reveal(entity.identifier, as: alice)
            #expect(revealed.password?.revealUTF8() == "pw-\(index)", "entry \(entity.identifier)")
            #expect(revealed.notes?.revealUTF8() == "notes \(index)", "entry \(entity.identifier)")
        }
    }

    @Test func aCreateThroughAVaultThatMissedARotationIsSealedUnderTheNewKey() async throws {
        let (storage, first, second) = try await Self.twoVaults()
        _ = try await first.create(Self.request(1), as: alice)
        try await first.rotateDataKey()  // key 1 is dropped from the header
        // `second` still holds key 1 only; its commit is refused as stale, it reloads and reseals.
        let created = try await second.create(Self.request(2), as: alice)
        #expect(try await Self.keyIDs(in: storage) == [2])
        #expect(second.ring.currentKeyID == 2)
        #expect(try await second.revealPassword(created.entity.identifier, as: alice).revealUTF8() == "pw-2")
        try await expectEveryEntryReadable(storage)
        try await first.rotateDataKey()
        #expect(try await Self.keyIDs(in: storage) == [3])
        try await expectEveryEntryReadable(storage)
    }

    @Test func anUpdateAndARevealThroughAVaultThatMissedARotationWork() async throws {
        let (storage, first, second) = try await Self.twoVaults()
        let id = try await first.create(Self.request(1), as: alice).entity.identifier
        try await first.rotateDataKey()
        // The entry now names key 2, which `second` does not hold yet: it reloads to read it.
        #expect(try await second.revealPassword(id, as: alice).revealUTF8() == "pw-1")
        _ = try await second.update(id, PasswordRequest(password: .value("pw-1")), as: alice)
        #expect(try await Self.keyIDs(in: storage) == [2])
        try await expectEveryEntryReadable(storage)
    }

    @Test func aWriteRacingEveryStepOfARotationIsNeverLost() async throws {
        let (storage, first, second) = try await Self.twoVaults()
        for index in 0..<10 { _ = try await first.create(Self.request(index), as: alice) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<4 { try await first.rotateDataKey(batchSize: 3) }
            }
            group.addTask {
                for index in 10..<90 { _ = try await second.create(Self.request(index), as: alice) }
            }
            try await group.waitForAll()
        }
        try await first.rotateDataKey()
        let current = first.ring.currentKeyID
        #expect(try await Self.keyIDs(in: storage) == [current])
        #expect(try await storage.entities(after: nil, limit: 1000).count == 90)
        try await expectEveryEntryReadable(storage)
    }

    @Test func aPassphraseChangeElsewhereLetsWritesGoOnUnderTheSameKey() async throws {
        let (storage, first, second) = try await Self.twoVaults()
        try await first.changeCredential(to: .passphrase(Self.newPassphrase), cost: .minimum)
        // `second` cannot open the new header, but its current data key is still the header's.
        _ = try await second.create(Self.request(1), as: alice)
        try await expectEveryEntryReadable(storage, credential: Self.newPassphrase)
        await #expect(throws: VaultKeyError.wrongPassphraseOrKey) {
            try await Vault.open(storage: storage, credential: .passphrase(Self.passphrase))
        }
        // It cannot write a header under a credential it does not hold.
        await #expect(throws: VaultKeyError.conflict) { try await second.rotateDataKey() }
        try await expectEveryEntryReadable(storage, credential: Self.newPassphrase)
    }

    @Test func aRotationUnderACredentialThisVaultLacksRefusesItsWrites() async throws {
        let (storage, first, second) = try await Self.twoVaults()
        let id = try await first.create(Self.request(1), as: alice).entity.identifier
        try await first.changeCredential(to: .passphrase(Self.newPassphrase), cost: .minimum)
        try await first.rotateDataKey()
        await #expect(throws: VaultError.unexpected(cause: VaultKeyError.conflict)) {
            try await second.create(Self.request(2), as: alice)
        }
        await #expect(throws: VaultError.unexpected(cause: VaultKeyError.conflict)) {
            try await second.update(id, PasswordRequest(password: .value("changed")), as: alice)
        }
        // Nothing was written: one entry, under the new key, with its first password.
        #expect(try await storage.entities(after: nil, limit: 10).map(\.identifier) == [id])
        #expect(try await Self.keyIDs(in: storage) == [2])
        try await expectEveryEntryReadable(storage, credential: Self.newPassphrase)
    }

    @Test func everyHeaderWriteMovesTheGeneration() async throws {
        let (storage, first, _) = try await Self.twoVaults()
        #expect(try await storage.readHeader()?.generation == HeaderGeneration(rawValue: 1))
        try await first.rotateDataKey()  // begin and finish: two header writes
        #expect(try await storage.readHeader()?.generation == HeaderGeneration(rawValue: 3))
        try await first.changeCredential(to: .passphrase(Self.newPassphrase), cost: .minimum)
        #expect(try await storage.readHeader()?.generation == HeaderGeneration(rawValue: 4))
    }
}
