import Foundation
import PasswordVault
import Testing

extension StorageConformanceSuite {
    /// An owner sees their own entries, ascending, and nobody else's.
    public func visibleByOwner() async throws {
        let storage = try await make()
        let a1 = try await insertNew(storage) { Sample.entity($0, owner: Sample.alice) }
        let b1 = try await insertNew(storage) { Sample.entity($0, owner: Sample.bob) }
        let a2 = try await insertNew(storage) { Sample.entity($0, owner: Sample.alice) }
        let listed = try await storage.entities(visibleTo: Sample.query(Sample.alice))
        expectIDs(listed, [a1.identifier, a2.identifier])
        if listed.count == 2 { expectSame(listed[1], a2) }
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [b1.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.stranger)), [])
    }

    /// A user sees what is shared with their username, whoever owns it.
    public func visibleByUserShare() async throws {
        let storage = try await make()
        let shared = try await insertNew(storage) { id in
            Sample.entity(id, owner: Sample.alice, users: [UserShare(username: "carol"), UserShare(username: "bob")])
        }
        _ = try await insertNew(storage) {
            Sample.entity($0, owner: Sample.alice, users: [UserShare(username: "bobby")])
        }
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [shared.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.carol)), [shared.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.stranger)), [])
    }

    /// A member sees what is shared with any group they name in the query.
    public func visibleByGroupShare() async throws {
        let storage = try await make()
        let ops = try await insertNew(storage) { Sample.entity($0, groups: [GroupShare(name: "ops")]) }
        let dev = try await insertNew(storage) { Sample.entity($0, groups: [GroupShare(name: "dev", canEdit: true)]) }
        _ = try await insertNew(storage) { Sample.entity($0, groups: [GroupShare(name: "sales")]) }
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["ops"])), [ops.identifier])
        expectIDs(
            try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["dev", "ops", "nobody"])),
            [ops.identifier, dev.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [])
    }

    /// An entry visible several ways (owner, user share, several groups) is listed once,
    /// and the union of all ways comes back ascending.
    public func visibleSeveralWaysListedOnce() async throws {
        let storage = try await make()
        let everyWay = try await insertNew(storage) { id in
            Sample.entity(
                id, owner: Sample.bob, users: [UserShare(username: "bob"), UserShare(username: "bob", canEdit: true)],
                groups: [GroupShare(name: "ops"), GroupShare(name: "dev")])
        }
        let byGroup = try await insertNew(storage) {
            Sample.entity($0, owner: Sample.alice, groups: [GroupShare(name: "dev")])
        }
        let byUser = try await insertNew(storage) {
            Sample.entity($0, owner: Sample.carol, users: [UserShare(username: "bob")])
        }
        let owned = try await insertNew(storage) { Sample.entity($0, owner: Sample.bob) }
        _ = try await insertNew(storage) { Sample.entity($0, owner: Sample.carol) }
        let listed = try await storage.entities(visibleTo: Sample.query(Sample.bob, groups: ["ops", "dev"]))
        expectIDs(listed, [everyWay.identifier, byGroup.identifier, byUser.identifier, owned.identifier])
        if let first = listed.first { expectSame(first, everyWay) }
    }

    /// Disabled entries are listed only when the query asks for them.
    public func disabledOnlyWhenAsked() async throws {
        let storage = try await make()
        let active = try await insertNew(storage) { Sample.entity($0) }
        let disabled = try await insertNew(storage) {
            Sample.entity($0, users: [UserShare(username: "bob")], isActive: false)
        }
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.alice)), [active.identifier])
        expectIDs(
            try await storage.entities(visibleTo: Sample.query(Sample.alice, includeDisabled: true)),
            [active.identifier, disabled.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [])
        expectIDs(
            try await storage.entities(visibleTo: Sample.query(Sample.bob, includeDisabled: true)),
            [disabled.identifier])
        var enabled = disabled
        enabled.isActive = true
        enabled.version += 1
        try await storage.replace(enabled, expectedVersion: disabled.version)
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [disabled.identifier])
    }

    /// A filter narrows the visible entries as `ListFilter/matches(_:)` says.
    public func filterNarrows() async throws {
        let storage = try await make()
        func add(_ name: String, _ username: String, _ url: String, _ tags: [String]) async throws -> EntryID {
            try await insertNew(storage) { id in
                var entity = Sample.entity(id, name: name)
                entity.username = username
                entity.url = url
                entity.tags = tags
                return entity
            }.identifier
        }
        let mail = try await add("Work Mail", "alice@corp", "mail.corp.example", ["work", "Email"])
        let bank = try await add("Bank", "alice", "www.bank.example", ["finance"])
        let forum = try await add("forum", "ALICE_99", "forum.example/100%_done", ["hobby", "work"])
        _ = try await insertNew(storage) { Sample.entity($0, owner: Sample.bob, name: "Work of Bob") }
        func listed(_ filter: ListFilter) async throws -> [EntryID] {
            try await storage.entities(visibleTo: Sample.query(Sample.alice, filter: filter)).map(\.identifier)
        }
        #expect(try await listed(ListFilter(tag: "WORK")) == [mail, forum])
        #expect(try await listed(ListFilter(tag: "email")) == [mail])
        #expect(try await listed(ListFilter(tag: "wor")) == [])
        #expect(try await listed(ListFilter(name: "work")) == [mail])
        #expect(try await listed(ListFilter(username: "alice")) == [mail, bank, forum])
        #expect(try await listed(ListFilter(username: "alice", url: ".EXAMPLE")) == [mail, bank, forum])
        #expect(try await listed(ListFilter(tag: "work", username: "_99")) == [forum])
        #expect(try await listed(ListFilter(url: "%_")) == [forum])
        #expect(try await listed(ListFilter(url: "%")) == [forum])
        #expect(try await listed(ListFilter(name: "a_k")) == [])
        #expect(try await listed(ListFilter(tag: "", name: "", username: "", url: "")) == [mail, bank, forum])
        #expect(try await listed(ListFilter(name: "nothing like it")) == [])
    }

    /// Case-insensitive matching beyond ASCII: a store that narrows in its own query
    /// language (SQL `LIKE`, `NOCASE`) must not drop what `ListFilter` matches.
    public func filterNeverDropsAMatch() async throws {
        let storage = try await make()
        func add(name: String, tags: [String] = []) async throws -> EntryID {
            try await insertNew(storage) { id in
                var entity = Sample.entity(id, name: name)
                entity.tags = tags
                return entity
            }.identifier
        }
        let ecole = try await add(name: "ÉCOLE Öffentlich", tags: ["Ärger"])
        let kelvin = try await add(name: "\u{212A}elvin scale", tags: ["\u{212A}"])
        let composed = try await add(name: "caf\u{E9} au lait", tags: ["caf\u{E9}"])
        func listed(_ filter: ListFilter) async throws -> [EntryID] {
            try await storage.entities(visibleTo: Sample.query(Sample.alice, filter: filter)).map(\.identifier)
        }
        for filter in [ListFilter(name: "école"), ListFilter(name: "öFF"), ListFilter(tag: "ärger")] {
            #expect(try await listed(filter) == [ecole], "\(filter)")
        }
        for filter in [ListFilter(name: "kelvin"), ListFilter(name: "K"), ListFilter(tag: "k")] {
            #expect(try await listed(filter) == [kelvin], "\(filter)")
        }
        for filter in [ListFilter(name: "cafe\u{301}"), ListFilter(tag: "CAFE\u{301}")] {
            #expect(try await listed(filter) == [composed], "\(filter)")
        }
    }

    /// Removing a share, or changing the owner, takes the entry out of those lists.
    public func removedShareUnindexed() async throws {
        let storage = try await make()
        let old = try await insertNew(storage) { id in
            Sample.entity(id, users: [UserShare(username: "bob")], groups: [GroupShare(name: "ops")])
        }
        var new = old
        new.usersAllowed = [UserShare(username: "carol")]
        new.groupsAllowed = []
        new.owner = Sample.bob.id
        new.version += 1
        try await storage.replace(new, expectedVersion: old.version)
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.alice, groups: ["ops"])), [])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.stranger, groups: ["ops"])), [])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.carol)), [old.identifier])
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.bob)), [old.identifier])
        var unshared = new
        unshared.usersAllowed = []
        unshared.version += 1
        try await storage.replace(unshared, expectedVersion: new.version)
        expectIDs(try await storage.entities(visibleTo: Sample.query(Sample.carol)), [])
    }

    /// `entities(after:limit:)` walks every entry once, ascending, in pages.
    public func paging() async throws {
        let storage = try await make()
        var ids: [EntryID] = []
        for index in 0..<25 {
            let entity = try await insertNew(storage) {
                Sample.entity($0, owner: index % 2 == 0 ? Sample.alice : Sample.bob)
            }
            ids.append(entity.identifier)
        }
        for index in [3, 4, 24] {
            let entity = try #require(try await storage.entity(ids[index]))
            try await storage.delete(entity.identifier, expectedVersion: entity.version)
        }
        let remaining = ids.enumerated().filter { ![3, 4, 24].contains($0.offset) }.map(\.element)
        var walked: [EntryID] = []
        var after: EntryID?
        while true {
            let page = try await storage.entities(after: after, limit: 10)
            #expect(page.count <= 10)
            walked += page.map(\.identifier)
            guard page.count == 10, let last = page.last else { break }
            after = last.identifier
        }
        #expect(walked == remaining)
        expectIDs(try await storage.entities(after: ids[2], limit: 2), [ids[5], ids[6]])
        expectIDs(try await storage.entities(after: ids[3], limit: 1), [ids[5]])
        expectIDs(try await storage.entities(after: nil, limit: 0), [])
        expectIDs(try await storage.entities(after: nil, limit: -1), [])
        expectIDs(try await storage.entities(after: ids[24], limit: 10), [])
        expectIDs(try await storage.entities(after: nil, limit: Int.max), remaining)
    }
}
