import PasswordVault
import StorageConformance
import Testing

@Suite("FileStorage survives kills")
struct FileStorageCrashTests {
    /// Every write carries its audit record (docs/contract.md §12): after each kill the trail
    /// verifies, every acknowledged write has its record and every record's change is stored.
    @Test func twoWritersKilledAtRandomLoseNothingAcknowledgedAndTheTrailVerifies() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let harness = CrashHarness(
            kind: "file", rounds: 24, audited: true, create: { try FileStorage.create(at: $0) },
            open: { try FileStorage.open(at: $0) })
        let summary = try await harness.run(at: folder.file("crash.pwvault"))
        #expect(summary.acknowledged > 0)
        #expect(summary.roundsWhereBothWrote > 0)
    }
}
