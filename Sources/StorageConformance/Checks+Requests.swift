import Foundation
import PasswordVault
import Testing

/// Access policies (docs/contract.md §13): the entry's policies and rotation mark, `canReveal` on
/// shares, access requests and rotation marks — stored exactly, moved in the change set's one
/// commit, or not at all.
extension StorageConformanceSuite {
    /// A pending request for `entry` by `requester`, under the identifier the storage hands out.
    static func request(
        _ id: AccessRequestID, entry: EntryID, requester: User = Sample.bob, justification: String = "ticket 42"
    ) -> AccessRequest {
        AccessRequest(
            identifier: id, entry: entry, requester: requester.id, requesterName: requester.username,
            justification: justification, minutes: 60, createdAt: Sample.created)
    }

    /// Stores a new request; checks that the storage returns it as built.
    @discardableResult
    func insertRequest(
        _ storage: any VaultStorage, entry: EntryID, requester: User = Sample.bob, justification: String = "ticket 42"
    ) async throws -> AccessRequest {
        let result = try await storage.commit(
            ChangeSet(requests: [
                .insert { id in Self.request(id, entry: entry, requester: requester, justification: justification) }
            ]))
        let inserted = try #require(result.insertedRequest, "the storage returns the inserted request")
        #expect(
            inserted
                == Self.request(inserted.identifier, entry: entry, requester: requester, justification: justification))
        return inserted
    }

    /// The request after `request`: approved by `approver`, its grant running, one version more.
    static func approved(_ request: AccessRequest, by approver: User) -> AccessRequest {
        var next = request
        next.storedState = .approved
        next.approvals.append(approver.id)
        next.decidedAt = Sample.updated
        next.expiresAt = Sample.updated.addingTimeInterval(Double(request.minutes) * 60)
        next.version = request.version + 1
        return next
    }

    /// An entry with every §13 field set away from its default, in its current and its archived
    /// versions, shares that may not reveal beside shares that may: all of it comes back as
    /// written, also after a reopen.
    func policyFieldsRoundTrip() async throws {
        var storage = try await make()
        let shares = [
            UserShare(username: "bob", canEdit: true, canReveal: false), UserShare(username: "carol"),
            UserShare(username: "dave", canEdit: false, canReveal: false),
        ]
        let groups = [GroupShare(name: "ops", canEdit: true, canReveal: false), GroupShare(name: "dev")]
        let first = try await insertNew(storage) { id in
            var entity = Sample.entity(id, users: shares, groups: groups)
            entity.needJustify = true
            entity.needApproval = 5
            entity.needsRotation = true
            return entity
        }
        let id = first.identifier
        expectSame(try await storage.entity(id), first)
        var second = first
        second.version += 1
        second.revision += 1
        second.needJustify = false
        second.needApproval = 2
        second.needsRotation = false
        second.usersAllowed = [UserShare(username: "bob", canEdit: false, canReveal: true)]
        second.groupsAllowed = [GroupShare(name: "ops", canReveal: false)]
        second.changedFields = [.usersAllowed, .groupsAllowed]
        try await storage.replace(second, expectedVersion: first.version, history: .archive(first, depth: 10))
        expectSame(try await storage.entity(id), second)
        let history = try await storage.history(of: id)
        #expect(history.count == 1)
        expectSame(history.first, first)
        // The boundaries of need_approval.
        let none = try await insertNew(storage) { id in Sample.entity(id) }
        #expect(!none.needJustify && none.needApproval == 0 && !none.needsRotation)
        expectSame(try await storage.entity(none.identifier), none)
        expectSame(try await storage.entities(visibleTo: Sample.query(Sample.bob)).first, second)
        let reopen = reopenOrSame
        storage = try await reopen(storage)
        expectSame(try await storage.entity(id), second)
        let reopened = try await storage.history(of: id)
        #expect(reopened.count == 1)
        expectSame(reopened.first, first)
        expectSame(try await storage.entity(none.identifier), none)
    }

    /// An insert stores the request the closure builds under the identifier handed out; a replace
    /// is a compare-and-set on the request's version: a stale version, a request that is gone or
    /// one moved to another entry is a conflict and changes nothing.
    func requestInsertAndReplace() async throws {
        let storage = try await make()
        let entity = try await insertNew(storage) { Sample.entity($0) }
        let other = try await insertNew(storage) { Sample.entity($0) }
        let request = try await insertRequest(storage, entry: entity.identifier)
        #expect(try await storage.accessRequest(request.identifier) == request)
        let next = Self.approved(request, by: Sample.alice)
        try await storage.commit(ChangeSet(requests: [.replace(next, expectedVersion: request.version)]))
        #expect(try await storage.accessRequest(request.identifier) == next)
        var later = next
        later.storedState = .revoked
        later.version += 1
        await expectError(.conflict, "a stale version") {
            try await storage.commit(ChangeSet(requests: [.replace(later, expectedVersion: request.version)]))
        }
        var moved = later
        moved.entry = other.identifier
        await expectError(.conflict, "a request never moves to another entry") {
            try await storage.commit(ChangeSet(requests: [.replace(moved, expectedVersion: next.version)]))
        }
        var ghost = later
        ghost.identifier = AccessRequestID(rawValue: request.identifier.rawValue + 1000)!
        await expectError(.conflict, "a request that does not exist") {
            try await storage.commit(ChangeSet(requests: [.replace(ghost, expectedVersion: next.version)]))
        }
        #expect(try await storage.accessRequest(request.identifier) == next)
        #expect(try await storage.accessRequest(ghost.identifier) == nil)
        try await storage.commit(ChangeSet(requests: [.replace(later, expectedVersion: next.version)]))
        #expect(try await storage.accessRequest(request.identifier) == later)
        // Every field round-trips, texts with any scalar included.
        var full = try await insertRequest(
            storage, entry: other.identifier, requester: Sample.carol, justification: "incident «42» — ünïcode 🔑")
        let fullNext = AccessRequest(
            identifier: full.identifier, entry: full.entry, requester: full.requester, requesterName: "carol",
            justification: full.justification, minutes: 1440, storedState: .denied,
            approvals: [Sample.alice.id, Sample.bob.id], deniedBy: Sample.stranger.id, createdAt: full.createdAt,
            decidedAt: Sample.updated, expiresAt: Sample.updated.addingTimeInterval(0.25), version: full.version + 1)
        try await storage.commit(ChangeSet(requests: [.replace(fullNext, expectedVersion: full.version)]))
        full = fullNext
        #expect(try await storage.accessRequest(full.identifier) == full)
        #expect(try await storage.accessRequests(AccessRequestQuery()) == [later, full])
    }

    /// Request identifiers are positive and increase, and are never handed out again, also after
    /// the requests holding them went with their entry; an insert for an entry that does not
    /// exist (or was just deleted) is a conflict and stores nothing; an insert whose closure
    /// builds another identifier is refused.
    func requestIdentifiersNeverReused() async throws {
        let storage = try await make()
        let kept = try await insertNew(storage) { Sample.entity($0) }
        let doomed = try await insertNew(storage) { Sample.entity($0) }
        var ids: [AccessRequestID] = []
        for _ in 0..<3 { ids.append(try await insertRequest(storage, entry: doomed.identifier).identifier) }
        #expect(ids == ids.sorted() && Set(ids).count == 3)
        try await storage.delete(doomed.identifier, expectedVersion: doomed.version)
        #expect(try await storage.accessRequests(AccessRequestQuery()).isEmpty)
        await expectError(.conflict, "the entry is gone") {
            try await storage.commit(
                ChangeSet(requests: [.insert { id in Self.request(id, entry: doomed.identifier) }]))
        }
        await expectError(.conflict, "the entry never existed") {
            try await storage.commit(
                ChangeSet(requests: [.insert { id in Self.request(id, entry: EntryID(rawValue: 9_999)!) }]))
        }
        await expectError(.failure, "the closure must use the identifier handed out") {
            try await storage.commit(
                ChangeSet(requests: [
                    .insert { id in
                        Self.request(AccessRequestID(rawValue: id.rawValue + 1)!, entry: kept.identifier)
                    }
                ]))
        }
        #expect(try await storage.accessRequests(AccessRequestQuery()).isEmpty)
        let after = try await insertRequest(storage, entry: kept.identifier)
        #expect(after.identifier > ids.last!, "identifier \(after.identifier) reuses one handed out before")
        // A request for an entry inserted in the same change set.
        let result = try await storage.commit(
            ChangeSet(
                entry: .insert { id in Sample.entity(id) },
                requests: []))
        let fresh = try #require(result.inserted)
        let second = try await insertRequest(storage, entry: fresh.identifier)
        #expect(second.identifier > after.identifier)
    }

    /// Queries by entries, by requester, by stored states, and all three at once, ascending by
    /// identifier; an empty set of entries or states selects nothing.
    func requestQueries() async throws {
        let storage = try await make()
        let one = try await insertNew(storage) { Sample.entity($0) }
        let two = try await insertNew(storage) { Sample.entity($0) }
        let three = try await insertNew(storage) { Sample.entity($0) }
        var all: [AccessRequest] = []
        for (entry, requester) in [(one, Sample.bob), (two, Sample.carol), (one, Sample.carol), (three, Sample.bob)] {
            all.append(try await insertRequest(storage, entry: entry.identifier, requester: requester))
        }
        let approved = Self.approved(all[2], by: Sample.alice)
        try await storage.commit(ChangeSet(requests: [.replace(approved, expectedVersion: all[2].version)]))
        all[2] = approved
        var denied = all[3]
        denied.storedState = .denied
        denied.deniedBy = Sample.alice.id
        denied.version += 1
        try await storage.commit(ChangeSet(requests: [.replace(denied, expectedVersion: all[3].version)]))
        all[3] = denied
        func query(_ query: AccessRequestQuery) async throws -> [AccessRequestID] {
            try await storage.accessRequests(query).map(\.identifier)
        }
        let ids = all.map(\.identifier)
        #expect(try await storage.accessRequests(AccessRequestQuery()) == all)
        #expect(try await query(AccessRequestQuery(entries: [one.identifier])) == [ids[0], ids[2]])
        #expect(try await query(AccessRequestQuery(entries: [three.identifier, two.identifier])) == [ids[1], ids[3]])
        #expect(try await query(AccessRequestQuery(entries: [EntryID(rawValue: 777)!])) == [])
        #expect(try await query(AccessRequestQuery(entries: [])) == [])
        #expect(try await query(AccessRequestQuery(requester: Sample.carol.id)) == [ids[1], ids[2]])
        #expect(try await query(AccessRequestQuery(requester: Sample.stranger.id)) == [])
        #expect(try await query(AccessRequestQuery(storedStates: [.pending])) == [ids[0], ids[1]])
        #expect(try await query(AccessRequestQuery(storedStates: [.approved, .denied])) == [ids[2], ids[3]])
        #expect(try await query(AccessRequestQuery(storedStates: [])) == [])
        #expect(
            try await query(AccessRequestQuery(entries: [one.identifier, three.identifier], requester: Sample.bob.id))
                == [ids[0], ids[3]])
        #expect(
            try await query(
                AccessRequestQuery(
                    entries: [one.identifier, two.identifier], requester: Sample.carol.id, storedStates: [.approved]))
                == [ids[2]])
        #expect(try await query(AccessRequestQuery(requester: Sample.bob.id, storedStates: [.denied])) == [ids[3]])
    }

    /// A delete takes its entry's requests, and only those, in the same commit; a delete that
    /// loses its compare-and-set takes none.
    func entryDeleteRemovesRequests() async throws {
        let storage = try await make()
        let doomed = try await insertNew(storage) { Sample.entity($0) }
        let kept = try await insertNew(storage) { Sample.entity($0) }
        let gone = [
            try await insertRequest(storage, entry: doomed.identifier),
            try await insertRequest(storage, entry: doomed.identifier, requester: Sample.carol),
        ]
        let stays = try await insertRequest(storage, entry: kept.identifier)
        await expectError(.conflict) {
            try await storage.delete(doomed.identifier, expectedVersion: doomed.version + 1)
        }
        #expect(try await storage.accessRequests(AccessRequestQuery(entries: [doomed.identifier])) == gone)
        try await storage.delete(doomed.identifier, expectedVersion: doomed.version)
        for request in gone { #expect(try await storage.accessRequest(request.identifier) == nil) }
        #expect(try await storage.accessRequests(AccessRequestQuery()) == [stays])
        #expect(try await storage.accessRequests(AccessRequestQuery(requester: Sample.carol.id)) == [])
        #expect(try await storage.accessRequests(AccessRequestQuery(entries: [doomed.identifier])) == [])
    }

    /// A mark sets `needsRotation` and moves the version by one, not the revision, and makes no
    /// history version; an entry already marked, or missing, is left as it is. Marks apply after
    /// the change set's entry part.
    func rotationMarks() async throws {
        let storage = try await make()
        let plain = try await insertNew(storage) { Sample.entity($0) }
        let marked = try await insertNew(storage) { id in
            var entity = Sample.entity(id)
            entity.needsRotation = true
            return entity
        }
        let edited = try await insertNew(storage) { Sample.entity($0) }
        let missing = EntryID(rawValue: 9_999)!
        try await storage.commit(ChangeSet(rotationMarks: [plain.identifier, marked.identifier, missing]))
        var want = plain
        want.needsRotation = true
        want.version += 1
        expectSame(try await storage.entity(plain.identifier), want)
        expectSame(try await storage.entity(marked.identifier), marked, "an entry already marked is left alone")
        #expect(try await storage.entity(missing) == nil)
        #expect(try await storage.history(of: plain.identifier).isEmpty)
        // Marking again changes nothing.
        try await storage.commit(ChangeSet(rotationMarks: [plain.identifier]))
        expectSame(try await storage.entity(plain.identifier), want)
        await expectError(.conflict, "a mark moved the version") {
            try await storage.replace(plain, expectedVersion: plain.version)
        }
        // With a replace in the same change set: the mark sees the replaced entry.
        var next = edited
        next.version += 1
        next.revision += 1
        next.name = "renamed"
        next.changedFields = .name
        try await storage.commit(
            ChangeSet(
                entry: .replace(next, expectedVersion: edited.version, history: .archive(edited, depth: 10)),
                rotationMarks: [edited.identifier]))
        var both = next
        both.needsRotation = true
        both.version += 1
        expectSame(try await storage.entity(edited.identifier), both)
        let history = try await storage.history(of: edited.identifier)
        #expect(history.count == 1)
        expectSame(history.first, edited)
        // A replace that clears the mark (the password changed) is stored as it is.
        var rotated = both
        rotated.needsRotation = false
        rotated.version += 1
        rotated.revision += 1
        rotated.sealedPassword = Sample.sealed(40, seed: 200)
        try await storage.replace(rotated, expectedVersion: both.version)
        expectSame(try await storage.entity(edited.identifier), rotated)
    }

    /// A change set whose later part fails leaves none of its parts: not the entry, nor the
    /// request inserted or replaced, nor the marks, nor the records.
    func requestChangeSetAllOrNothing() async throws {
        let storage = try await make()
        let entity = try await insertNew(storage) { Sample.entity($0) }
        let other = try await insertNew(storage) { Sample.entity($0) }
        let request = try await insertRequest(storage, entry: entity.identifier)
        _ = try await Self.append(Self.sampleEvents(count: 1), to: storage)
        let head = try await storage.auditHead()
        let trail = try await storage.auditRecords(AuditQuery())
        var changed = entity
        changed.version += 1
        changed.revision += 1
        changed.name = "renamed"
        let next = Self.approved(request, by: Sample.alice)
        let moved = AuditAppend(
            after: .empty, chained: try Self.chain(Self.sampleEvents(count: 1), after: .empty).records)
        await expectError(.auditHeadMoved, "the audit head moved") {
            try await storage.commit(
                ChangeSet(
                    entry: .replace(changed, expectedVersion: entity.version, history: .archive(entity, depth: 10)),
                    audit: moved,
                    requests: [
                        .insert { id in Self.request(id, entry: other.identifier) },
                        .replace(next, expectedVersion: request.version),
                    ],
                    rotationMarks: [other.identifier]))
        }
        var stale = next
        stale.version += 1
        let audit = AuditAppend(after: head, chained: try Self.chain(Self.sampleEvents(count: 1), after: head).records)
        await expectError(.conflict, "a request conflict after the rest") {
            try await storage.commit(
                ChangeSet(
                    entry: .replace(changed, expectedVersion: entity.version, history: .archive(entity, depth: 10)),
                    audit: audit,
                    requests: [
                        .insert { id in Self.request(id, entry: other.identifier) },
                        .replace(stale, expectedVersion: next.version),
                    ],
                    rotationMarks: [other.identifier]))
        }
        await expectError(.conflict, "an insert for a missing entry after the rest") {
            try await storage.commit(
                ChangeSet(
                    entry: .replace(changed, expectedVersion: entity.version),
                    audit: audit,
                    requests: [
                        .replace(next, expectedVersion: request.version),
                        .insert { id in Self.request(id, entry: EntryID(rawValue: 9_999)!) },
                    ],
                    rotationMarks: [other.identifier]))
        }
        await expectError(.failure, "two inserts in one change set") {
            try await storage.commit(
                ChangeSet(
                    requests: [
                        .insert { id in Self.request(id, entry: other.identifier) },
                        .insert { id in Self.request(id, entry: other.identifier) },
                    ]))
        }
        expectSame(try await storage.entity(entity.identifier), entity)
        expectSame(try await storage.entity(other.identifier), other)
        #expect(try await storage.history(of: entity.identifier).isEmpty)
        #expect(try await storage.accessRequests(AccessRequestQuery()) == [request])
        #expect(try await storage.auditHead() == head)
        #expect(try await storage.auditRecords(AuditQuery()) == trail)

        // All parts at once.
        let result = try await storage.commit(
            ChangeSet(
                entry: .replace(changed, expectedVersion: entity.version, history: .archive(entity, depth: 10)),
                audit: audit,
                requests: [
                    .insert { id in Self.request(id, entry: other.identifier) },
                    .replace(next, expectedVersion: request.version),
                ],
                rotationMarks: [other.identifier]))
        let inserted = try #require(result.insertedRequest)
        #expect(inserted.identifier > request.identifier)
        #expect(result.auditHead != nil)
        expectSame(try await storage.entity(entity.identifier), changed)
        #expect(try await storage.entity(other.identifier)?.needsRotation == true)
        #expect(try await storage.accessRequests(AccessRequestQuery()) == [next, inserted])
        #expect(try await storage.auditRecords(AuditQuery()).count == trail.count + 1)
    }
}
