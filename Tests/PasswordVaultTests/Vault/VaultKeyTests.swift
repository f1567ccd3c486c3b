import Foundation
import Synchronization
import Testing

@_spi(Benchmarks) @testable import PasswordVault

@Suite("Vault keys: passphrase change, rotation, tampering")
struct VaultKeyTests {
    let alice = User(id: UserID(rawValue: 1), username: "alice")

    func directory() -> InMemoryDirectory {
        let directory = InMemoryDirectory()
        directory.addUser("alice", id: 1)
        return directory
    }

    func fill(_ vault: Vault, count: Int) async throws -> [EntryID] {
        var ids: [EntryID] = []
        for n in 0..<count {
            let request = PasswordRequest(
                name: .value("entry \(n)"), username: "u", password: .value("password \(n)"),
                secretKey: n.isMultiple(of: 2) ? "JBSWY3DPEHPK3PXP" : .absent, notes: .value("notes \(n)"))
            ids.append(try await vault.create(request, as: alice).entity.identifier)
        }
        return ids
    }

    func expectAllReadable(_ vault: Vault, _ ids: [EntryID]) async throws {
        for (n, id) in ids.enumerated() {
            #expect(try await vault.revealPassword(id, as: alice).revealUTF8() == "password \(n)")
            #expect(try await vault.revealNotes(id, as: alice)?.revealUTF8() == "notes \(n)")
            #expect((try await vault.code(id, as: alice) != nil) == n.isMultiple(of: 2))
        }
    }

    /// A rotation cut off after k of n entries leaves every entry readable, from this
    /// process and from a fresh open; a second run finishes and drops the old key.
    @Test(arguments: [0, 1, 4, 9])
    func interruptedRotationResumes(after k: Int) async throws {
        let storage = FaultInjectingStorage()
        let key = try SecretBytes.random(count: 32)
        let vault = try await Vault.create(storage: storage, directory: directory(), credential: .rawKey(key))
        let ids = try await fill(vault, count: 10)
        let oldKey = vault.ring.currentKeyID

        storage.update { $0.writesLeft = k }
        await #expect(throws: VaultKeyError.storage(.failure("injected write failure"))) {
            try await vault.rotateDataKey(batchSize: 3)
        }
        try await expectAllReadable(vault, ids)
        let reopened = try await Vault.open(storage: storage, directory: directory(), credential: .rawKey(key))
        #expect(reopened.ring.isRotationPending)
        try await expectAllReadable(reopened, ids)
        let newKey = reopened.ring.currentKeyID
        #expect(newKey != oldKey)
        var underNew = 0
        for id in ids {
            let entity = try #require(try await storage.entity(id))
            if reopened.ring.keyID(of: entity.sealedPassword) == newKey { underNew += 1 }
        }
        #expect(underNew == k)

        storage.update { $0.writesLeft = nil }
        let seen = Mutex<[RotationProgress]>([])
        try await reopened.rotateDataKey(batchSize: 3) { progress in seen.withLock { $0.append(progress) } }
        #expect(!reopened.ring.isRotationPending)
        #expect(reopened.ring.keyIDs == [newKey])
        try await expectAllReadable(reopened, ids)
        for id in ids {
            let entity = try #require(try await storage.entity(id))
            for sealed in [entity.sealedPassword, entity.sealedNotes] + (entity.sealedSecretKey.map { [$0] } ?? []) {
                #expect(reopened.ring.keyID(of: sealed!) == newKey)
            }
        }
        let reports = seen.withLock { $0 }
        #expect(reports.last == RotationProgress(examined: 10, resealed: 10 - k, total: 10))
        let final = try await Vault.open(storage: storage, directory: directory(), credential: .rawKey(key))
        try await expectAllReadable(final, ids)
    }

    @Test func passphraseChangeRewrapsOnly() async throws {
        let storage = InMemoryStorage()
        let old = VaultCredential.passphrase(SecretBytes(utf8: "old passphrase"))
        let new = VaultCredential.passphrase(SecretBytes(utf8: "new passphrase"))
        let vault = try await Vault.create(storage: storage, directory: directory(), credential: old, cost: .minimum)
        let ids = try await fill(vault, count: 3)
        let versions = try await ids.asyncMap { try await storage.entity($0)!.version }
        try await vault.changeCredential(to: new, cost: .minimum)
        await #expect(throws: VaultKeyError.wrongPassphraseOrKey) {
            try await Vault.open(storage: storage, directory: directory(), credential: old)
        }
        let reopened = try await Vault.open(storage: storage, directory: directory(), credential: new)
        try await expectAllReadable(reopened, ids)
        // No entry was touched.
        #expect(try await ids.asyncMap { try await storage.entity($0)!.version } == versions)
    }

    @Test func wrongPassphraseChangesNothing() async throws {
        let storage = InMemoryStorage()
        let vault = try await Vault.create(
            storage: storage, directory: directory(), credential: .passphrase(SecretBytes(utf8: "right")),
            cost: .minimum)
        _ = try await fill(vault, count: 1)
        let header = try await storage.readHeader()
        await #expect(throws: VaultKeyError.wrongPassphraseOrKey) {
            try await Vault.open(storage: storage, credential: .passphrase(SecretBytes(utf8: "wrong")))
        }
        #expect(try await storage.readHeader() == header)
    }

    @Test func tamperedOrMovedSecretsAreRefusedNamingTheEntry() async throws {
        let storage = InMemoryStorage()
        let vault = try await Vault.create(
            storage: storage, directory: directory(), credential: .rawKey(try .random(count: 32)))
        let ids = try await fill(vault, count: 2)
        var first = try #require(try await storage.entity(ids[0]))
        var bytes = first.sealedPassword.bytes
        bytes[bytes.count - 1] ^= 0x01
        first.sealedPassword = SealedValue(bytes: bytes)
        try await storage.replace(first, expectedVersion: first.version)
        let error = await #expect(throws: VaultError.self) { try await vault.revealPassword(ids[0], as: alice) }
        #expect(error?.code == 500)
        #expect("\(error!)".contains("password of entry 1"))

        // Entry 2's notes moved into entry 1's password: refused, never garbage.
        var moved = try #require(try await storage.entity(ids[0]))
        moved.sealedPassword = try #require(try await storage.entity(ids[1])?.sealedNotes)
        try await storage.replace(moved, expectedVersion: moved.version)
        await #expect(throws: VaultError.self) { try await vault.revealPassword(ids[0], as: alice) }
        let answer = await WireHandler(vault: vault).handle(
            WireRequest(method: "GET", path: "api/mysafe/password/1"), as: alice)
        #expect(answer.status == 500)
        #expect(!answer.bodyText.contains("password 1"))
        // The other entry is untouched.
        #expect(try await vault.revealPassword(ids[1], as: alice).revealUTF8() == "password 1")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
