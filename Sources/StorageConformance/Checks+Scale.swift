import Foundation
import PasswordVault
import Testing

extension StorageConformanceSuite {
    /// Notes of 10,000 characters sealed to ~10 KB, and 1,000 shares of each kind,
    /// round-trip and are indexed.
    public func largeRecords() async throws {
        let storage = try await make()
        let notes = String(repeating: "ñotes ", count: 1_667).prefix(10_000)
        #expect(notes.count == 10_000)
        let sealedNotes = SealedValue(bytes: Array(notes.utf8) + Sample.sealed(40, seed: 9).bytes)
        let big = try await insertNew(storage) { id in
            var entity = Sample.entity(id)
            entity.sealedNotes = sealedNotes
            entity.sealedSecretKey = Sample.sealed(2_048, seed: 8)
            entity.usersAllowed = (0..<1_000).map { UserShare(username: "user-\($0)", canEdit: $0 % 3 == 0) }
            entity.groupsAllowed = (0..<1_000).reversed().map { GroupShare(name: "group-\($0)", canEdit: $0 % 2 == 0) }
            entity.tags = (0..<64).map { "tag-\(63 - $0)" }
            return entity
        }
        expectSame(try await storage.entity(big.identifier), big)
        let user999 = User(id: UserID(rawValue: 5_000), username: "user-999")
        expectIDs(try await storage.entities(visibleTo: Sample.query(user999)), [big.identifier])
        expectIDs(
            try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["group-0"])), [big.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["group-1000"])), [])
        var smaller = big
        smaller.usersAllowed.removeLast(500)
        smaller.version += 1
        try await storage.replace(smaller, expectedVersion: big.version)
        expectIDs(try await storage.entities(visibleTo: Sample.query(user999)), [])
        expectSame(try await storage.entity(big.identifier), smaller)
    }

    /// A store of `largeStoreSize` entries (100,000 by default) where one user sees
    /// 100: by owner, by user share, by group share, some several ways at once.
    public func largeStore() async throws {
        let storage = try await make()
        let count = largeStoreSize
        let target = User(id: UserID(rawValue: 1), username: "target")
        let stride = count / 100
        // Index k·stride + 3 (k < 100) is the k-th entry `target` sees, in one of three ways.
        let entities = try await bulkLoad.load(storage, count) { index, id in
            var entity = PasswordEntity(
                identifier: id, name: "entry \(index)", username: "login",
                owner: UserID(rawValue: 1_000 + Int64(index % 997)),
                usersAllowed: index % 7 == 0 ? [UserShare(username: "u\(index % 501)")] : [],
                groupsAllowed: index % 11 == 0 ? [GroupShare(name: "g\(index % 301)")] : [], createdAt: Sample.created,
                updatedAt: Sample.created, sealedPassword: SealedValue(bytes: [UInt8(truncatingIfNeeded: index)]))
            let k = index / stride
            if index % stride == 3, k < 100 {
                switch k % 3 {
                case 0: entity.owner = target.id
                case 1: entity.usersAllowed.append(UserShare(username: target.username))
                default: entity.groupsAllowed.insert(GroupShare(name: "target-team"), at: 0)
                }
                if k % 10 == 0 {
                    entity.usersAllowed.append(UserShare(username: target.username, canEdit: true))
                    entity.groupsAllowed.append(GroupShare(name: "target-team"))
                }
            }
            return entity
        }
        let ids = entities.map(\.identifier)
        try #require(ids.count == count && Set(ids).count == count)
        let expected = (0..<100).map { ids[$0 * stride + 3] }
        let query = Sample.query(target, groups: ["target-team", "no-such-team"])
        let visible = try await storage.entities(visibleTo: query)
        expectIDs(visible, expected.sorted())
        for entity in visible.prefix(5) {
            let index = ids.firstIndex(of: entity.identifier)!
            expectSame(entity, entities[index])
        }
        let filtered = try await storage.entities(
            visibleTo: Sample.query(target, groups: ["target-team"], filter: ListFilter(name: "entry 3")))
        #expect(filtered.allSatisfy { $0.name.hasPrefix("entry 3") })
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.stranger)), [])
        let lastPage = try await storage.entities(after: ids[count - 3], limit: 10)
        expectIDs(lastPage, Array(ids.suffix(2)))
    }

    /// Everything survives closing and reopening the store, and allocation goes on
    /// above every identifier handed out before. Without a `reopen` (a store that keeps
    /// nothing beyond the process) the same checks read the store back as it is.
    public func survivesReopen() async throws {
        let reopen = reopenOrSame
        var storage = try await make()
        let generation = try await storage.writeHeader([7, 7, 7], expectedGeneration: .noHeader)
        try await storage.addUser(Sample.alice)
        try await storage.addUser(Sample.bob)
        try await storage.addGroup(named: "ops")
        try await storage.addGroup(named: "empty")
        try await storage.setMembership(group: "ops", username: "bob", isMember: true)
        let kept = try await insertNew(storage) {
            Sample.entity($0, users: [UserShare(username: "bob", canEdit: true)])
        }
        let deleted = try await insertNew(storage) { Sample.entity($0) }
        try await storage.delete(deleted.identifier, expectedVersion: deleted.version)
        var changed = try await insertNew(storage) { Sample.entity($0, groups: [GroupShare(name: "ops")]) }
        let before = changed
        changed.version += 1
        changed.revision += 1
        changed.changedBy = Sample.bob.id
        changed.changedFields = [.isActive, .notes]
        changed.isActive = false
        changed.sealedNotes = Sample.sealed(99, seed: 42)
        try await storage.replace(changed, expectedVersion: before.version, history: .archive(before, depth: 10))

        storage = try await reopen(storage)
        #expect(try await storage.readHeader() == StoredHeader(bytes: [7, 7, 7], generation: generation))
        #expect(try await storage.users() == [Sample.alice, Sample.bob])
        #expect(try await storage.groups() == [Group(name: "empty"), Group(name: "ops", members: ["bob"])])
        #expect(try await storage.groups(containing: "bob") == ["ops"])
        expectSame(try await storage.entity(kept.identifier), kept)
        expectSame(try await storage.entity(changed.identifier), changed)
        let history = try await storage.history(of: changed.identifier)
        #expect(history.count == 1)
        expectSame(history.first, before)
        #expect(try await storage.entity(deleted.identifier) == nil)
        expectIDs(
            try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["ops"], includeDisabled: true)),
            [kept.identifier, changed.identifier])
        #expect(try await insertNew(storage) { Sample.entity($0) }.identifier > changed.identifier)
        await expectError(.staleHeader) {
            try await storage.replace(changed, expectedVersion: changed.version, headerGeneration: .noHeader)
        }
        await expectError(.conflict) { try await storage.replace(changed, expectedVersion: before.version) }
    }
}
