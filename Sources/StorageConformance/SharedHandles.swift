import PasswordVault
import Testing

/// Expects two handles on one durable store (two instances, as two processes would hold) to act
/// as one store: `writes` concurrent allocations and inserts, alternating between the handles,
/// get distinct identifiers; each handle lists every entry the other wrote; and the header's
/// compare-and-set sees the other handle's write.
public func expectHandlesShareOneStore(
    _ first: any VaultStorage, _ second: any VaultStorage, writes: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let ids = try await withThrowingTaskGroup(of: EntryID.self) { group in
        for index in 0..<writes {
            let storage = index % 2 == 0 ? first : second
            group.addTask {
                let id = try await storage.allocateIdentifier()
                try await storage.insert(Sample.entity(id, users: [UserShare(username: "bob")]))
                return id
            }
        }
        return try await group.reduce(into: Set<EntryID>()) { $0.insert($1) }
    }
    #expect(ids.count == writes, sourceLocation: sourceLocation)
    for storage in [first, second] {
        let seen = try await storage.entities(visibleTo: Sample.query(Sample.bob))
        #expect(Set(seen.map(\.identifier)) == ids, sourceLocation: sourceLocation)
    }
    try await first.writeHeader([1], expected: nil)
    #expect(try await second.readHeader() == [1], sourceLocation: sourceLocation)
    await #expect(throws: StorageError.conflict, sourceLocation: sourceLocation) {
        try await second.writeHeader([2], expected: nil)
    }
}
