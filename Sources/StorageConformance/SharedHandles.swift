import PasswordVault
import Testing

/// Expects two handles on one durable store (two instances, as two processes would hold) to act
/// as one store: `writes` concurrent allocations and inserts, alternating between the handles,
/// get distinct identifiers; each handle lists every entry the other wrote; and the header's
/// generation check sees the other handle's write.
public func expectHandlesShareOneStore(
    _ first: any VaultStorage, _ second: any VaultStorage, writes: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let ids = try await withThrowingTaskGroup(of: EntryID.self) { group in
        for index in 0..<writes {
            let storage = index % 2 == 0 ? first : second
            group.addTask {
                try await storage.insert(headerGeneration: nil) { id in
                    Sample.entity(id, users: [UserShare(username: "bob")])
                }.identifier
            }
        }
        return try await group.reduce(into: Set<EntryID>()) { $0.insert($1) }
    }
    #expect(ids.count == writes, sourceLocation: sourceLocation)
    for storage in [first, second] {
        let seen = try await storage.entities(visibleTo: Sample.query(Sample.bob))
        #expect(Set(seen.map(\.identifier)) == ids, sourceLocation: sourceLocation)
    }
    let generation = try await first.writeHeader([1], expectedGeneration: .noHeader)
    #expect(
        try await second.readHeader() == StoredHeader(bytes: [1], generation: generation),
        sourceLocation: sourceLocation)
    await #expect(throws: StorageError.staleHeader, sourceLocation: sourceLocation) {
        try await second.writeHeader([2], expectedGeneration: .noHeader)
    }
    // A write sealed under the generation the other handle replaced is refused through this one.
    try await second.writeHeader([3], expectedGeneration: generation)
    await #expect(throws: StorageError.staleHeader, sourceLocation: sourceLocation) {
        try await first.insert(headerGeneration: generation) { Sample.entity($0) }
    }
}
