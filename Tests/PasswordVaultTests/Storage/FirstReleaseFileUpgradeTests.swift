import Foundation
import PasswordVault
import StorageConformance
import Testing

/// A single-file vault the first release's library made (Tests/pwvaultTests/Fixtures/
/// first-release/first-release.pwvault: file format 1, header format 1) opens with `FileStorage`
/// and this release (issue 13; docs/contract.md §7, §11). Each test opens a copy.
@Suite("FileStorage upgrades a first-release vault")
struct FirstReleaseFileUpgradeTests {
    let folder: TemporaryFolder
    let fixture = FirstReleaseFixture.file

    init() throws { folder = try TemporaryFolder(prefix: "pwvault-first-release") }

    @Test func aFirstReleaseVaultOpensWithEveryEntryAndOneVersionEach() async throws {
        defer { folder.remove() }
        try await fixture.checkOpens(in: folder) { try FileStorage.open(at: $0) }
    }

    @Test func theFirstWritesAfterTheUpgradeKeepTheOldVersionInHistory() async throws {
        defer { folder.remove() }
        try await fixture.checkWrites(in: folder) { try FileStorage.open(at: $0) }
    }

    /// docs/contract.md §13: written before access policies, read without them.
    @Test func aFirstReleaseVaultReadsWithRevealingSharesNoPolicyAndNoRequest() async throws {
        defer { folder.remove() }
        try await fixture.checkWithoutPolicies(in: folder) { try FileStorage.open(at: $0) }
    }

    @Test func aWrongPassphraseLeavesTheFileAsTheFirstReleaseWroteIt() async throws {
        defer { folder.remove() }
        try await fixture.checkWrongPassphraseWritesNothing(in: folder) { try FileStorage.open(at: $0) }
    }

    @Test func theFixtureIsAFormatOneFile() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture.checkedInPath)))
        #expect(bytes.prefix(8).elementsEqual([0x89, 0x50, 0x57, 0x56, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(bytes[8..<12].elementsEqual([1, 0, 0, 0]))  // format version 1, little-endian
    }
}
