import Foundation
import PasswordVault
import Testing

extension StorageConformanceSuite {
    /// The header is compare-and-set: `nil` → bytes only when none exists, a wrong
    /// expectation is a conflict that changes nothing, and empty bytes are not `nil`.
    public func headerCompareAndSet() async throws {
        let storage = try await make()
        #expect(try await storage.readHeader() == nil)
        await expectError(.conflict, "expected a header on a new store") {
            try await storage.writeHeader([9], expected: [1])
        }
        #expect(try await storage.readHeader() == nil)
        try await storage.writeHeader([1, 2, 3], expected: nil)
        #expect(try await storage.readHeader() == [1, 2, 3])
        await expectError(.conflict, "nil expected while a header exists") {
            try await storage.writeHeader([4], expected: nil)
        }
        await expectError(.conflict, "wrong bytes expected") { try await storage.writeHeader([4], expected: [1, 2]) }
        #expect(try await storage.readHeader() == [1, 2, 3])
        let large = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try await storage.writeHeader(large, expected: [1, 2, 3])
        #expect(try await storage.readHeader() == large)
        try await storage.writeHeader([], expected: large)
        #expect(try await storage.readHeader() == [])
        try await storage.writeHeader([0], expected: [])
        #expect(try await storage.readHeader() == [0])
    }

    /// Identifiers are positive and strictly increasing.
    public func identifiersIncrease() async throws {
        let storage = try await make()
        var previous: Int64 = 0
        for _ in 0..<20 {
            let id = try await storage.allocateIdentifier()
            #expect(id.rawValue > previous)
            previous = id.rawValue
        }
    }

    /// 200 concurrent allocations hand out 200 different identifiers.
    public func identifiersUniqueUnderConcurrency() async throws {
        let storage = try await make()
        let ids = try await withThrowingTaskGroup(of: EntryID.self) { group in
            for _ in 0..<200 { group.addTask { try await storage.allocateIdentifier() } }
            return try await group.reduce(into: [EntryID]()) { $0.append($1) }
        }
        #expect(ids.count == 200)
        #expect(Set(ids).count == 200)
        #expect(try await storage.allocateIdentifier() > ids.max()!)
    }

    /// An identifier is never handed out again: not after its entry is deleted, not
    /// after it was allocated and never used.
    public func identifiersNeverReused() async throws {
        let storage = try await make()
        let deleted = try await insertNew(storage) { Sample.entity($0) }
        try await storage.delete(deleted.identifier, expectedVersion: deleted.version)
        let unused = try await storage.allocateIdentifier()
        let next = try await storage.allocateIdentifier()
        #expect(deleted.identifier < unused)
        #expect(unused < next)
        let kept = try await insertNew(storage) { Sample.entity($0) }
        #expect(kept.identifier > next)
    }

    /// Inserting under an identifier the store never handed out is refused.
    public func insertRequiresAllocatedIdentifier() async throws {
        let storage = try await make()
        let allocated = try await storage.allocateIdentifier()
        let never = EntryID(rawValue: allocated.rawValue + 1000)!
        await expectError(.notFound) { try await storage.insert(Sample.entity(never)) }
        #expect(try await storage.entity(never) == nil)
        #expect(try await storage.entities(after: nil, limit: 10).isEmpty)
        #expect(try await storage.allocateIdentifier() > allocated)
    }

    /// A second insert under a used identifier is refused and changes nothing.
    public func duplicateInsertRefused() async throws {
        let storage = try await make()
        let first = try await insertNew(storage) { Sample.entity($0, name: "first") }
        var second = Sample.entity(first.identifier, owner: Sample.bob, name: "second")
        second.version = 5
        await expectError(.duplicate) { try await storage.insert(second) }
        expectSame(try await storage.entity(first.identifier), first)
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [])
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
        let missing = Sample.entity(try await storage.allocateIdentifier())
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
