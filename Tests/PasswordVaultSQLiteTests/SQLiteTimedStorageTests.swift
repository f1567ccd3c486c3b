import Foundation
import MetricsTestKit
import PasswordVault
import PasswordVaultMetrics
import PasswordVaultSQLite
import StorageConformance
import Testing

/// `TimedStorage` around the SQLite adapter (docs/contract.md §12, "Observing the vault"): one
/// sample per storage call, by operation, and the file it writes is the adapter's own — opened
/// again without the timer, it holds every entry and its trail verifies. Only the number of
/// samples is checked, never a duration. The backend is passed in: this process's one bootstrap
/// belongs to PasswordVaultTests' BootstrappedMetricsTests.
@Suite("Timed SQLite storage")
struct SQLiteTimedStorageTests {
    @Test func everyCallOnTheFileIsOneSampleAndTheFileIsTheAdapters() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("timed.db")
        let backend = TestMetrics()
        let label = TimedStorage<SQLiteStorage>.label
        let credential = VaultCredential.passphrase(SecretBytes(utf8: "timed ✓"))
        let vault = try await Vault.create(
            storage: TimedStorage(try SQLiteStorage.create(at: path), factory: backend), credential: credential,
            cost: .minimum)
        let alice = try await vault.addUser(named: "alice")
        let commitsBefore = try backend.expectTimer(label, [("operation", "commit")]).values.count
        var ids: [EntryID] = []
        for index in 0..<3 {
            ids.append(
                try await vault.create(
                    PasswordRequest(name: .value("n\(index)"), username: "u", password: .value("p\(index)")), as: alice
                ).entity.identifier)
        }
        _ = try await vault.revealPassword(ids[0], as: alice)
        let listed = try await vault.list(as: alice)

        #expect(try backend.expectTimer(label, [("operation", "commit")]).values.count - commitsBefore == 4)
        #expect(try backend.expectTimer(label, [("operation", "entity")]).values.count >= 1)
        #expect(listed.count == 3)

        let reopened = try await Vault.open(storage: try SQLiteStorage.open(at: path), credential: credential)
        let user = try #require(try await reopened.user(named: "alice"))
        #expect(try await reopened.revealPassword(ids[2], as: user).revealUTF8() == "p2")
        let trail = try await reopened.auditRecords()
        #expect(try await reopened.verifyAudit() == .intact(records: UInt64(trail.count)))
    }
}
