import PasswordVault
import StorageConformance
import Testing

@Suite("InMemoryStorage conformance")
struct InMemoryStorageConformanceTests {
    @Test(arguments: StorageConformanceCheck.allCases)
    func conforms(_ check: StorageConformanceCheck) async throws {
        try await StorageConformanceSuite(make: { InMemoryStorage() }).run(check)
    }

    @Test func listingTouchesOnlyVisibleRecords() async throws {
        let storage = InMemoryStorage()
        try await StorageConformanceSuite(make: { storage }, largeStoreSize: 10_000).largeStore()
        #expect(storage.count == 10_000)
        #expect(storage.statistics.listings == 3)
        #expect(storage.statistics.recordsExaminedByListing < 300)
    }
}

@Suite("FileStorage conformance")
struct FileStorageConformanceTests {
    /// Batches through ``FileStorage/allocateIdentifiers(_:)`` and ``FileStorage/insert(contentsOf:)``:
    /// one commit each instead of 200,000 rewrites of a growing file.
    static let batches = BulkLoad(
        allocate: { storage, count in try await (storage as! FileStorage).allocateIdentifiers(count) },
        insert: { storage, entities in try await (storage as! FileStorage).insert(contentsOf: entities) })

    @Test(arguments: StorageConformanceCheck.allCases)
    func conforms(_ check: StorageConformanceCheck) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let suite = StorageConformanceSuite(
            make: { try FileStorage.create(at: folder.newFile(extension: "pwvault")) },
            reopen: { storage in try FileStorage.open(at: (storage as! FileStorage).path) },
            bulkLoad: Self.batches)
        try await suite.run(check)
    }
}
