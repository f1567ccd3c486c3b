import Foundation
import PasswordVault
import Testing

/// History (docs/contract.md §11): a replace archives the previous state and purges beyond the
/// depth in the same commit, a rotation reseals old versions in place, a delete takes them all.
extension StorageConformanceSuite {
    /// The entry after `entity`: one more version and revision, new sealed password.
    private func nextRevision(of entity: PasswordEntity, seed: UInt8) -> PasswordEntity {
        var next = entity
        next.version += 1
        next.revision += 1
        next.changedBy = Sample.bob.id
        next.changedFields = [.password, .notes]
        next.updatedAt = entity.updatedAt.addingTimeInterval(1)
        next.sealedPassword = Sample.sealed(30, seed: seed)
        next.sealedNotes = Sample.sealed(12, seed: seed &+ 1)
        return next
    }

    /// Archived versions come back whole (every field, sealed values byte for byte, revision,
    /// changedBy, changedFields), ascending by revision, and only the newest `depth` stay.
    func historyArchivesAndPurges() async throws {
        let storage = try await make()
        var current = try await insertNew(storage) { id in
            var entity = Sample.entity(id, users: [UserShare(username: "bob", canEdit: true)])
            entity.changedFields = [.name, .username, .password]
            entity.sealedSecretKey = Sample.sealed(20, seed: 3)
            return entity
        }
        let id = current.identifier
        #expect(try await storage.history(of: id).isEmpty)
        var archived: [PasswordEntity] = []
        for step in 0..<5 {
            let next = nextRevision(of: current, seed: UInt8(10 + 2 * step))
            try await storage.replace(next, expectedVersion: current.version, history: .archive(current, depth: 3))
            archived.append(current)
            current = next
        }
        let history = try await storage.history(of: id)
        #expect(history.map(\.revision) == [3, 4, 5])
        for (got, want) in zip(history, archived.suffix(3)) { expectSame(got, want) }
        expectSame(try await storage.entity(id), current)
        // Depth 0 keeps nothing, in the same commit.
        let last = nextRevision(of: current, seed: 40)
        try await storage.replace(last, expectedVersion: current.version, history: .archive(current, depth: 0))
        #expect(try await storage.history(of: id).isEmpty)
        // Another entry's history is its own.
        #expect(try await storage.history(of: EntryID(rawValue: id.rawValue + 1)!).isEmpty)
    }

    /// A replace that loses its compare-and-set archives nothing; a reseal of a version the
    /// history does not hold is a conflict, and changes neither the entry nor its history.
    func historyMovesOnlyWithItsEntry() async throws {
        let storage = try await make()
        let first = try await insertNew(storage) { Sample.entity($0) }
        let second = nextRevision(of: first, seed: 50)
        try await storage.replace(second, expectedVersion: first.version, history: .archive(first, depth: 10))
        let stale = nextRevision(of: second, seed: 60)
        await #expect(throws: StorageError.conflict) {
            try await storage.replace(stale, expectedVersion: first.version, history: .archive(second, depth: 10))
        }
        #expect(try await storage.history(of: first.identifier).map(\.revision) == [1])
        var ghost = first
        ghost.revision = 7
        var bumped = second
        bumped.version += 1
        await #expect(throws: StorageError.conflict) {
            try await storage.replace(bumped, expectedVersion: second.version, history: .reseal([ghost]))
        }
        expectSame(try await storage.entity(first.identifier), second)

        // A reseal replaces the sealed values of the version it names, nothing else.
        var resealed = first
        resealed.sealedPassword = Sample.sealed(33, seed: 70)
        try await storage.replace(bumped, expectedVersion: second.version, history: .reseal([resealed]))
        let history = try await storage.history(of: first.identifier)
        #expect(history.count == 1)
        expectSame(history.first, resealed)
    }

    /// A delete removes the entry's history with it.
    func deleteRemovesHistory() async throws {
        let storage = try await make()
        let first = try await insertNew(storage) { Sample.entity($0) }
        let second = nextRevision(of: first, seed: 80)
        try await storage.replace(second, expectedVersion: first.version, history: .archive(first, depth: 10))
        try await storage.delete(first.identifier, expectedVersion: second.version)
        #expect(try await storage.history(of: first.identifier).isEmpty)
    }

    /// An insert with history (an import, docs/contract.md §15) stores the entry and every
    /// older version in one commit; versions out of order or for another identifier write
    /// nothing, and the identifier is not spent on them.
    func insertWithHistoryKeepsEveryVersion() async throws {
        let storage = try await make()
        @Sendable func versions(_ id: EntryID) -> [PasswordEntity] {
            let first = Sample.entity(id)
            let second = nextRevision(of: first, seed: 90)
            return [first, second, nextRevision(of: second, seed: 91)]
        }
        let result = try await storage.commit(ChangeSet(entry: .insertWithHistory { id in versions(id) }))
        let inserted = try #require(result.inserted)
        let expected = versions(inserted.identifier)
        #expect(inserted == expected[2])
        #expect(try await storage.entity(inserted.identifier) == expected[2])
        #expect(try await storage.history(of: inserted.identifier) == Array(expected.prefix(2)))
        // Out of order, and another identifier's version: refused, nothing stored.
        let before = try await storage.entities(after: nil, limit: 100)
        await #expect(throws: StorageError.self) {
            try await storage.commit(ChangeSet(entry: .insertWithHistory { id in versions(id).reversed() }))
        }
        await #expect(throws: StorageError.self) {
            try await storage.commit(
                ChangeSet(
                    entry: .insertWithHistory { id in
                        [Sample.entity(EntryID(rawValue: id.rawValue + 7)!)] + versions(id)
                    }))
        }
        #expect(try await storage.entities(after: nil, limit: 100) == before)
        let next = try await insertNew(storage) { Sample.entity($0) }
        // The refused inserts stored nothing; whether their identifiers are handed out again is the
        // adapter's choice (VaultStorage: "may be handed out again"; a PostgreSQL sequence does not).
        #expect(next.identifier > inserted.identifier)
        #expect(try await storage.history(of: next.identifier).isEmpty)
    }
}
