import Foundation
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

    @Sendable func sample(_ id: EntryID) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: "n", username: "u", owner: UserID(rawValue: 1),
            createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0), sealedPassword: SealedValue(bytes: [1]))
    }
    #expect(try await storage.insert(headerGeneration: nil) { sample($0) }.identifier == EntryID(rawValue: 1))
    #expect(try await same.insert(headerGeneration: nil) { sample($0) }.identifier == EntryID(rawValue: 2))
    #expect(try await small.insert(headerGeneration: nil) { sample($0) }.identifier == EntryID(rawValue: 1))
    #expect(try await memory.insert(headerGeneration: nil) { sample($0) }.identifier == EntryID(rawValue: 1))
}
