import Foundation
import GRDB
import PasswordVault
import StorageConformance
import Testing

@testable import PasswordVaultSQLite

@Test func adapterLinksTheEngine() {
    #expect(PasswordVaultSQLite.engineVersion == PasswordVaultInfo.version)
}

@Suite("SQLiteStorage")
struct SQLiteStorageTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    func entity(_ id: EntryID, owner: Int64 = 1, users: [String] = [], groups: [String] = []) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: "entry \(id)", username: "login", owner: UserID(rawValue: owner),
            usersAllowed: users.map { UserShare(username: $0) }, groupsAllowed: groups.map { GroupShare(name: $0) },
            createdAt: Date(), updatedAt: Date(), sealedPassword: SealedValue(bytes: [1, 2, 3]))
    }

    @Test func commitsAreDurableInWALMode() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        #expect(try await storage.writerPragma("synchronous") == "2")  // FULL
        #expect(try await storage.writerPragma("journal_mode") == "wal")
        #expect(try await storage.writerPragma("application_id") == String(Schema.applicationID))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.file("vault.db"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // The application id is in the main file itself, not only in the log.
        let header = try Data(contentsOf: URL(fileURLWithPath: folder.file("vault.db"))).prefix(100)
        #expect(header[68..<72].elementsEqual([0x50, 0x57, 0x56, 0x31]))
    }

    @Test func listingUsesTheIndexesNeverAScan() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let ids = try await storage.allocateIdentifiers(2_000)
        try await storage.insert(
            contentsOf: ids.map {
                entity($0, owner: $0.rawValue % 50, users: ["u\($0.rawValue % 30)"], groups: ["g\($0.rawValue % 20)"])
            })
        let manyGroups = Set((0..<600).map { "g\($0)" })
        let queries = [
            VisibilityQuery(owner: UserID(rawValue: 3), username: "u3", groups: []),
            VisibilityQuery(owner: UserID(rawValue: 3), username: "u3", groups: ["g1", "g2"], includeDisabled: true),
            VisibilityQuery(
                owner: UserID(rawValue: 3), username: "u3", groups: ["g1"],
                filter: ListFilter(tag: "team", name: "entry", username: "log", url: "x")),
            VisibilityQuery(owner: UserID(rawValue: 3), username: "u3", groups: manyGroups),
        ]
        for query in queries {
            let plan = try await storage.queryPlan(for: query)
            let scans = plan.filter {
                $0.hasPrefix("SCAN") && !$0.hasPrefix("SCAN visible") && !$0.contains("json_each")
            }
            #expect(scans.isEmpty, "full scans in \(plan)")
            #expect(plan.contains { $0.contains("SEARCH entry USING COVERING INDEX entry_owner") }, "\(plan)")
            #expect(plan.contains { $0.contains("SEARCH entry_user_share") }, "\(plan)")
            #expect(plan.contains { $0.contains("SEARCH entry USING INTEGER PRIMARY KEY") }, "\(plan)")
            if !query.groups.isEmpty { #expect(plan.contains { $0.contains("SEARCH entry_group_share") }, "\(plan)") }
            // The tag is looked for in each found row's own JSON array, not in a table.
            if query.filter.tag != nil {
                #expect(plan.contains { $0.contains("SCAN json_each VIRTUAL TABLE") }, "\(plan)")
            }
        }
        let many = try await storage.entities(visibleTo: queries[3])
        #expect(many.count == 2_000)
    }

    @Test func everyIndexServesAQuery() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let (tables, indexes) = try await storage.pool.read { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                try String.fetchAll(
                    db,
                    sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            )
        }
        // Listing starts from entry_owner and the share tables' primary keys; the share tables'
        // entry_id indexes serve rewriting and deleting an entry; group_member_member serves
        // groups(containing:); audit_record_entry and audit_record_actor serve an entry's and an
        // actor's audit records (SQLiteAuditTests); access_request_entry and access_request_requester
        // serve an entry's and a requester's access requests (SQLiteRequestTests). No index on the
        // filter's texts, no tag table.
        #expect(
            indexes == [
                "access_request_entry", "access_request_requester", "audit_record_actor", "audit_record_entry",
                "entry_group_share_entry", "entry_owner",
                "entry_user_share_entry", "group_member_member",
            ])
        #expect(!tables.contains("entry_tag"))
    }

    @Test func tagFilterNarrowsOnTheRowsOwnJSON() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let ids = try await storage.allocateIdentifiers(3)
        var entities = ids.map { entity($0) }
        entities[0].tags = ["a\"b\\c", "Work"]
        entities[1].tags = ["work-ish", "tab\tin"]
        entities[2].tags = []
        try await storage.insert(contentsOf: entities)
        func listed(_ tag: String) async throws -> [EntryID] {
            let query = VisibilityQuery(
                owner: UserID(rawValue: 1), username: "nobody", groups: [], filter: ListFilter(tag: tag))
            return try await storage.entities(visibleTo: query).map(\.identifier)
        }
        #expect(try await listed("A\"B\\C") == [ids[0]])
        #expect(try await listed("WORK") == [ids[0]])
        #expect(try await listed("tab\tIN") == [ids[1]])
        #expect(try await listed("work-") == [])
    }

    @Test func tagArraysRoundTripThroughTheHandWrittenReader() throws {
        let arrays: [[String]] = [
            [], [""], ["work"], ["a", "b,c", "[x]", "ünïcödé"], ["quote\"d", "back\\slash"], ["tab\there", "\u{1}"],
        ]
        for array in arrays {
            #expect(try JSONText.decodeStrings(JSONText.strings(array)) == array)
        }
        #expect(JSONText.plainStrings(#"["a","b"]"#) == ["a", "b"])
        #expect(JSONText.plainStrings(#"["a\"b"]"#) == nil)  // escapes go to JSONDecoder
        #expect(JSONText.plainStrings(#"[ "a"]"#) == nil)
        #expect(JSONText.plainStrings(#"["a",]"#) == nil)
        #expect(JSONText.plainStrings(#"["a""#) == nil)
        #expect(throws: (any Error).self) { try JSONText.decodeStrings(#"["a""#) }
    }

    @Test func tagArraysAppendedAsBytesEqualTheWrittenText() {
        for tags in [[], [""], ["work"], ["a", "é", "👍🏽"], ["a\"b\\c", "Work"], ["tab\tin"], ["x", "new\nline"]] {
            var bytes: [UInt8] = [7]
            JSONText.appendStrings(tags, to: &bytes)
            #expect(bytes == [7] + Array(JSONText.strings(tags).utf8))
        }
    }

    @Test func narrowingOnlyWhereSQLiteAgreesWithListFilter() {
        #expect(VisibilitySQL.narrows("mail.example"))
        #expect(VisibilitySQL.narrows("100%_done"))
        #expect(!VisibilitySQL.narrows(""))
        #expect(!VisibilitySQL.narrows("école"))
        #expect(!VisibilitySQL.narrows("kelvin"))
        #expect(!VisibilitySQL.narrows("a;b"))
        #expect(!VisibilitySQL.narrows("tab\there"))
        #expect(VisibilitySQL.likePattern("100%_a\\b") == "%100\\%\\_a\\\\b%")
    }

    @Test func textWithNULIsRefusedNotTruncated() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        await #expect(throws: StorageError.failure("entry 1: text with a NUL character cannot be stored in SQLite")) {
            try await storage.insert(headerGeneration: nil) { [self] id in
                var bad = entity(id)
                bad.name = "before\0after"
                return bad
            }
        }
        #expect(try await storage.entities(after: nil, limit: 10).isEmpty)
        await #expect(throws: StorageError.self) {
            try await storage.addUser(User(id: UserID(rawValue: 1), username: "a\0b"))
        }
    }

    /// The batch binds through SQLite's C API: every column round-trips (empty texts as
    /// texts, not NULL; absent sealed values as NULL; non-ASCII shares as their NFC form),
    /// and a failing row rolls the whole batch back.
    @Test func batchBindsEveryValueAndIsAllOrNothing() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let ids = try await storage.allocateIdentifiers(4)
        var entities = ids.map { entity($0, users: ["re\u{301}my"], groups: ["ops"]) }
        entities[0].name = ""
        entities[0].username = ""
        entities[0].tags = ["", "é", "a\"b"]
        entities[0].isActive = false
        entities[0].version = .max
        entities[1].url = "https://example.com/ünïcode"
        entities[1].sealedSecretKey = SealedValue(bytes: Array(repeating: 0xA5, count: 5_000))
        entities[1].sealedNotes = SealedValue(bytes: [0, 0, 0])
        entities[2].sealedPassword = SealedValue(bytes: [])
        // A duplicate in the batch: nothing of it is stored, and the statements are left usable.
        await #expect(throws: StorageError.duplicate("entry \(ids[0])")) {
            try await storage.insert(contentsOf: [entities[0], entities[1], entities[0]])
        }
        #expect(try await storage.entity(ids[0]) == nil)
        #expect(try await storage.entity(ids[1]) == nil)
        var withNUL = entities[3]
        withNUL.groupsAllowed = [GroupShare(name: "a\0b")]
        await #expect(throws: StorageError.self) { try await storage.insert(contentsOf: [entities[2], withNUL]) }
        #expect(try await storage.entity(ids[2]) == nil)

        try await storage.insert(contentsOf: entities)
        for expected in entities { #expect(try await storage.entity(expected.identifier) == expected) }
        let listed = try await storage.entities(
            visibleTo: VisibilityQuery(
                owner: UserID(rawValue: 99), username: "r\u{e9}my", groups: [], includeDisabled: true))
        #expect(Set(listed.map(\.identifier)) == Set(ids))
        let byGroup = try await storage.entities(
            visibleTo: VisibilityQuery(
                owner: UserID(rawValue: 99), username: "nobody", groups: ["ops"], includeDisabled: true))
        #expect(Set(byGroup.map(\.identifier)) == Set(ids))
    }

    @Test func twoConnectionsSeeEachOthersWritesAndShareTheCounter() async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        try await expectHandlesShareOneStore(
            try SQLiteStorage.create(at: path), try SQLiteStorage.open(at: path), writes: 100)
    }

    @Test func pagingWithTheLargestLimit() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let ids = try await storage.allocateIdentifiers(5)
        try await storage.insert(contentsOf: ids.map { entity($0) })
        let rest = try await storage.entities(after: ids[1], limit: Int.max)
        #expect(rest.map(\.identifier) == Array(ids.dropFirst(2)))
    }
}
