import Foundation
import GRDB
import PasswordVault
import StorageConformance
import Testing

@testable import PasswordVaultSQLite

/// The audit trail in SQLite (docs/contract.md §12, docs/format.md §6: schema migration v4):
/// records round-trip exactly, a damaged row is refused naming its seq, queries come from the
/// indexes, and vaults of every earlier schema migrate to an empty trail.
@Suite("SQLiteStorage audit trail")
struct SQLiteAuditTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    static let key = try! AuditKey.random()

    /// Chains `events` after the stored head and commits them in one change set.
    @discardableResult
    static func append(_ events: [AuditEvent], to storage: SQLiteStorage) async throws -> [AuditRecord] {
        let head = try await storage.auditHead()
        let (records, last) = try AuditChain.append(contentsOf: events, after: head, key: key)
        let result = try await storage.commit(ChangeSet(audit: AuditAppend(after: head, chained: records)))
        #expect(result.auditHead == last)
        return records
    }

    static func event(
        _ index: Int, actor: AuditActor = .vault, action: AuditAction = .reveal, entry: EntryID? = nil,
        outcome: AuditOutcome = .ok, fields: [String] = [], justification: String? = nil
    ) -> AuditEvent {
        AuditEvent(
            time: AuditTime(rawValue: 1_764_650_000_000 + Int64(index)), actor: actor, action: action, entry: entry,
            outcome: outcome, fields: fields, justification: justification)
    }

    /// Runs `sql` on the file through a connection of its own, CHECK constraints off: what an
    /// attacker (or a broken disk) with access to the file can do.
    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: sql)
        }
    }

    // MARK: Round trip

    @Test func everyKindOfFieldRoundTripsExactly() async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        let storage = try SQLiteStorage.create(at: path)
        // NFD text: Swift's == would call it equal to its NFC form, so the bytes are compared too.
        let username = "zoe\u{301} 日本 ✓"
        let justification = "ticket \"42\", per e\u{301}quipe\nsecond line — ünï"
        let events = [
            Self.event(0),
            Self.event(
                1, actor: .user(id: UserID(rawValue: 7), username: username), action: .update,
                entry: EntryID(rawValue: 312), fields: ["password", "notes", "a,b", "quote\"d", "back\\slash", "[x]"]),
            Self.event(
                2, actor: .user(id: UserID(rawValue: -3), username: ""), action: .revealVersion,
                entry: EntryID(rawValue: .max), outcome: .refused(code: 1006), justification: justification),
            Self.event(3, action: .keyRotation, outcome: .refused(code: 65535), fields: [""], justification: ""),
            AuditEvent(time: AuditTime(rawValue: .min), actor: .vault, action: .import),
            AuditEvent(
                time: AuditTime(rawValue: .max), actor: .vault, action: .export, fields: ["tab\there", "\u{1}"]),
        ]
        var written = try await Self.append(events, to: storage)
        for action in AuditAction.allCases {
            written.append(contentsOf: try await Self.append([Self.event(9, action: action)], to: storage))
        }
        let head = try await storage.auditHead()
        let read = try await storage.auditRecords(AuditQuery())
        #expect(read == written)
        #expect(read.map(\.event.action) == events.map(\.action) + AuditAction.allCases)
        for (stored, original) in zip(read, written) {
            #expect(try stored.canonicalEncoding() == original.canonicalEncoding(), "seq \(stored.seq)")
        }
        #expect(AuditChain.verify(read, head: head, key: Self.key) == .intact(records: UInt64(written.count)))
        // A fresh open reads the same.
        let reopened = try SQLiteStorage.open(at: path)
        #expect(try await reopened.auditRecords(AuditQuery()) == written)
        #expect(try await reopened.auditHead() == head)
    }

    @Test func textWithNULAndACodeOfZeroAreRefusedAndNothingIsWritten() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let kept = try await Self.append([Self.event(0)], to: storage)
        let head = try await storage.auditHead()
        let refused: [(AuditEvent, String)] = [
            (
                Self.event(1, fields: ["pass\0word"]),
                "audit record 2: text with a NUL character cannot be stored in SQLite"
            ),
            (
                Self.event(1, actor: .user(id: UserID(rawValue: 1), username: "a\0b")),
                "audit record 2: text with a NUL character cannot be stored in SQLite"
            ),
            (
                Self.event(1, justification: "why\0"),
                "audit record 2: text with a NUL character cannot be stored in SQLite"
            ),
            (Self.event(1, outcome: .refused(code: 0)), "audit record 2: a refusal without a code"),
        ]
        for (event, message) in refused {
            let (record, _) = try AuditChain.append(event, after: head, key: Self.key)
            await #expect(throws: StorageError.failure(message)) {
                try await storage.commit(
                    ChangeSet(
                        entry: .insert { id in SQLiteBadFileTests.sample(id) },
                        audit: AuditAppend(after: head, chained: [record])))
            }
        }
        #expect(try await storage.auditHead() == head)
        #expect(try await storage.auditRecords(AuditQuery()) == kept)
        #expect(try await storage.entities(after: nil, limit: 10).isEmpty)
    }

    // MARK: Damage

    @Test(arguments: [
        ("UPDATE audit_record SET mac = x'0011' WHERE seq = 2", "its MAC"),
        ("UPDATE audit_record SET mac = 'a text of thirty-two characters!' WHERE seq = 2", "its MAC"),
        ("UPDATE audit_record SET action = 'teleport' WHERE seq = 2", "its action"),
        ("UPDATE audit_record SET outcome = 70000 WHERE seq = 2", "its outcome"),
        ("UPDATE audit_record SET outcome = -1 WHERE seq = 2", "its outcome"),
        ("UPDATE audit_record SET outcome = 'ok' WHERE seq = 2", "its outcome"),
        ("UPDATE audit_record SET actor_id = NULL WHERE seq = 2", "its actor"),
        ("UPDATE audit_record SET actor_username = NULL WHERE seq = 2", "its actor"),
        ("UPDATE audit_record SET time = 'noon' WHERE seq = 2", "its time"),
        ("UPDATE audit_record SET entry = 0 WHERE seq = 2", "its entry"),
        ("UPDATE audit_record SET fields = 'password' WHERE seq = 2", "its fields"),
        ("UPDATE audit_record SET fields = '[1]' WHERE seq = 2", "its fields"),
        ("UPDATE audit_record SET justification = x'00' WHERE seq = 2", "its justification"),
    ])
    func aDamagedRowIsRefusedNamingItsSeqNeverAValue(_ sql: String, _ what: String) async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        let storage = try SQLiteStorage.create(at: path)
        let records = try await Self.append(
            (0..<3).map {
                Self.event(
                    $0, actor: .user(id: UserID(rawValue: 5), username: "secretive"), entry: EntryID(rawValue: 9),
                    fields: ["password"])
            }, to: storage)
        try tamper(path, sql)
        await #expect(throws: StorageError.corrupted("audit record 2 cannot be read: \(what)")) {
            try await storage.auditRecords(AuditQuery())
        }
        // The records before it, and after it, still read on their own.
        #expect(try await storage.auditRecords(AuditQuery(limit: 1)) == [records[0]])
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: 3)) == [records[2]])
    }

    @Test(arguments: [
        "DELETE FROM audit_head", "UPDATE audit_head SET mac = x'00'", "UPDATE audit_head SET seq = -1",
        "UPDATE audit_head SET seq = 'one'",
    ])
    func aDamagedHeadIsRefused(_ sql: String) async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        let storage = try SQLiteStorage.create(at: path)
        try await Self.append([Self.event(0)], to: storage)
        try tamper(path, sql)
        let message = sql.hasPrefix("DELETE") ? "missing" : "damaged"
        await #expect(throws: StorageError.corrupted("the audit trail's head is \(message)")) {
            try await storage.auditHead()
        }
        // A commit with records is refused too, and writes nothing.
        let (record, _) = try AuditChain.append(Self.event(1), after: .empty, key: Self.key)
        await #expect(throws: StorageError.corrupted("the audit trail's head is \(message)")) {
            try await storage.commit(
                ChangeSet(directory: .addGroup("team"), audit: AuditAppend(after: .empty, chained: [record])))
        }
        #expect(try await storage.group(named: "team") == nil)
    }

    // MARK: Queries

    @Test func queriesAtTheEdgesOfTheIntegerRanges() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let records = try await Self.append((0..<5).map { Self.event($0) }, to: storage)
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: 0, limit: .max)) == records)
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: UInt64(Int64.max))).isEmpty)
        #expect(try await storage.auditRecords(AuditQuery(fromSeq: .max)).isEmpty)
        #expect(try await storage.auditRecords(AuditQuery(limit: -1)).isEmpty)
        #expect(try await storage.auditRecords(AuditQuery(limit: .min)).isEmpty)
        #expect(
            try await storage.auditRecords(
                AuditQuery(since: AuditTime(rawValue: .min), before: AuditTime(rawValue: .max), limit: .max)) == records
        )
        #expect(try await storage.auditRecords(AuditQuery(before: AuditTime(rawValue: .min))).isEmpty)
    }

    @Test func anEntrysAndAnActorsRecordsComeFromAnIndexNeverAScan() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        try await Self.append(
            (0..<2_000).map {
                Self.event(
                    $0, actor: $0 % 4 == 0 ? .vault : .user(id: UserID(rawValue: Int64($0 % 40)), username: "u"),
                    entry: $0 % 3 == 0 ? nil : EntryID(rawValue: Int64($0 % 100 + 1)))
            }, to: storage)
        let cases: [(AuditQuery, String)] = [
            (
                AuditQuery(entry: EntryID(rawValue: 7)),
                "SEARCH audit_record USING INDEX audit_record_entry (entry=? AND seq>?)"
            ),
            (
                AuditQuery(fromSeq: 500, entry: EntryID(rawValue: 7), since: AuditTime(rawValue: 0), limit: 10),
                "SEARCH audit_record USING INDEX audit_record_entry (entry=? AND seq>?)"
            ),
            (
                AuditQuery(actor: .user(UserID(rawValue: 3))),
                "SEARCH audit_record USING INDEX audit_record_actor (actor_id=? AND seq>?)"
            ),
            (AuditQuery(actor: .vault), "SEARCH audit_record USING INDEX audit_record_actor (actor_id=? AND seq>?)"),
            (AuditQuery(fromSeq: 1_990), "SEARCH audit_record USING INTEGER PRIMARY KEY (rowid>?)"),
            (
                AuditQuery(action: .reveal, before: AuditTime(rawValue: .max)),
                "SEARCH audit_record USING INTEGER PRIMARY KEY (rowid>?)"
            ),
        ]
        for (query, step) in cases {
            let plan = try await storage.auditQueryPlan(for: query)
            #expect(plan == [step], "\(query)")
            // Served in seq order by the index itself: no sort.
            #expect(!plan.contains { $0.contains("TEMP B-TREE") || $0.hasPrefix("SCAN") }, "\(plan)")
        }
        let expected: Int = (0..<2_000).filter { (index: Int) -> Bool in index % 3 != 0 && index % 100 == 6 }.count
        let found = try await storage.auditRecords(AuditQuery(entry: EntryID(rawValue: 7)))
        #expect(found.count == expected)
    }

    // MARK: Migration

    /// A vault file of an earlier schema (migrations up to `last`), in WAL mode as every vault is,
    /// with a header and an entry.
    func makeOldVault(_ path: String, upTo last: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try Schema.migrator.migrate(queue, upTo: last)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO vault_header (id, bytes) VALUES (1, x'010203')")
            try db.execute(sql: "UPDATE identifier_counter SET last_value = 1")
            try db.execute(
                sql: """
                    INSERT INTO entry (id, name, username, url, tags, owner, users_allowed, groups_allowed, is_active,
                        created_at, updated_at, version, sealed_password)
                    VALUES (1, 'old', 'u', '', '[]', 1, '[]', '[]', 1, 0, 0, 1, x'01')
                    """)
        }
        try queue.close()
    }

    @Test(arguments: ["v1", "v2", "v3"])
    func aVaultOfAnEarlierSchemaMigratesToAnEmptyTrail(_ last: String) async throws {
        defer { folder.remove() }
        let path = folder.file("old.db")
        try makeOldVault(path, upTo: last)
        let storage = try SQLiteStorage.open(at: path)
        #expect(try await storage.auditHead() == .empty)
        #expect(try await storage.auditHead().mac.bytes == [UInt8](repeating: 0, count: 32))
        #expect(try await storage.auditRecords(AuditQuery()).isEmpty)
        #expect(try await storage.entity(EntryID(rawValue: 1)!)?.name == "old")
        let applied = try await storage.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["v1", "v2", "v3", "v4", "v5"])
        // The trail starts at seq 1, chained after the genesis MAC, in the same commit as a write.
        let (record, head) = try AuditChain.append(Self.event(0, action: .keyRotation), after: .empty, key: Self.key)
        let result = try await storage.commit(
            ChangeSet(
                headerGeneration: HeaderGeneration(rawValue: 1), header: [4, 5, 6],
                audit: AuditAppend(after: .empty, chained: [record])))
        #expect(result.auditHead == head && result.headerGeneration == HeaderGeneration(rawValue: 2))
        #expect(try await SQLiteStorage.open(at: path).auditRecords(AuditQuery()) == [record])
    }

    @Test func aNewerSchemaIsStillRefusedAndLeftUntouched() async throws {
        defer { folder.remove() }
        let path = folder.file("newer.db")
        do {
            let storage = try SQLiteStorage.create(at: path)
            try await storage.writeHeader([1], expectedGeneration: .noHeader)
        }
        try tamper(path, "INSERT INTO grdb_migrations (identifier) VALUES ('v6')")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(
            throws: StorageError.failure(
                "the vault was written by a newer PasswordVault (schema migration v6); upgrade first")
        ) { try SQLiteStorage.open(at: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}
