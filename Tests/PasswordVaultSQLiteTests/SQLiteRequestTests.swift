import Foundation
import GRDB
import PasswordVault
import StorageConformance
import Testing

@testable import PasswordVaultSQLite

/// Access policies in SQLite (docs/contract.md §13, docs/format.md §6: schema migration v5): the
/// new columns and their defaults for rows written before v5, `canReveal` in the shares' JSON only
/// where it is false, requests read from their indexes, damaged rows refused.
@Suite("SQLiteStorage access policies")
struct SQLiteRequestTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    func entity(_ id: EntryID, users: [UserShare] = [], groups: [GroupShare] = []) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: "entry \(id)", username: "login", owner: UserID(rawValue: 1), usersAllowed: users,
            groupsAllowed: groups, createdAt: Date(timeIntervalSinceReferenceDate: 1),
            updatedAt: Date(timeIntervalSinceReferenceDate: 2), sealedPassword: SealedValue(bytes: [1, 2, 3]))
    }

    func request(_ id: AccessRequestID, entry: EntryID, requester: Int64 = 2) -> AccessRequest {
        AccessRequest(
            identifier: id, entry: entry, requester: UserID(rawValue: requester), requesterName: "user\(requester)",
            justification: "why", minutes: 30, createdAt: Date(timeIntervalSinceReferenceDate: 3))
    }

    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    @Test func sharesCarryCanRevealOnlyWhereItIsFalse() throws {
        let shares = [
            UserShare(username: "bob", canEdit: true), UserShare(username: "carol", canReveal: false),
            UserShare(username: "dave", canEdit: true, canReveal: false),
        ]
        let text = JSONText.userShares(shares)
        #expect(
            text
                == #"[{"username":"bob","canEdit":true},{"username":"carol","canEdit":false,"canReveal":false},"#
                + #"{"username":"dave","canEdit":true,"canReveal":false}]"#)
        #expect(try JSONText.decodeShares(text) == shares)
        let groups = [GroupShare(name: "ops"), GroupShare(name: "dev", canEdit: true, canReveal: false)]
        let groupText = JSONText.groupShares(groups)
        #expect(groupText == #"[{"name":"ops","canEdit":false},{"name":"dev","canEdit":true,"canReveal":false}]"#)
        #expect(try JSONText.decodeShares(groupText) == groups)
        // A share written before v5 (no key) reveals.
        #expect(
            try JSONText.decodeShares(#"[{"username":"bob","canEdit":false}]"#)
                == [UserShare(username: "bob", canEdit: false, canReveal: true)])
    }

    /// A vault of schema v4 with one entry (version 2) and its version 1 in history, both shared.
    func makeV4Vault(_ path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try Schema.migrator.migrate(queue, upTo: "v4")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO vault_header (id, bytes) VALUES (1, x'010203')")
            try db.execute(sql: "UPDATE identifier_counter SET last_value = 1")
            for table in ["entry", "entry_history"] {
                try db.execute(
                    sql: """
                        INSERT INTO \(table) (id, name, username, url, tags, owner, users_allowed, groups_allowed,
                            is_active, created_at, updated_at, version, sealed_password, revision, changed_by,
                            changed_fields)
                        VALUES (1, 'old', 'u', '', '[]', 1, '[{"username":"bob","canEdit":true}]',
                            '[{"name":"ops","canEdit":false}]', 1, 0, 0, ?, x'01', ?, 1, 0)
                        """, arguments: table == "entry" ? [2, 2] : [1, 1])
            }
        }
        try queue.close()
    }

    /// A v4 vault's rows (entry and history) read as having no policy, no rotation mark and shares
    /// that reveal; the migration, at the first read, adds the columns and the request tables.
    @Test func aV4VaultReadsWithoutPoliciesAfterItsMigration() async throws {
        defer { folder.remove() }
        let path = folder.file("v4.db")
        try makeV4Vault(path)
        let storage = try SQLiteStorage.open(at: path)
        let id = EntryID(rawValue: 1)!
        let current = try #require(try await storage.entity(id))
        let history = try await storage.history(of: id)
        #expect(history.count == 1)
        for version in [current] + history {
            #expect(version.usersAllowed == [UserShare(username: "bob", canEdit: true, canReveal: true)])
            #expect(version.groupsAllowed == [GroupShare(name: "ops", canEdit: false, canReveal: true)])
            #expect(!version.needJustify && version.needApproval == 0 && !version.needsRotation)
        }
        #expect(try await storage.accessRequests(AccessRequestQuery()).isEmpty)
        let result = try await storage.commit(ChangeSet(requests: [.insert { self.request($0, entry: id) }]))
        #expect(result.insertedRequest?.identifier.rawValue == 1)
        let applied = try await storage.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["v1", "v2", "v3", "v4", "v5"])
    }

    /// An entry's, or a requester's, requests are searched in their index, never scanned.
    @Test func requestQueriesAreServedByTheirIndexes() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let ids = try await storage.allocateIdentifiers(50)
        try await storage.insert(contentsOf: ids.map { entity($0) })
        for (index, id) in ids.enumerated() {
            try await storage.commit(
                ChangeSet(requests: [.insert { self.request($0, entry: id, requester: Int64(index % 7)) }]))
        }
        let queries: [(AccessRequestQuery, String)] = [
            (AccessRequestQuery(entries: [ids[3]]), "access_request_entry"),
            (AccessRequestQuery(entries: Set(ids.prefix(5))), "access_request_entry"),
            (AccessRequestQuery(entries: [ids[3]], storedStates: [.pending]), "access_request_entry"),
            (AccessRequestQuery(requester: UserID(rawValue: 3)), "access_request_requester"),
            (AccessRequestQuery(requester: UserID(rawValue: 3), storedStates: [.pending]), "access_request_requester"),
        ]
        for (query, index) in queries {
            let plan = try await storage.accessRequestQueryPlan(for: query)
            #expect(plan.contains { $0.contains("SEARCH access_request USING INDEX \(index)") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN access_request") }, "\(plan)")
        }
        #expect(try await storage.accessRequests(AccessRequestQuery(requester: UserID(rawValue: 3))).count == 7)
        #expect(
            try await storage.accessRequests(AccessRequestQuery(entries: Set(ids.prefix(5)))).map(\.entry)
                == Array(ids.prefix(5)))
    }

    /// What a column cannot hold is refused before anything is written: a NUL in a request's
    /// text, a need_approval outside 0–5.
    @Test func unstorableValuesAreRefusedWritingNothing() async throws {
        defer { folder.remove() }
        let storage = try SQLiteStorage.create(at: folder.file("vault.db"))
        let entry = try await storage.insert(headerGeneration: nil) { self.entity($0) }
        await #expect(throws: StorageError.self) {
            try await storage.commit(
                ChangeSet(requests: [
                    .insert { id in
                        var request = self.request(id, entry: entry.identifier)
                        request.justification = "a\u{0}b"
                        return request
                    }
                ]))
        }
        var tooMany = entry
        tooMany.needApproval = 6
        tooMany.version += 1
        await #expect(throws: StorageError.self) {
            try await storage.replace(tooMany, expectedVersion: entry.version)
        }
        #expect(try await storage.entity(entry.identifier) == entry)
        #expect(try await storage.accessRequests(AccessRequestQuery()).isEmpty)
        // The counter was not moved by the refused insert.
        let result = try await storage.commit(
            ChangeSet(requests: [.insert { self.request($0, entry: entry.identifier) }]))
        #expect(result.insertedRequest?.identifier.rawValue == 1)
    }

    /// A damaged row is refused naming the request, never trapping.
    @Test func aDamagedRequestRowIsCorrupted() async throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        do {
            let storage = try SQLiteStorage.create(at: path)
            let entry = try await storage.insert(headerGeneration: nil) { self.entity($0) }
            try await storage.commit(ChangeSet(requests: [.insert { self.request($0, entry: entry.identifier) }]))
        }
        for (sql, words) in [
            ("UPDATE access_request SET state = 'lost'", "access request 1 cannot be read: its state"),
            ("UPDATE access_request SET approvals = '[1,'", "access request 1 cannot be read: its approvals"),
            ("UPDATE access_request SET entry = 0", "access request 1 cannot be read: its entry"),
            ("UPDATE entry SET need_approval = 9", "entry 1 cannot be read"),
        ] {
            try tamper(path, "UPDATE access_request SET state = 'pending', approvals = '[]', entry = 1")
            try tamper(path, "UPDATE entry SET need_approval = 0")
            try tamper(path, sql)
            let storage = try SQLiteStorage.open(at: path)
            do {
                _ = try await storage.accessRequests(AccessRequestQuery())
                _ = try await storage.entity(EntryID(rawValue: 1)!)
                Issue.record("\(sql) was read")
            } catch {
                guard case .corrupted(let why) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(why.contains(words), "\(why)")
            }
        }
    }
}
