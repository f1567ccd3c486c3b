import Foundation
import PasswordVault
import Synchronization
import Testing

/// The audit trail (docs/contract.md §12): records append only after the stored head, in the
/// same commit as the rest of their change set, and read back exactly with every filter.
extension StorageConformanceSuite {
    /// A key for chaining sample records: the storage never sees it, and never checks MACs.
    private static let key = try! AuditKey.random()

    /// Events of every shape: both actor kinds, entries or none, outcomes, fields, justifications.
    static func sampleEvents(count: Int, start: Int64 = 1_764_620_000_000) -> [AuditEvent] {
        let actions = AuditAction.allCases
        return (0..<count).map { index in
            AuditEvent(
                time: AuditTime(rawValue: start + Int64(index) * 250),
                actor: index % 3 == 0
                    ? .vault
                    : .user(
                        id: UserID(rawValue: Int64(index % 3)),
                        username: index % 3 == 1 ? "alice" : "bøb, \"the\" second"),
                action: actions[index % actions.count],
                entry: index % 4 == 0 ? nil : EntryID(rawValue: Int64(index % 5 + 1)),
                outcome: index % 7 == 3 ? .refused(code: 1006) : .ok,
                fields: index % 2 == 0 ? [] : ["password", "notes", "a,b \"c\""],
                justification: index % 5 == 2 ? "ticket 42 — ünïcode" : nil)
        }
    }

    /// Chains `events` after `head`.
    static func chain(_ events: [AuditEvent], after head: AuditHead) throws -> (records: [AuditRecord], head: AuditHead)
    {
        try AuditChain.append(contentsOf: events, after: head, key: key)
    }

    /// Appends `events` in one commit after the stored head.
    @discardableResult
    static func append(_ events: [AuditEvent], to storage: any VaultStorage) async throws -> [AuditRecord] {
        let head = try await storage.auditHead()
        let (records, newHead) = try chain(events, after: head)
        let result = try await storage.commit(ChangeSet(audit: AuditAppend(after: head, chained: records)))
        #expect(result.auditHead == newHead)
        return records
    }

    /// An empty store's head is seq 0 with the genesis MAC; appends move it to their last
    /// record, and the records read back exactly, ascending, from any seq.
    func auditAppendsAndMovesHead() async throws {
        let storage = try await make()
        #expect(try await storage.auditHead() == .empty)
        #expect(try await storage.auditRecords(AuditQuery()).isEmpty)
        let first = try await Self.append(Array(Self.sampleEvents(count: 3)), to: storage)
        let second = try await Self.append(Array(Self.sampleEvents(count: 12).suffix(9)), to: storage)
        let all = first + second
        #expect(all.map(\.seq) == Array(1...12))
        #expect(try await storage.auditHead() == AuditHead(seq: 12, mac: all[11].mac))
        #expect(try await storage.auditRecords(AuditQuery()) == all)
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: 5)) == Array(all[4...]))
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: 13)).isEmpty)
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: 2, limit: 3)) == Array(all[1..<4]))
        #expect(try await storage.auditRecords(AuditQuery(limit: 0)).isEmpty)
        #expect(
            AuditChain.verify(
                try await storage.auditRecords(AuditQuery()), head: try await storage.auditHead(), key: Self.key)
                == .intact(records: 12))
    }

    /// An append chained after a head that is no longer the stored one is refused with
    /// `auditHeadMoved`, and so is one whose records do not continue the trail: nothing written.
    func auditHeadCompareAndSet() async throws {
        let storage = try await make()
        let records = try await Self.append(Self.sampleEvents(count: 2), to: storage)
        let head = try await storage.auditHead()
        let stale = try Self.chain(Self.sampleEvents(count: 1), after: .empty).records
        await expectError(.auditHeadMoved, "chained after the empty trail") {
            try await storage.commit(ChangeSet(audit: AuditAppend(after: .empty, chained: stale)))
        }
        let forgedHead = AuditHead(seq: head.seq, mac: AuditMAC([UInt8](repeating: 9, count: 32))!)
        let afterForged = try Self.chain(Self.sampleEvents(count: 1), after: forgedHead).records
        await expectError(.auditHeadMoved, "the right seq, another MAC") {
            try await storage.commit(ChangeSet(audit: AuditAppend(after: forgedHead, chained: afterForged)))
        }
        // Records whose seq skips one: refused, whatever the head.
        let skipping = try Self.chain(Self.sampleEvents(count: 1), after: AuditHead(seq: head.seq + 1, mac: head.mac))
            .records
        await expectError(.failure, "a gap in seq") {
            try await storage.commit(ChangeSet(audit: AuditAppend(after: head, chained: skipping)))
        }
        await expectError(.failure, "no record") {
            try await storage.commit(ChangeSet(audit: AuditAppend(after: head, chained: [])))
        }
        #expect(try await storage.auditHead() == head)
        #expect(try await storage.auditRecords(AuditQuery()) == records)
    }

    /// A change set's records commit with its entry, directory and header parts or not at all:
    /// a lost compare-and-set, a stale header, a moved head or a throwing part leaves none of it.
    func auditAtomicWithTheChange() async throws {
        let storage = try await make()
        let generation = try await storage.writeHeader([1, 2, 3], expectedGeneration: .noHeader)
        let entity = try await insertNew(storage) { Sample.entity($0) }
        let trail = try await Self.append(Self.sampleEvents(count: 1), to: storage)
        let head = try await storage.auditHead()
        func audit(_ count: Int = 1) throws -> AuditAppend {
            AuditAppend(after: head, chained: try Self.chain(Self.sampleEvents(count: count), after: head).records)
        }
        var changed = entity
        changed.version += 1
        changed.name = "renamed"
        // The entry part fails: no record.
        await expectError(.conflict) {
            try await storage.commit(
                ChangeSet(entry: .replace(changed, expectedVersion: entity.version + 5), audit: try audit()))
        }
        // The header precondition fails: neither the user nor the record.
        await expectError(.staleHeader) {
            try await storage.commit(
                ChangeSet(headerGeneration: generation.next, directory: .addUser(Sample.carol), audit: try audit()))
        }
        // The head moved: neither the entry, nor the header, nor the directory change.
        let moved = AuditAppend(
            after: .empty, chained: try Self.chain(Self.sampleEvents(count: 1), after: .empty).records)
        await expectError(.auditHeadMoved) {
            try await storage.commit(
                ChangeSet(
                    headerGeneration: generation, entry: .replace(changed, expectedVersion: entity.version),
                    directory: .addUser(Sample.carol), header: [4, 5, 6], audit: moved))
        }
        // The records closure throws: the insert before it is undone too.
        await expectError(.failure) {
            try await storage.commit(
                ChangeSet(
                    entry: .insert { id in Sample.entity(id) },
                    audit: AuditAppend(after: head) { _ throws(StorageError) in throw .failure("no record") }))
        }
        expectSame(try await storage.entity(entity.identifier), entity)
        #expect(try await storage.entities(after: nil, limit: 10).map(\.identifier) == [entity.identifier])
        #expect(try await storage.user(named: Sample.carol.username) == nil)
        #expect(try await storage.readHeader() == StoredHeader(bytes: [1, 2, 3], generation: generation))
        #expect(try await storage.auditHead() == head)
        #expect(try await storage.auditRecords(AuditQuery()) == trail)

        // All parts at once: the insert's identifier reaches the records closure.
        let result = try await storage.commit(
            ChangeSet(
                headerGeneration: generation, entry: .insert { id in Sample.entity(id) },
                directory: .addUser(Sample.carol), header: [4, 5, 6],
                audit: AuditAppend(after: head) { (inserted) throws(StorageError) in
                    var event = Self.sampleEvents(count: 1)[0]
                    event.entry = inserted
                    do { return try Self.chain([event], after: head).records } catch { throw .failure("\(error)") }
                }))
        let inserted = try #require(result.inserted)
        let records = try await storage.auditRecords(AuditQuery(fromSeq: 2))
        #expect(records.map(\.seq) == [2] && records.first?.event.entry == inserted.identifier)
        #expect(result.auditHead == AuditHead(seq: 2, mac: records[0].mac))
        #expect(try await storage.auditHead() == result.auditHead)
        #expect(try await storage.user(named: Sample.carol.username) == Sample.carol)
        #expect(try await storage.readHeader()?.bytes == [4, 5, 6])
    }

    /// Every criterion of ``AuditQuery`` selects exactly what ``AuditQuery/matches(_:)`` says,
    /// alone and combined, ascending by seq, cut at the limit.
    func auditQueriesFilter() async throws {
        let storage = try await make()
        let all = try await Self.append(Self.sampleEvents(count: 60), to: storage)
        let times = all.map(\.event.time)
        var queries: [AuditQuery] = [
            AuditQuery(entry: EntryID(rawValue: 3)), AuditQuery(entry: EntryID(rawValue: 99)),
            AuditQuery(actor: .vault), AuditQuery(actor: .user(UserID(rawValue: 1))),
            AuditQuery(actor: .user(UserID(rawValue: 2))), AuditQuery(actor: .user(UserID(rawValue: 7))),
            AuditQuery(action: .reveal), AuditQuery(action: .keyRotation),
            AuditQuery(since: times[10]), AuditQuery(before: times[10]), AuditQuery(since: times[5], before: times[9]),
            AuditQuery(fromSeq: 30, entry: EntryID(rawValue: 2), actor: .user(UserID(rawValue: 1))),
            AuditQuery(entry: EntryID(rawValue: 2), limit: 2), AuditQuery(action: .reveal, limit: 1),
            AuditQuery(since: AuditTime(rawValue: .min), before: AuditTime(rawValue: .max)),
        ]
        for action in AuditAction.allCases { queries.append(AuditQuery(action: action)) }
        for query in queries {
            let expected = Array(all.filter(query.matches).prefix(query.limit))
            #expect(try await storage.auditRecords(query) == expected, "\(query)")
        }
    }

    /// Appenders racing on one head: each that loses reads the head and chains again; the trail
    /// ends with every record once, seq without a gap, and verifies.
    func auditConcurrentAppendsSerialise() async throws {
        let storage = try await make()
        let writers = 8
        let perWriter = 5
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for step in 0..<perWriter {
                        var event = Self.sampleEvents(count: 1)[0]
                        event.fields = ["writer \(writer) step \(step)"]
                        while true {
                            let head = try await storage.auditHead()
                            let records = try Self.chain([event], after: head).records
                            do {
                                try await storage.commit(ChangeSet(audit: AuditAppend(after: head, chained: records)))
                                break
                            } catch let error as StorageError where error == .auditHeadMoved {
                                continue
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let records = try await storage.auditRecords(AuditQuery())
        #expect(records.map(\.seq) == Array(1...UInt64(writers * perWriter)))
        #expect(Set(records.flatMap(\.event.fields)).count == writers * perWriter)
        #expect(
            AuditChain.verify(records, head: try await storage.auditHead(), key: Self.key)
                == .intact(records: UInt64(writers * perWriter)))
    }

    /// The trail and its head come back after reopening, record for record.
    func auditSurvivesReopen() async throws {
        let reopen = reopenOrSame
        var storage = try await make()
        let records = try await Self.append(Self.sampleEvents(count: 25), to: storage)
        let head = try await storage.auditHead()
        storage = try await reopen(storage)
        #expect(try await storage.auditHead() == head)
        #expect(try await storage.auditRecords(AuditQuery()) == records)
        let more = try await Self.append(Self.sampleEvents(count: 2), to: storage)
        #expect(more.map(\.seq) == [26, 27])
    }
}

extension StorageConformanceSuite {
    /// Every value at the edge of its range reads back exactly, byte for byte (NFD text is not
    /// made NFC), in one commit with a write that is not an insert (the records closure gets
    /// `nil`); queries at the edges of the integer ranges neither overflow nor drop a record.
    func auditExtremeValuesRoundTrip() async throws {
        let storage = try await make()
        let events = [
            AuditEvent(time: AuditTime(rawValue: .min), actor: .vault, action: .import),
            AuditEvent(
                time: AuditTime(rawValue: .max), actor: .user(id: UserID(rawValue: .min), username: ""),
                action: .revealVersion, entry: EntryID(rawValue: .max), outcome: .refused(code: .max),
                fields: ["", "[\"x\"]", "tab\tnew\nline", "\u{1}"], justification: ""),
            AuditEvent(
                time: AuditTime(rawValue: -1), actor: .user(id: UserID(rawValue: .max), username: "zoe\u{301} ✓"),
                action: .memberRemove, entry: EntryID(rawValue: 1), outcome: .refused(code: 1),
                justification: "e\u{301}quipe \"42\", \\ — 日本"),
        ]
        let head = try await storage.auditHead()
        let (records, newHead) = try Self.chain(events, after: head)
        let seen = Mutex<[EntryID?]>([])
        let result = try await storage.commit(
            ChangeSet(
                directory: .addGroup("edge"),
                audit: AuditAppend(after: head) { inserted throws(StorageError) in
                    seen.withLock { $0.append(inserted) }
                    return records
                }))
        let received = seen.withLock { $0 }
        #expect(received.allSatisfy { $0 == nil } && !received.isEmpty, "the records closure got \(received)")
        #expect(result.auditHead == newHead)
        let read = try await storage.auditRecords(AuditQuery())
        #expect(read == records)
        for (stored, original) in zip(read, records) {
            #expect(try stored.canonicalEncoding() == original.canonicalEncoding(), "seq \(stored.seq)")
        }
        #expect(AuditChain.verify(read, head: try await storage.auditHead(), key: Self.key) == .intact(records: 3))
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: 0, limit: .max)) == records)
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: .max)).isEmpty)
        #expect(try await storage.auditRecords(AuditQuery(limit: -1)).isEmpty)
        #expect(try await storage.auditRecords(AuditQuery(since: AuditTime(rawValue: .min))) == records)
        #expect(
            try await storage.auditRecords(AuditQuery(before: AuditTime(rawValue: .max))) == [records[0], records[2]])
        #expect(try await storage.auditRecords(AuditQuery(entry: EntryID(rawValue: .max))) == [records[1]])
        #expect(try await storage.auditRecords(AuditQuery(actor: .user(UserID(rawValue: .min)))) == [records[1]])
    }
}
