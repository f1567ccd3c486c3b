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
}
