import PasswordVault
import PasswordVaultSQLite
import StorageConformance
import Testing

@Suite("SQLiteStorage survives kills")
struct SQLiteCrashTests {
    @Test func twoWritersKilledAtRandomLoseNothingAcknowledged() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let harness = CrashHarness(
            kind: "sqlite", rounds: 24, create: { try SQLiteStorage.create(at: $0) },
            open: { try SQLiteStorage.open(at: $0) })
        let summary = try await harness.run(at: folder.file("crash.db"))
        #expect(summary.acknowledged > 0)
        #expect(summary.roundsWhereBothWrote > 0)
    }

    @Test func writersAndRevealersKilledAtRandomLeaveAnIntactTrailWithEveryAcknowledgedCall() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let harness = AuditCrashHarness(
            kind: "vault-sqlite", rounds: 16, create: { try SQLiteStorage.create(at: $0) },
            open: { try SQLiteStorage.open(at: $0) })
        let acknowledged = try await harness.run(at: folder.file("crash.db"))
        #expect(acknowledged.created.count > 0 && !acknowledged.revealed.isEmpty && !acknowledged.updated.isEmpty)
        #expect(acknowledged.roundsWhereBothWrote > 0)
    }

    @Test func twoProcessesOnOneFileAppendToOneChain() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let harness = AuditCrashHarness(
            kind: "vault-sqlite", rounds: 0, create: { try SQLiteStorage.create(at: $0) },
            open: { try SQLiteStorage.open(at: $0) })
        let acknowledged = try await harness.runTogether(at: folder.file("shared.db"), iterations: 25)
        #expect(acknowledged.created.count == 50)
        #expect(Set(acknowledged.created.values) == Set(AuditCrashHarness.writers))
    }
}
