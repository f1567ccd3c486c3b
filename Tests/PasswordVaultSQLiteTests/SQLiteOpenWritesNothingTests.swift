import Foundation
import PasswordVault
import PasswordVaultSQLite
import StorageConformance
import Testing

/// docs/contract.md §16: opening an up-to-date vault and reading from it writes nothing.
@Suite("SQLiteStorage opens and reads without writing")
struct SQLiteOpenWritesNothingTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    /// The bytes of the database and of its `-wal` and `-shm`, `nil` for a missing one.
    func snapshot(_ path: String) -> [String: Data?] {
        var files: [String: Data?] = [:]
        for suffix in ["", "-wal", "-shm"] { files[suffix] = FileManager.default.contents(atPath: path + suffix) }
        return files
    }

    @Test func openingAndReadingAClosedVaultChangesNoByte() async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        do {
            let storage = try SQLiteStorage.create(at: path)
            try await storage.writeHeader([1, 2, 3], expected: nil)
        }
        let before = snapshot(path)
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        for _ in 0..<2 {
            let storage = try SQLiteStorage.open(at: path)
            #expect(try await storage.readHeader() == [1, 2, 3])
            #expect(try await storage.entities(after: nil, limit: 10).isEmpty)
        }
        #expect(snapshot(path) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == modified)
    }

    @Test func aWriteAfterTheReadOnlyOpenStillLands() async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        _ = try SQLiteStorage.create(at: path)
        do {
            let storage = try SQLiteStorage.open(at: path)
            try await storage.writeHeader([4, 5], expected: nil)
            #expect(try await storage.readHeader() == [4, 5])
        }
        #expect(try await SQLiteStorage.open(at: path).readHeader() == [4, 5])
        // The last connection closed: the log was checkpointed and removed.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
    }
}
