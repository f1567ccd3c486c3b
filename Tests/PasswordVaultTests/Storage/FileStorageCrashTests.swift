import PasswordVault
import StorageConformance
import Testing

@Suite("FileStorage survives kills")
struct FileStorageCrashTests {
    @Test func twoWritersKilledAtRandomLoseNothingAcknowledged() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let harness = CrashHarness(
            kind: "file", rounds: 24, create: { try FileStorage.create(at: $0) }, open: { try FileStorage.open(at: $0) }
        )
        let summary = try await harness.run(at: folder.file("crash.pwvault"))
        #expect(summary.acknowledged > 0)
        #expect(summary.roundsWhereBothWrote > 0)
    }
}
