import PasswordVault
import PasswordVaultSQLite
import StorageConformance
import Testing

@Suite("SQLiteStorage conformance")
struct SQLiteStorageConformanceTests {
    /// Batches through ``SQLiteStorage/allocateIdentifiers(_:)`` and ``SQLiteStorage/insert(contentsOf:)``:
    /// one transaction each instead of 200,000 fsynced commits.
    static let batches = BulkLoad(
        allocate: { storage, count in try await (storage as! SQLiteStorage).allocateIdentifiers(count) },
        insert: { storage, entities in try await (storage as! SQLiteStorage).insert(contentsOf: entities) })

    @Test(arguments: StorageConformanceCheck.allCases)
    func conforms(_ check: StorageConformanceCheck) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let suite = StorageConformanceSuite(
            make: { try SQLiteStorage.create(at: folder.newFile(extension: "db")) },
            reopen: { storage in try SQLiteStorage.open(at: (storage as! SQLiteStorage).path) },
            bulkLoad: Self.batches)
        try await suite.run(check)
    }
}
