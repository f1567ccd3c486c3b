import Foundation
import PasswordVault
import Testing

extension StorageConformanceSuite {
    /// The header is compare-and-set on its generation: `HeaderGeneration/noHeader` writes only
    /// when there is no header, each write makes the generation one more, a stale expectation is
    /// `StorageError/staleHeader` and changes nothing, and empty bytes are a header.
    public func headerCompareAndSet() async throws {
        let storage = try await make()
        #expect(try await storage.readHeader() == nil)
        await expectError(.staleHeader, "expected a header on a new store") {
            try await storage.writeHeader([9], expectedGeneration: HeaderGeneration(rawValue: 1))
        }
        #expect(try await storage.readHeader() == nil)
        #expect(try await storage.writeHeader([1, 2, 3], expectedGeneration: .noHeader) == Self.generation(1))
        #expect(try await storage.readHeader() == StoredHeader(bytes: [1, 2, 3], generation: Self.generation(1)))
        await expectError(.staleHeader, "none expected while a header exists") {
            try await storage.writeHeader([4], expectedGeneration: .noHeader)
        }
        await expectError(.staleHeader, "a generation ahead") {
            try await storage.writeHeader([4], expectedGeneration: Self.generation(2))
        }
        #expect(try await storage.readHeader() == StoredHeader(bytes: [1, 2, 3], generation: Self.generation(1)))
        let large = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(try await storage.writeHeader(large, expectedGeneration: Self.generation(1)) == Self.generation(2))
        #expect(try await storage.readHeader() == StoredHeader(bytes: large, generation: Self.generation(2)))
        // The same bytes again are a new generation: the counter, not the bytes, is compared.
        #expect(try await storage.writeHeader(large, expectedGeneration: Self.generation(2)) == Self.generation(3))
        await expectError(.staleHeader, "the generation the bytes had before") {
            try await storage.writeHeader([5], expectedGeneration: Self.generation(2))
        }
        #expect(try await storage.writeHeader([], expectedGeneration: Self.generation(3)) == Self.generation(4))
        #expect(try await storage.readHeader() == StoredHeader(bytes: [], generation: Self.generation(4)))
        await expectError(.failure, "a header write without a precondition") {
            try await storage.commit(ChangeSet(header: [6]))
        }
        #expect(try await storage.readHeader() == StoredHeader(bytes: [], generation: Self.generation(4)))
    }

    static func generation(_ value: UInt64) -> HeaderGeneration { HeaderGeneration(rawValue: value) }

    /// A write naming a generation that is no longer the stored one is refused with
    /// `StorageError/staleHeader` and writes nothing — insert, replace, delete, directory;
    /// the same writes naming the current generation, or none, commit without changing it.
    public func staleGenerationRefused() async throws {
        let storage = try await make()
        let first = try await storage.writeHeader([1], expectedGeneration: .noHeader)
        let stored = try await insertNew(storage) { Sample.entity($0) }
        let current = try await storage.writeHeader([2], expectedGeneration: first)
        #expect(current == Self.generation(2))

        let called = Called()
        await expectError(.staleHeader, "insert under the old generation") {
            try await storage.insert(headerGeneration: first) { id in
                called.mark()
                return Sample.entity(id)
            }
        }
        #expect(!called.marked, "the storage checks the generation before it asks for the entry")
        var changed = stored
        changed.name = "changed"
        changed.version += 1
        await expectError(.staleHeader, "replace under the old generation") {
            try await storage.replace(changed, expectedVersion: stored.version, headerGeneration: first)
        }
        await expectError(.staleHeader, "delete under the old generation") {
            try await storage.commit(
                ChangeSet(headerGeneration: first, entry: .delete(stored.identifier, expectedVersion: stored.version)))
        }
        await expectError(.staleHeader, "a directory change under the old generation") {
            try await storage.commit(ChangeSet(headerGeneration: first, directory: .addUser(Sample.bob)))
        }
        await expectError(.staleHeader, "a generation ahead of the stored one") {
            try await storage.replace(changed, expectedVersion: stored.version, headerGeneration: current.next)
        }
        expectSame(try await storage.entity(stored.identifier), stored)
        expectIDs(try await storage.entities(after: nil, limit: 10), [stored.identifier])
        #expect(try await storage.users() == [])
        #expect(try await storage.readHeader() == StoredHeader(bytes: [2], generation: current))

        let result = try await storage.commit(
            ChangeSet(headerGeneration: current, entry: .replace(changed, expectedVersion: stored.version)))
        #expect(result == CommitResult(headerGeneration: current))
        expectSame(try await storage.entity(stored.identifier), changed)
        let next = try await storage.insert(headerGeneration: current) { Sample.entity($0) }
        #expect(next.identifier > stored.identifier)
        #expect(try await storage.readHeader() == StoredHeader(bytes: [2], generation: current))
    }

    /// A change set whose last part fails leaves every other part unwritten.
    public func changeSetAllOrNothing() async throws {
        let storage = try await make()
        let generation = try await storage.writeHeader([1], expectedGeneration: .noHeader)
        try await storage.addUser(Sample.alice)
        let stored = try await insertNew(storage) { Sample.entity($0) }
        var changed = stored
        changed.name = "changed"
        changed.version += 1
        await expectError(.duplicate, "entry and header commit with a directory change that fails") {
            try await storage.commit(
                ChangeSet(
                    headerGeneration: generation, entry: .replace(changed, expectedVersion: stored.version),
                    directory: .addUser(Sample.alice), header: [2]))
        }
        expectSame(try await storage.entity(stored.identifier), stored)
        #expect(try await storage.readHeader() == StoredHeader(bytes: [1], generation: generation))
        await expectError(.conflict, "a header and a stale replace") {
            try await storage.commit(
                ChangeSet(
                    headerGeneration: generation, entry: .replace(changed, expectedVersion: stored.version + 1),
                    header: [3]))
        }
        #expect(try await storage.readHeader() == StoredHeader(bytes: [1], generation: generation))
        await expectError(.notFound, "an insert with a membership of a missing group") {
            try await storage.commit(
                ChangeSet(
                    entry: .insert { id in Sample.entity(id) },
                    directory: .setMembership(group: "nobody", username: "bob", isMember: true)))
        }
        expectIDs(try await storage.entities(after: nil, limit: 10), [stored.identifier])
        let all = try await storage.commit(
            ChangeSet(
                headerGeneration: generation, entry: .replace(changed, expectedVersion: stored.version),
                directory: .addUser(Sample.bob), header: [4]))
        #expect(all == CommitResult(headerGeneration: generation.next))
        expectSame(try await storage.entity(stored.identifier), changed)
        #expect(try await storage.users() == [Sample.alice, Sample.bob])
        #expect(try await storage.readHeader() == StoredHeader(bytes: [4], generation: generation.next))
    }

    /// Identifiers are positive and strictly increasing.
    public func identifiersIncrease() async throws {
        let storage = try await make()
        var previous: Int64 = 0
        for _ in 0..<20 {
            let id = try await insertNew(storage) { Sample.entity($0) }.identifier
            #expect(id.rawValue > previous)
            previous = id.rawValue
        }
    }

    /// 200 concurrent inserts get 200 different identifiers, and every entry is stored.
    public func identifiersUniqueUnderConcurrency() async throws {
        let storage = try await make()
        let ids = try await withThrowingTaskGroup(of: EntryID.self) { group in
            for _ in 0..<200 {
                group.addTask { try await storage.insert(headerGeneration: nil) { Sample.entity($0) }.identifier }
            }
            return try await group.reduce(into: [EntryID]()) { $0.append($1) }
        }
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        expectIDs(try await storage.entities(after: nil, limit: 1_000), ids.sorted())
        #expect(try await insertNew(storage) { Sample.entity($0) }.identifier > ids.max()!)
    }

    /// An identifier is never handed out again once an entry was stored under it, not even
    /// after that entry is deleted.
    public func identifiersNeverReused() async throws {
        let storage = try await make()
        let kept = try await insertNew(storage) { Sample.entity($0) }
        let deleted = try await insertNew(storage) { Sample.entity($0) }
        try await storage.delete(deleted.identifier, expectedVersion: deleted.version)
        let next = try await insertNew(storage) { Sample.entity($0) }
        #expect(kept.identifier < deleted.identifier)
        #expect(deleted.identifier < next.identifier)
    }

    /// An insert whose closure builds an entry under another identifier is refused and writes nothing.
    public func insertMustUseItsIdentifier() async throws {
        let storage = try await make()
        let first = try await insertNew(storage) { Sample.entity($0) }
        for offset: Int64 in [0, 1000] {
            await expectError(.failure, "an entry for identifier +\(offset)") {
                try await storage.insert(headerGeneration: nil) { _ in
                    Sample.entity(EntryID(rawValue: first.identifier.rawValue + offset)!, name: "impostor")
                }
            }
        }
        expectSame(try await storage.entity(first.identifier), first)
        expectIDs(try await storage.entities(after: nil, limit: 10), [first.identifier])
    }

    /// An insert whose closure throws writes nothing and rethrows its error; the next insert
    /// still gets an identifier above every stored one.
    public func failedInsertWritesNothing() async throws {
        let storage = try await make()
        let first = try await insertNew(storage) { Sample.entity($0) }
        let seen = Called()
        await expectError(.notFound, "the closure's own error") {
            try await storage.insert(headerGeneration: nil) { (id) throws(StorageError) in
                seen.mark()
                #expect(id > first.identifier)
                throw .notFound("sealing refused")
            }
        }
        #expect(seen.marked)
        expectIDs(try await storage.entities(after: nil, limit: 10), [first.identifier])
        let next = try await insertNew(storage) { Sample.entity($0) }
        #expect(next.identifier > first.identifier)
    }

    /// Every field comes back as it went in: tags and shares in their order, `canEdit`,
    /// dates (to the millisecond at least), optional sealed fields, version.
    public func everyFieldRoundTrips() async throws {
        let storage = try await make()
        let full = try await insertNew(storage) { id in
            PasswordEntity(
                identifier: id, name: "senseg account ✓ café", username: "ﬁle-admin", url: "www.senhasegura.com",
                tags: ["zeta", "Alpha", "mid", "ünïcödé"], owner: UserID(rawValue: -7),
                usersAllowed: [
                    UserShare(username: "zoe", canEdit: true), UserShare(username: "adam"),
                    UserShare(username: "mia", canEdit: true),
                ],
                groupsAllowed: [GroupShare(name: "ops"), GroupShare(name: "admins", canEdit: true)],
                isActive: false, createdAt: Sample.created, updatedAt: Sample.updated,
                version: UInt64(Int64.max) + 12, sealedPassword: Sample.sealed(57, seed: 1),
                sealedSecretKey: Sample.sealed(73, seed: 2), sealedNotes: Sample.sealed(300, seed: 3))
        }
        let bare = try await insertNew(storage) { id in
            PasswordEntity(
                identifier: id, name: "n", username: "", owner: Sample.alice.id, createdAt: Sample.created,
                updatedAt: Sample.created, sealedPassword: SealedValue(bytes: []))
        }
        expectSame(try await storage.entity(full.identifier), full)
        expectSame(try await storage.entity(bare.identifier), bare)
        let missing = EntryID(rawValue: bare.identifier.rawValue + 1)!
        #expect(try await storage.entity(missing) == nil)
        let listed = try await storage.entities(after: nil, limit: 10)
        expectIDs(listed, [full.identifier, bare.identifier])
        if listed.count == 2 {
            expectSame(listed[0], full)
            expectSame(listed[1], bare)
        }
    }

    /// A replace with the current version stores every changed field.
    public func replaceRoundTrips() async throws {
        let storage = try await make()
        let old = try await insertNew(storage) { id in
            var entity = Sample.entity(id, users: [UserShare(username: "bob")])
            entity.sealedSecretKey = Sample.sealed(20, seed: 4)
            entity.sealedNotes = Sample.sealed(20, seed: 5)
            return entity
        }
        var new = old
        new.name = "renamed"
        new.username = "other"
        new.url = ""
        new.tags = ["b", "a"]
        new.owner = Sample.carol.id
        new.usersAllowed = [UserShare(username: "dave", canEdit: true)]
        new.groupsAllowed = [GroupShare(name: "g2", canEdit: true), GroupShare(name: "g1")]
        new.isActive = false
        new.updatedAt = Sample.updated.addingTimeInterval(60.5)
        new.version = old.version + 1
        new.sealedPassword = Sample.sealed(41, seed: 6)
        new.sealedSecretKey = nil
        new.sealedNotes = nil
        try await storage.replace(new, expectedVersion: old.version)
        expectSame(try await storage.entity(old.identifier), new)
        var again = new
        again.version += 1
        again.sealedNotes = Sample.sealed(10, seed: 7)
        try await storage.replace(again, expectedVersion: new.version)
        expectSame(try await storage.entity(old.identifier), again)
    }

    /// A replace with a stale version, or of a missing entry, is a conflict and changes nothing.
    public func staleReplaceConflicts() async throws {
        let storage = try await make()
        let stored = try await insertNew(storage) { Sample.entity($0) }
        var changed = stored
        changed.name = "changed"
        changed.usersAllowed = [UserShare(username: "bob")]
        changed.version = stored.version + 1
        await expectError(.conflict) { try await storage.replace(changed, expectedVersion: stored.version + 1) }
        await expectError(.conflict) { try await storage.replace(changed, expectedVersion: 0) }
        expectSame(try await storage.entity(stored.identifier), stored)
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [])
        let missing = Sample.entity(EntryID(rawValue: stored.identifier.rawValue + 1)!)
        await expectError(.conflict) { try await storage.replace(missing, expectedVersion: missing.version) }
        #expect(try await storage.entity(missing.identifier) == nil)
    }

    /// A delete with the current version removes the entry from every index.
    public func deleteRemoves() async throws {
        let storage = try await make()
        let doomed = try await insertNew(storage) { id in
            Sample.entity(id, users: [UserShare(username: "bob")], groups: [GroupShare(name: "team")])
        }
        let kept = try await insertNew(storage) { Sample.entity($0) }
        try await storage.delete(doomed.identifier, expectedVersion: doomed.version)
        #expect(try await storage.entity(doomed.identifier) == nil)
        expectIDs(
            try await storage.entities(visibleTo: Sample.query(Sample.alice, includeDisabled: true)), [kept.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["team"])), [])
        expectIDs(try await storage.entities(after: nil, limit: 10), [kept.identifier])
        await expectError(.conflict, "deleting twice") {
            try await storage.delete(doomed.identifier, expectedVersion: doomed.version)
        }
    }

    /// A delete with a stale version is a conflict and changes nothing.
    public func staleDeleteConflicts() async throws {
        let storage = try await make()
        let stored = try await insertNew(storage) { Sample.entity($0) }
        await expectError(.conflict) {
            try await storage.delete(stored.identifier, expectedVersion: stored.version + 1)
        }
        expectSame(try await storage.entity(stored.identifier), stored)
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.alice)), [stored.identifier])
    }
}
