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

    /// docs/contract.md §13: written before access policies, read without them.
    @Test func aFirstReleaseVaultReadsWithRevealingSharesNoPolicyAndNoRequest() async throws {
        defer { folder.remove() }
        try await fixture.checkWithoutPolicies(in: folder) { try SQLiteStorage.open(at: $0) }
    }

    @Test func aWrongPassphraseLeavesTheFileAsTheFirstReleaseWroteIt() async throws {
        defer { folder.remove() }
        // The schema is upgraded by the first read or write after the credential opened the
        // header, not by SQLiteStorage.open: a refused passphrase changes nothing.
        try await fixture.checkWrongPassphraseWritesNothing(in: folder) { try SQLiteStorage.open(at: $0) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [fixture.rawValue])
    }

    @Test func theUpgradeWaitsForTheFirstReadAfterTheHeaderOpened() async throws {
        defer { folder.remove() }
        let path = try fixture.copy(into: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // Written: the file changed, or the write-ahead log holds a frame (WAL: a write lands in
        // the log first, and in the file when the last connection closes).
        func written() throws -> Bool {
            let log = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
            let file = try Data(contentsOf: URL(fileURLWithPath: path))
            return (log ?? 0) > 0 || file != before
        }
        let storage = try SQLiteStorage.open(at: path)
        // The first release's header is read as it is (no generation column yet: generation 1).
        let header = try #require(try await storage.readHeader())
        #expect(header.generation == HeaderGeneration(rawValue: 1))
        let vault = try await Vault.open(storage: storage, credential: FirstReleaseFixture.credential)
        #expect(try !written())
        // The first read upgrades; what it reads is the upgraded vault.
        try await fixture.checkContents(of: vault)
        #expect(try written())
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
