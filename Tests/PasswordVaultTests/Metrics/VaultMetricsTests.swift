import CoreMetrics
import MetricsTestKit
import PasswordVault
import PasswordVaultMetrics
import Testing

/// The metrics product (docs/contract.md §12, "Observing the vault"): counts made from the
/// committed audit records, into swift-metrics' test backend.
@Suite("Vault metrics")
struct VaultMetricsTests {
    @Test func countsRevealsRefusalsByCodeAndConflicts() async throws {
        let storage = FaultInjectingStorage()
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let bob = directory.addUser("bob", id: 2)
        var vault: Vault? = try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try .random(count: 32)))
        let backend = TestMetrics()
        let metrics = VaultMetrics(vault: vault!, factory: backend)

        let id = try await vault!.create(PasswordRequest(name: "n", username: "u", password: "p1"), as: alice)
            .entity.identifier
        for _ in 0..<3 { _ = try await vault!.revealPassword(id, as: alice) }
        _ = try await vault!.update(id, PasswordRequest(password: "p2"), as: alice)
        _ = try await vault!.revealVersion(id, version: 1, as: alice)
        _ = try await vault!.code(id, as: alice)
        for _ in 0..<2 { await #expect(throws: VaultError.notFound) { try await vault!.revealPassword(id, as: bob) } }
        storage.update { $0.conflictOnReplace = true }
        await #expect(throws: VaultError.concurrentChange) {
            try await vault!.update(id, PasswordRequest(password: "p3"), as: alice)
        }
        // A failed commit counts nothing: it delivers no record.
        storage.update { $0.failAuditAppends = true }
        await #expect(throws: VaultError.self) { try await vault!.revealPassword(id, as: alice) }

        // The vault released, the stream ends once run() has counted what it holds.
        vault = nil
        await metrics.run()

        #expect(backend.counterTotal(label: VaultMetrics.Label.auditRecords) == 10)
        #expect(backend.counterTotal(label: VaultMetrics.Label.auditRecords, dimensions: [("action", "reveal")]) == 5)
        #expect(backend.counterTotal(label: VaultMetrics.Label.reveals) == 4)
        #expect(backend.counterTotal(label: VaultMetrics.Label.reveals, dimensions: [("action", "reveal")]) == 3)
        #expect(
            backend.counterTotal(label: VaultMetrics.Label.reveals, dimensions: [("action", "reveal_version")]) == 1)
        #expect(backend.counterTotal(label: VaultMetrics.Label.refusals) == 3)
        #expect(
            backend.counterTotal(
                label: VaultMetrics.Label.refusals, dimensions: [("code", "1005"), ("action", "reveal")]) == 2)
        #expect(
            backend.counterTotal(
                label: VaultMetrics.Label.refusals, dimensions: [("code", "1008"), ("action", "update")]) == 1)
        #expect(backend.counterTotal(label: VaultMetrics.Label.casConflicts) == 1)
        #expect(backend.counters(label: VaultMetrics.Label.streamDropped).isEmpty)
        #expect(backend.timers.isEmpty && backend.recorders.isEmpty && backend.meters.isEmpty)
    }

    @Test func recordsLostBehindTheBufferAreCounted() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        var vault: Vault? = try await Vault.inMemory(directory: directory)
        let backend = TestMetrics()
        let metrics = VaultMetrics(vault: vault!, factory: backend, bufferingNewest: 2)
        let id = try await vault!.create(PasswordRequest(name: "n", username: "u", password: "p1"), as: alice)
            .entity.identifier
        for _ in 0..<4 { _ = try await vault!.revealPassword(id, as: alice) }
        vault = nil
        await metrics.run()

        #expect(backend.counterTotal(label: VaultMetrics.Label.auditRecords) == 2)
        #expect(backend.counterTotal(label: VaultMetrics.Label.streamDropped) == 3)
    }
}

/// The storage-latency timer (docs/contract.md §12, "Observing the vault"): one sample per
/// storage call, by operation. Only the number of samples is checked, never a duration.
@Suite("Timed storage")
struct TimedStorageTests {
    @Test func everyStorageCallIsOneSampleOfItsOperation() async throws {
        let backend = TestMetrics()
        let storage = TimedStorage(InMemoryStorage(), factory: backend)
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try .random(count: 32)))
        let before = try backend.expectTimer(TimedStorage<InMemoryStorage>.label, [("operation", "commit")])
            .values.count
        let id = try await vault.create(PasswordRequest(name: "n", username: "u", password: "p1"), as: alice)
            .entity.identifier
        _ = try await vault.revealPassword(id, as: alice)
        _ = try await vault.revealPassword(id, as: alice)

        let commits = try backend.expectTimer(TimedStorage<InMemoryStorage>.label, [("operation", "commit")])
        #expect(commits.values.count - before == 3)
        let reads = try backend.expectTimer(TimedStorage<InMemoryStorage>.label, [("operation", "entity")])
        #expect(reads.values.count == 2)
        #expect(try await vault.revealPassword(id, as: alice).revealUTF8() == "p1")
    }
}

/// The host's way (docs/contract.md §12, "Observing the vault"): `MetricsSystem.bootstrap` once
/// per process, then `VaultMetrics(vault:)` and `TimedStorage(_:)` with their default factory.
/// This is the one suite of the test process that bootstraps; every other passes its own backend.
@Suite("Vault metrics through the bootstrapped backend")
struct BootstrappedMetricsTests {
    /// Bootstrapped on first use, once: swift-metrics refuses a second bootstrap.
    static let backend: TestMetrics = {
        let backend = TestMetrics()
        MetricsSystem.bootstrap(backend)
        return backend
    }()

    @Test func theDefaultFactoryIsWhatTheHostBootstrapped() async throws {
        let backend = Self.backend
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let bob = directory.addUser("bob", id: 2)
        var vault: Vault? = try await Vault.create(
            storage: TimedStorage(InMemoryStorage()), directory: directory,
            credential: .rawKey(try .random(count: 32)))
        let commitsBefore = try backend.expectTimer(
            TimedStorage<InMemoryStorage>.label, [("operation", "commit")]
        ).values.count
        let metrics = VaultMetrics(vault: vault!)

        let id = try await vault!.create(PasswordRequest(name: "n", username: "u", password: "p1"), as: alice)
            .entity.identifier
        for _ in 0..<2 { _ = try await vault!.revealPassword(id, as: alice) }
        await #expect(throws: VaultError.notFound) { try await vault!.revealPassword(id, as: bob) }
        vault = nil
        await metrics.run()

        // create, two reveals and the refusal: four records, each its own commit.
        #expect(backend.counterTotal(label: VaultMetrics.Label.auditRecords) == 4)
        #expect(backend.counterTotal(label: VaultMetrics.Label.reveals, dimensions: [("action", "reveal")]) == 2)
        #expect(
            backend.counterTotal(
                label: VaultMetrics.Label.refusals, dimensions: [("code", "1005"), ("action", "reveal")]) == 1)
        let commits = try backend.expectTimer(TimedStorage<InMemoryStorage>.label, [("operation", "commit")])
        #expect(commits.values.count - commitsBefore == 4)
    }
}
