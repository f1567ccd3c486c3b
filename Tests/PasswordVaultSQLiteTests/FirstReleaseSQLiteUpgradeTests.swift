import Foundation
import PasswordVault
import PasswordVaultSQLite
import StorageConformance
import Testing

/// A vault the first release's `pwvault` made (Tests/pwvaultTests/Fixtures/first-release/
/// first-release.db: schema migration v1, header format 1) opens with `SQLiteStorage` and this
/// release (issue 13; docs/contract.md §7, §11). Each test opens a copy.
@Suite("SQLiteStorage upgrades a first-release vault")
struct FirstReleaseSQLiteUpgradeTests {
    let folder: TemporaryFolder
    let fixture = FirstReleaseFixture.sqlite

    init() throws { folder = try TemporaryFolder(prefix: "pwvault-first-release") }

    @Test func aFirstReleaseVaultOpensWithEveryEntryAndOneVersionEach() async throws {
        defer { folder.remove() }
        try await fixture.checkOpens(in: folder) { try SQLiteStorage.open(at: $0) }
    }

    @Test func theFirstWritesAfterTheUpgradeKeepTheOldVersionInHistory() async throws {
        defer { folder.remove() }
        try await fixture.checkWrites(in: folder) { try SQLiteStorage.open(at: $0) }
    }

    @Test func theFixtureIsOneSelfContainedFile() throws {
        // WAL checkpointed when the first release closed it: no -wal or -shm beside it.
        for suffix in ["-wal", "-shm"] {
            #expect(!FileManager.default.fileExists(atPath: fixture.checkedInPath + suffix))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.checkedInPath))
        #expect(bytes.prefix(16) == Data("SQLite format 3\0".utf8))
    }
}
