import Foundation
import Synchronization
import Testing

@_spi(Benchmarks) @testable import PasswordVault

// The concurrent tests that `make test-tsan` runs under the thread sanitizer (their type
// names contain "Concurrency"; see the Makefile). Each one shares a value or a store among
// many tasks and then checks that nothing was lost or torn.

/// ``InMemoryStorage`` under concurrent writers, readers and directory changes.
@Suite("Storage concurrency")
struct StorageConcurrencyTests {
    static let owner = UserID(rawValue: 1)
    static let sealed = SealedValue(bytes: Array(repeating: 7, count: 60))

    static func entity(_ id: EntryID, version: UInt64 = 1, sharedWith user: String? = nil) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: "entry \(id)", username: "u", owner: owner,
            usersAllowed: user.map { [UserShare(username: $0)] } ?? [], createdAt: .distantPast,
            updatedAt: .distantPast, version: version, sealedPassword: sealed)
    }

    /// Identifiers stay unique, every insert lands, and each compare-and-set either wins once
    /// per version or loses without writing.
    @Test func writersAndReadersNeverTearTheStore() async throws {
        let storage = InMemoryStorage()
        let ids = try await withThrowingTaskGroup(of: EntryID.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await storage.insert(headerGeneration: nil) { Self.entity($0, sharedWith: "bob") }.identifier
                }
            }
            return try await group.reduce(into: [EntryID]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 200)
        #expect(storage.count == 200)

        // 8 writers race on every entry; readers list and page meanwhile.
        let target = ids.sorted().prefix(50)
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var won = 0
                    for id in target {
                        guard let current = try await storage.entity(id) else { continue }
                        var next = current
                        next.version += 1
                        next.usersAllowed = [UserShare(username: "carol")]
                        do {
                            try await storage.replace(next, expectedVersion: current.version)
                            won += 1
                        } catch StorageError.conflict {}
                    }
                    return won
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<20 {
                        let listed = try await storage.entities(
                            visibleTo: VisibilityQuery(owner: UserID(rawValue: 99), username: "bob", groups: []))
                        #expect(listed.allSatisfy { $0.usersAllowed.contains { $0.username == "bob" } })
                        _ = try await storage.entities(after: nil, limit: 37)
                    }
                    return 0
                }
            }
            return try await group.reduce(0, +)
        }
        var versions: UInt64 = 0
        for id in target { versions += try #require(try await storage.entity(id)).version - 1 }
        #expect(UInt64(wins) == versions)
        #expect(try await storage.entities(after: nil, limit: 1000).map(\.identifier) == ids.sorted())
        // The indexes follow the replaces: every raced entry went to carol (one writer at least
        // won each), the others stayed with bob.
        func visible(to username: String) async throws -> Set<EntryID> {
            let query = VisibilityQuery(owner: UserID(rawValue: 98), username: username, groups: [])
            return Set(try await storage.entities(visibleTo: query).map(\.identifier))
        }
        #expect(try await visible(to: "carol") == Set(target))
        #expect(try await visible(to: "bob") == Set(ids).subtracting(target))
    }

    @Test func deletesAndDirectoryChangesRace() async throws {
        let storage = InMemoryStorage()
        var ids: [EntryID] = []
        for _ in 0..<100 {
            ids.append(try await storage.insert(headerGeneration: nil) { Self.entity($0) }.identifier)
        }
        try await storage.addGroup(named: "ops")
        let all = ids
        let deleted = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var count = 0
                    for id in all {
                        do {
                            try await storage.delete(id, expectedVersion: 1)
                            count += 1
                        } catch StorageError.conflict {}
                    }
                    return count
                }
            }
            for n in 0..<4 {
                group.addTask {
                    for m in 0..<25 {
                        let name = "user-\(n)-\(m)"
                        try await storage.addUser(User(id: UserID(rawValue: Int64(1000 + n * 100 + m)), username: name))
                        try await storage.setMembership(group: "ops", username: name, isMember: true)
                        _ = try await storage.groups(containing: name)
                        if m.isMultiple(of: 2) {
                            try await storage.setMembership(group: "ops", username: name, isMember: false)
                        }
                    }
                    return 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(deleted == 100)
        #expect(storage.count == 0)
        #expect(try await storage.users().count == 100)
        #expect(try await storage.group(named: "ops")?.members.count == 48)
    }
}

/// A vault whose keys change (rotation, passphrase change) while other tasks read and write.
@Suite("Key concurrency")
struct KeyConcurrencyTests {
    @Test func revealsAndUpdatesDuringARotationStayReadable() async throws {
        let f = try await VaultFixture()
        var ids: [EntryID] = []
        for n in 0..<40 {
            ids.append(
                try await f.vault.create(
                    PasswordRequest(name: .value("e\(n)"), username: "u", password: .value("p\(n)"), notes: "n"),
                    as: f.alice
                ).entity.identifier)
        }
        let vault = f.vault
        let alice = f.alice
        let entries = ids
        let before = vault.ring.currentKeyID
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await vault.rotateDataKey(batchSize: 7) }
            for reader in 0..<4 {
                group.addTask {
                    for (n, id) in entries.enumerated() where n % 4 == reader {
                        #expect(try await vault.revealPassword(id, as: alice).revealUTF8() == "p\(n)")
                        _ = try await vault.list(as: alice)
                    }
                }
            }
            group.addTask {
                for id in entries.prefix(10) {
                    // A lost race with the rotation's reseal is 1008; nothing else may happen.
                    do {
                        _ = try await vault.update(id, PasswordRequest(notes: "changed"), as: alice)
                    } catch VaultError.concurrentChange {}
                }
            }
            try await group.waitForAll()
        }
        #expect(vault.ring.currentKeyID != before)
        #expect(!vault.ring.isRotationPending)
        for (n, id) in ids.enumerated() {
            #expect(try await vault.revealPassword(id, as: alice).revealUTF8() == "p\(n)")
            #expect(try await vault.revealNotes(id, as: alice) != nil)
        }
    }

    /// A create that sealed with the old data key but stores its entry only after the
    /// rotation's pass went by: the rotation must not drop the old key under it.
    @Test func anEntryCreatedDuringARotationStaysReadable() async throws {
        let storage = FaultInjectingStorage()
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try SecretBytes.random(count: 32)))
        _ = try await vault.create(PasswordRequest(name: "old", username: "u", password: "p0"), as: alice)

        storage.update { $0.holdInserts = true }
        let create = Task {
            try await vault.create(PasswordRequest(name: "late", username: "u", password: "p1", notes: "n1"), as: alice)
        }
        while storage.heldInserts == 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        // The create has sealed under key 1 and waits in the storage; the rotation starts now.
        let rotation = Task { try await vault.rotateDataKey() }
        for _ in 0..<200 where vault.ring.keyIDs != [2] { try await Task.sleep(nanoseconds: 1_000_000) }
        storage.update { $0.holdInserts = false }
        let id = try await create.value.entity.identifier
        try await rotation.value

        #expect(vault.ring.keyIDs == [2])
        #expect(try await vault.revealPassword(id, as: alice).revealUTF8() == "p1")
        #expect(try await vault.revealNotes(id, as: alice)?.revealUTF8() == "n1")
    }

    @Test func aPassphraseChangeDuringReadsKeepsEverythingOpen() async throws {
        let storage = InMemoryStorage()
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: .passphrase(SecretBytes(utf8: "old")), cost: .minimum)
        let id = try await vault.create(PasswordRequest(name: "n", username: "u", password: "p"), as: alice).entity
            .identifier
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for n in 0..<5 {
                    try await vault.changeCredential(to: .passphrase(SecretBytes(utf8: "new \(n)")), cost: .minimum)
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<50 {
                        let password = try await vault.revealPassword(id, as: alice)
                        #expect(password.revealUTF8() == "p")
                    }
                }
            }
            try await group.waitForAll()
        }
        let reopened = try await Vault.open(
            storage: storage, directory: directory, credential: .passphrase(SecretBytes(utf8: "new 4")))
        #expect(try await reopened.revealPassword(id, as: alice).revealUTF8() == "p")
    }
}

/// Values that are shared by construction: secrets, one-time-code generators, directories.
@Suite("Shared value concurrency")
struct SharedValueConcurrencyTests {
    @Test func oneTOTPServesManyTasks() async throws {
        let totp = try TOTP(secret: Base32.decodeSecret("JBSWY3DPEHPK3PXP"), algorithm: .sha512, digits: 8)
        let expected = try (0..<100).map { try totp.code(atUnixTime: 1_700_000_000 + Int64($0) * 30) }
        let agreed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try (0..<100).allSatisfy {
                        try totp.code(atUnixTime: 1_700_000_000 + Int64($0) * 30) == expected[$0]
                    }
                        && totp.verify(expected[50], atUnixTime: 1_700_001_500, window: 1) == 56_666_716
                }
            }
            return try await group.reduce(true) { $0 && $1 }
        }
        #expect(agreed)
    }

    @Test func secretBytesAreReadByManyTasksAndFreedOnce() async {
        let secret = SecretBytes(utf8: String(repeating: "s", count: 4096))
        let same = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let copy = secret
                    return (0..<100).allSatisfy { _ in copy == secret && copy.count == 4096 }
                }
            }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(same)
    }

    /// Group membership changes while the vault checks roles: every answer is one the directory
    /// could have given at some moment (viewer or no access), never a crash or a torn set.
    @Test func membershipChangesWhileRolesAreChecked() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(
            PasswordRequest(
                name: "n", username: "u", password: "p", groupsAllowed: .value([ShareRequest(name: "viewers")])),
            as: f.alice
        ).entity.identifier
        let vault = f.vault
        let directory = f.directory
        let mallory = f.mallory
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<200 {
                    directory.addMember("mallory", to: "viewers")
                    directory.removeMember("mallory", from: "viewers")
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<100 {
                        // No access is `nil` (the 1005 the vault answers strangers); any error is a failure.
                        do {
                            let role = try await vault.effectiveRole(of: id, for: mallory)
                            #expect(role == nil || role == .viewer)
                        } catch {
                            Issue.record("effectiveRole threw \(error)")
                        }
                    }
                }
            }
        }
        #expect(try await f.vault.effectiveRole(of: id, for: f.mallory) == nil)
    }
}
