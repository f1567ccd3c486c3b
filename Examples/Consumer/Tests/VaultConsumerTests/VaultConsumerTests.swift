import Foundation
import PasswordVault
import PasswordVaultTesting
import StorageConformance
import Testing
import VaultConsumer

/// The consumer's own tests, against PasswordVault named by URL and version (docs/contract.md §17).
@Suite("A program that links PasswordVault")
struct VaultConsumerTests {
    @Test func theProgramRunsThroughEveryProduct() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "vault-consumer-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await ConsumerRun.run(in: folder)
        #expect(run.libraryVersion == PasswordVaultInfo.version)
        #expect(run.revealedPassword == "s3cret!")
        #expect(run.codeDigits == 6)
        #expect(run.exportedNames == ["mail"])
        #expect(run.postgresServer == "db.example.com:5432")
        // The trail: the user added, the create, the reveal, the code, the export's reveals.
        #expect((run.auditRecords ?? 0) >= 4)
    }

    @Test func theTestingProductGivesAVaultInOneLine() async throws {
        let t = try await TestVault.make()
        let id = try await t.createEntry("mail", owner: "alice", viewers: ["bob"])
        #expect(try await t.vault.revealPassword(id, as: try t.user("bob")).revealUTF8() == TestVault.password)
        try await expectRefusal(1006) { try await t.vault.delete(id, as: try t.user("bob")) }
        try await expectRefusal(1005) { try await t.vault.entity(id, as: try t.user("mallory")) }
    }

    /// The crash harnesses from outside: the consumer's own writer executable, killed at random
    /// on a store of the consumer's kind, nothing acknowledged lost, the trail intact.
    @Test func theCrashHarnessesRunWithTheConsumersOwnWriter() async throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "vault-consumer-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = CrashHarness.writerBinary(named: "consumer-crash-writer")
        let stores = CrashHarness(
            kind: "consumer-file", rounds: 4, audited: true, writer: writer,
            create: { try FileStorage.create(at: $0) }, open: { try FileStorage.open(at: $0) })
        let summary = try await stores.run(at: folder.appending(path: "store.pwvault").path)
        #expect(summary.acknowledged > 0)
        let vaults = AuditCrashHarness(
            kind: "vault-consumer-file", rounds: 3, writer: writer,
            create: { try FileStorage.create(at: $0) }, open: { try FileStorage.open(at: $0) })
        let acknowledged = try await vaults.run(at: folder.appending(path: "vault.pwvault").path)
        #expect(!acknowledged.created.isEmpty)
    }

    @Test(arguments: StorageConformanceCheck.allCases)
    func theConformanceProductRunsFromOutside(_ check: StorageConformanceCheck) async throws {
        try await StorageConformanceSuite(make: { InMemoryStorage() }, largeStoreSize: 2_000).run(check)
    }
}
