import PasswordVault
import PasswordVaultPostgres
import StorageConformance
import Testing

/// The storage conformance suite against a real PostgreSQL server (docs/contract.md §7, §14).
@Suite("PostgresStorage conformance")
struct PostgresStorageConformanceTests {
    /// Batches through ``PostgresStorage/allocateIdentifiers(_:)`` and
    /// ``PostgresStorage/insert(contentsOf:)``: one transaction instead of 100,000 commits.
    static let batches = BulkLoad(
        allocate: { storage, count in try await (storage as! PostgresStorage).allocateIdentifiers(count) },
        insert: { storage, entities in try await (storage as! PostgresStorage).insert(contentsOf: entities) })

    @Test(arguments: StorageConformanceCheck.allCases)
    func conforms(_ check: StorageConformanceCheck) async throws {
        let suite = StorageConformanceSuite(
            make: { try await PostgresStorage.open(try TestServer.configuration()) },
            reopen: { storage in
                let storage = storage as! PostgresStorage
                await storage.close()
                return try await PostgresStorage.open(storage.configuration)
            },
            bulkLoad: Self.batches)
        try await suite.run(check)
    }
}
