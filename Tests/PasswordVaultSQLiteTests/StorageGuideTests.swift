import PasswordVault
import PasswordVaultSQLite
import StorageConformance
import Testing

/// The snippet of docs/storage.md, "Picking one", with its paths in a temporary folder.
@Test func storageGuideSnippetRuns() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }

    // The default: a database file.
    let storage = try SQLiteStorage.create(at: folder.file("vault.db"))  // a new vault
    let same = try SQLiteStorage.open(at: folder.file("vault.db"))  // an existing one

    // A small vault in one plain file, no dependency beyond Foundation.
    let small = try FileStorage.create(at: folder.file("vault.pwvault"))

    // Tests.
    let memory = InMemoryStorage()

    #expect(try await storage.allocateIdentifier() == EntryID(rawValue: 1))
    #expect(try await same.allocateIdentifier() == EntryID(rawValue: 2))
    #expect(try await small.allocateIdentifier() == EntryID(rawValue: 1))
    #expect(try await memory.allocateIdentifier() == EntryID(rawValue: 1))
}
