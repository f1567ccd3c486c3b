import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// The vault's audit trail (docs/contract.md §12): one record per engine call, refusals
/// included, committed with the write or before the secret leaves; read, filtered, verified.
@Suite("Audit trail")
struct AuditTrailTests {
    static let ms = Int64(VaultFixture.now.timeIntervalSince1970 * 1000)

    /// A record's content in one comparable line: `actor action entry outcome [fields]`.
    static func line(_ record: AuditRecord) -> String {
        let event = record.event
        let actor =
            switch event.actor {
            case .vault: "vault"
            case .user(let id, let name): "\(name)#\(id)"
            }
        return "\(record.seq) \(actor) \(event.action.rawValue) \(event.entry.map { "\($0)" } ?? "-") "
            + "\(event.outcome.text) [\(event.fields.joined(separator: ","))]"
    }

    static func lines(_ vault: Vault, from seq: UInt64 = 1) async throws -> [String] {
        try await vault.auditRecords(AuditQuery(fromSeq: seq)).map(line)
    }

    @Test func everyCallAndEveryRefusalIsOneRecordWithExactFields() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let e = "\(id)"
        _ = try await f.vault.revealPassword(id, as: f.erin)
        _ = try await f.vault.revealNotes(id, as: f.erin)
        _ = try await f.vault.revealSecretKeyText(id, as: f.bob)
        _ = try await f.vault.code(id, as: f.frank)
        _ = try await f.vault.reveal(id, as: f.alice)
        await #expect(throws: VaultError.notFound) { try await f.vault.revealPassword(id, as: f.mallory) }
        await #expect(throws: VaultError.accessDenied) {
            try await f.vault.update(id, PasswordRequest(name: "x"), as: f.erin)
        }
        _ = try await f.vault.update(id, PasswordRequest(password: "second", notes: .value("n2")), as: f.bob)
        _ = try await f.vault.update(id, PasswordRequest(password: "second"), as: f.bob)  // no change
        // Field rules (1001, 1002) and lists are not recorded.
        await #expect(throws: VaultError.notInformed(field: "name")) {
            try await f.vault.update(id, PasswordRequest(name: " "), as: f.bob)
        }
        _ = try await f.vault.list(as: f.alice)
        _ = try await f.vault.entity(id, as: f.alice)
        try await f.vault.disable(id, as: f.alice)
        try await f.vault.disable(id, as: f.alice)  // already disabled
        await #expect(throws: VaultError.disabled) { try await f.vault.reveal(id, as: f.bob) }
        await #expect(throws: VaultError.disabled) { try await f.vault.code(id, as: f.bob) }
        try await f.vault.enable(id, as: f.carol)
        _ = try await f.vault.history(id, as: f.carol)
        await #expect(throws: VaultError.accessDenied) { try await f.vault.history(id, as: f.erin) }
        _ = try await f.vault.revealVersion(id, version: 1, as: f.alice)
        await #expect(throws: VaultError.versionNotFound) { try await f.vault.revealVersion(id, version: 9, as: f.bob) }
        _ = try await f.vault.restore(id, version: 1, as: f.bob)
        await #expect(throws: VaultError.accessDenied) { try await f.vault.delete(id, as: f.bob) }
        try await f.vault.delete(id, as: f.alice)
        await #expect(throws: VaultError.notFound) { try await f.vault.reveal(id, as: f.alice) }

        #expect(
            try await Self.lines(f.vault) == [
                "1 alice#1 create \(e) ok [name,username,password,url,secret_key,notes,tags,users_allowed,groups_allowed]",
                "2 erin#5 reveal \(e) ok [password]",
                "3 erin#5 reveal \(e) ok [notes]",
                "4 bob#2 reveal \(e) ok [secret_key]",
                "5 frank#6 code \(e) ok []",
                "6 alice#1 reveal \(e) ok [password,notes,secret_key]",
                "7 mallory#9 reveal \(e) 1005 []",
                "8 erin#5 update \(e) 1006 []",
                "9 bob#2 update \(e) ok [password,notes]",
                "10 bob#2 update \(e) ok []",
                "11 alice#1 disable \(e) ok [is_active]",
                "12 alice#1 disable \(e) ok []",
                "13 bob#2 reveal \(e) 1007 []",
                "14 bob#2 code \(e) 1007 []",
                "15 carol#3 enable \(e) ok [is_active]",
                "16 carol#3 history \(e) ok []",
                "17 erin#5 history \(e) 1006 []",
                "18 alice#1 reveal_version \(e) ok [password,notes,secret_key]",
                "19 bob#2 reveal_version \(e) 1011 []",
                "20 bob#2 restore \(e) ok [password,notes]",
                "21 bob#2 delete \(e) 1006 []",
                "22 alice#1 delete \(e) ok []",
                "23 alice#1 reveal \(e) 1005 []",
            ])
        let records = try await f.vault.auditRecords()
        #expect(records.allSatisfy { $0.event.time == AuditTime(rawValue: Self.ms) && $0.event.justification == nil })
        #expect(try await f.vault.verifyAudit() == .intact(records: 23))
    }

    /// The benchmarks' filler (`@_spi(Benchmarks)`): the events land in order, after the trail,
    /// chained under the vault's own audit key (the whole trail still verifies).
    @Test func appendedEventsAreChainedUnderTheVaultsKey() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let before = UInt64(try await f.vault.auditRecords().count)
        let actor = AuditActor.user(id: f.alice.id, username: f.alice.username)
        let events = (0..<3).map { n in
            AuditEvent(
                time: AuditTime(rawValue: Self.ms + Int64(n)), actor: actor, action: .reveal, entry: id,
                fields: ["password"])
        }
        try await f.vault.appendAuditEvents(events)
        let appended = try await f.vault.auditRecords(AuditQuery(fromSeq: before + 1))
        #expect(appended.map(\.seq) == [before + 1, before + 2, before + 3])
        #expect(appended.map(\.event) == events)
        #expect(try await f.vault.verifyAudit() == .intact(records: before + 3))
    }

    @Test func theAdministratorsCallsAreRecordedAsTheVault() async throws {
        let storage = InMemoryStorage()
        let vault = try await Vault.create(
            storage: storage, credential: .rawKey(try .random(count: 32)), clock: FixedClock(VaultFixture.now))
        let alice = try await vault.addUser(named: "alice")
        try await vault.addUser(named: "bob")
        try await vault.addGroup(named: "ops", members: ["alice"])
        try await vault.addMember("bob", to: "ops")
        try await vault.removeMember("alice", from: "ops")
        // Refused by the directory's rules: not a catalogue refusal, not recorded.
        await #expect(throws: DirectoryError.usernameTaken("bob")) { try await vault.addUser(named: "bob") }
        try await vault.changeCredential(to: .rawKey(try .random(count: 32)))
        _ = try await vault.create(PasswordRequest(name: "n", username: "u", password: "p"), as: alice)
        try await vault.rotateDataKey()
        try await vault.setHistoryDepth(3)
        #expect(
            try await Self.lines(vault) == [
                "1 vault user_add - ok [alice]",
                "2 vault user_add - ok [bob]",
                "3 vault group_add - ok [ops,alice]",
                "4 vault member_add - ok [ops,bob]",
                "5 vault member_remove - ok [ops,alice]",
                "6 vault passphrase_change - ok []",
                "7 alice#1 create 1 ok [name,username,password]",
                "8 vault key_rotation - ok []",
                "9 vault update - ok [history_depth]",
            ])
        #expect(try await vault.verifyAudit() == .intact(records: 9))
        // The audit key survived the credential change and the rotation: a vault opened with the
        // new header verifies the whole trail.
        let header = try #require(try await storage.readHeader())
        #expect(header.bytes[4] == 3)
    }

    /// A write and its record are one commit: when the record cannot be written, neither is
    /// the write; a reveal whose record cannot be written returns nothing.
    @Test func aStorageThatRefusesTheRecordFailsTheCallAndKeepsNothing() async throws {
        let storage = FaultInjectingStorage()
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try .random(count: 32)))
        let id = try await vault.create(PasswordRequest(name: "n", username: "u", password: "secret-1"), as: alice)
            .entity.identifier
        storage.update { $0.failAuditAppends = true }
        do {
            let leaked = try await vault.revealPassword(id, as: alice)
            Issue.record("the reveal returned \(leaked.count) bytes without its record")
        } catch {
            #expect(error.code == 500 && error.message == "Unexpected error.")
        }
        await #expect(throws: VaultError.self) { try await vault.reveal(id, as: alice) }
        await #expect(throws: VaultError.self) { try await vault.code(id, as: alice) }
        await #expect(throws: VaultError.self) {
            try await vault.create(PasswordRequest(name: "m", username: "u", password: "p"), as: alice)
        }
        await #expect(throws: VaultError.self) {
            try await vault.update(id, PasswordRequest(password: "secret-2"), as: alice)
        }
        await #expect(throws: VaultError.self) { try await vault.delete(id, as: alice) }
        // A refusal whose record cannot be written is unexpected too: nothing goes unrecorded.
        await #expect(throws: VaultError.unexpected(cause: StorageError.failure("injected audit failure"))) {
            try await vault.revealPassword(EntryID(rawValue: 99)!, as: alice)
        }
        storage.update { $0.failAuditAppends = false }
        #expect(try await storage.entities(after: nil, limit: 10).map(\.identifier) == [id])
        #expect(try await vault.revealPassword(id, as: alice) == SecretBytes(utf8: "secret-1"))
        #expect(
            try await Self.lines(vault) == [
                "1 alice#1 create \(id) ok [name,username,password]", "2 alice#1 reveal \(id) ok [password]",
            ])
    }

    /// Concurrent reveals share commits and each waits for its own record: every one is on
    /// the trail, seq without a gap, and the chain verifies.
    @Test func concurrentRevealsAreEachRecordedOnce() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let users = [f.alice, f.bob, f.carol, f.dave, f.erin, f.frank]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<20 {
                for user in users {
                    group.addTask {
                        if round == 0 {
                            _ = try await f.vault.reveal(id, as: user)
                        } else {
                            _ = try await f.vault.revealPassword(id, as: user)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let records = try await f.vault.auditRecords()
        #expect(records.count == 1 + 20 * users.count)
        #expect(records.map(\.seq) == Array(1...UInt64(records.count)))
        for user in users {
            #expect(
                records.filter { $0.event.action == .reveal && AuditActorMatch.user(user.id).matches($0.event.actor) }
                    .count == 20)
        }
        #expect(try await f.vault.verifyAudit() == .intact(records: UInt64(records.count)))
    }

    @Test func theAdministratorFiltersAndTheOwnerReadsItsEntrysRecords() async throws {
        let clock = SteppingClock(VaultFixture.now)
        let f = try await VaultFixture(clock: clock)
        let first = try await f.createShared()
        clock.advance(by: 10)
        let second = try await f.vault.create(PasswordRequest(name: "b", username: "u", password: "p"), as: f.bob)
            .entity.identifier
        clock.advance(by: 10)
        _ = try await f.vault.revealPassword(first, as: f.bob)
        _ = try await f.vault.revealPassword(second, as: f.bob)
        await #expect(throws: VaultError.notFound) { try await f.vault.revealPassword(second, as: f.alice) }

        func seqs(_ query: AuditQuery) async throws -> [UInt64] { try await f.vault.auditRecords(query).map(\.seq) }
        #expect(try await seqs(AuditQuery(entry: first)) == [1, 3])
        #expect(try await seqs(AuditQuery(actor: .user(f.bob.id))) == [2, 3, 4])
        #expect(try await seqs(AuditQuery(action: .reveal)) == [3, 4, 5])
        #expect(try await seqs(AuditQuery(since: AuditTime(VaultFixture.now + 20))) == [3, 4, 5])
        #expect(try await seqs(AuditQuery(before: AuditTime(VaultFixture.now + 10))) == [1])
        #expect(try await seqs(AuditQuery(fromSeq: 4)) == [4, 5])
        #expect(try await seqs(AuditQuery(limit: 2)) == [1, 2])

        #expect(try await f.vault.entryAudit(first, as: f.alice).map(\.seq) == [1, 3])
        #expect(try await f.vault.entryAudit(second, as: f.bob).map(\.seq) == [2, 4, 5])
        #expect(try await f.vault.entryAudit(second, as: f.bob, AuditQuery(actor: .user(f.alice.id))).map(\.seq) == [5])
        await #expect(throws: VaultError.accessDenied) { try await f.vault.entryAudit(first, as: f.bob) }
        await #expect(throws: VaultError.accessDenied) { try await f.vault.entryAudit(first, as: f.erin) }
        await #expect(throws: VaultError.notFound) { try await f.vault.entryAudit(first, as: f.mallory) }
        await #expect(throws: VaultError.notFound) { try await f.vault.entryAudit(EntryID(rawValue: 77)!, as: f.alice) }
    }

    /// No record holds a secret or a code: canaries in every secret field never appear in any
    /// record's export line or canonical encoding.
    @Test func noRecordHoldsASecretOrACode() async throws {
        let f = try await VaultFixture()
        let password = "CANARY-PASSWORD-7f3a"
        let notes = "CANARY-NOTES-19bc"
        let seed = "JBSWY3DPEHPK3PXPCANARYSEED"
        let created = try await f.vault.create(
            PasswordRequest(
                name: "n", username: "u", password: .init(stringLiteral: password),
                secretKey: .init(stringLiteral: seed), notes: .value(notes)),
            as: f.alice)
        let id = created.entity.identifier
        let revealed = try await f.vault.reveal(id, as: f.alice)
        let code = try #require(revealed.code)
        _ = try await f.vault.code(id, as: f.alice)
        _ = try await f.vault.update(
            id, PasswordRequest(password: "CANARY-SECOND-PASSWORD", notes: .value("CANARY-SECOND-NOTES")), as: f.alice)
        _ = try await f.vault.revealVersion(id, version: 1, as: f.alice)
        _ = try await f.vault.restore(id, version: 1, as: f.alice)
        let records = try await f.vault.auditRecords()
        #expect(records.count == 6)
        for record in records {
            let text = try record.jsonLine() + String(decoding: try record.canonicalEncoding(), as: UTF8.self)
            for canary in [password, notes, seed, "CANARY", code] {
                #expect(!text.contains(canary), "record \(record.seq)")
            }
        }
    }

    /// A header older than the trail (format 2) opens without a write; the first audited call
    /// adds the audit key to the header, and the trail starts with the upgrade's record.
    @Test func aVaultOlderThanTheTrailGainsItsAuditKeyAtItsFirstRecordedCall() async throws {
        let v3 = Fixture.header
        var v2 = Array(v3.prefix(46 + 76))  // everything up to the depth byte included
        v2[4] = 2
        v2 += try Sodium.blake2b(v2[...], key: VaultHeader.macKey(of: Fixture.ring.keyEncryptionKey))
        v2 += try Sodium.blake2b(v2[...])
        let storage = InMemoryStorage()
        let generation = try await storage.writeHeader(v2, expectedGeneration: .noHeader)
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.open(
            storage: storage, directory: directory, credential: .passphrase(Fixture.passphrase),
            clock: FixedClock(VaultFixture.now))
        #expect(vault.ring.auditKey == nil)
        #expect(try await storage.readHeader() == StoredHeader(bytes: v2, generation: generation))
        #expect(try await vault.verifyAudit() == .intact(records: 0))
        let id = try await vault.create(PasswordRequest(name: "n", username: "u", password: "p"), as: alice)
            .entity.identifier
        let header = try #require(try await storage.readHeader())
        #expect(header.generation == generation.next && header.bytes.count == 182 + 76 && header.bytes[4] == 3)
        #expect(
            try await Self.lines(vault) == [
                "1 vault key_rotation - ok [audit_key]", "2 alice#1 create \(id) ok [name,username,password]",
            ])
        // Another process opening the upgraded vault verifies the same trail with the key it unwraps.
        let reopened = try await Vault.open(
            storage: storage, directory: directory, credential: .passphrase(Fixture.passphrase))
        #expect(try await reopened.verifyAudit() == .intact(records: 2))
    }

    /// An export read back verifies against the vault's key; an edited line breaks it at its seq.
    @Test func anExportVerifiesAgainstTheVaultsKeyAndAnEditBreaksIt() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        for user in [f.alice, f.bob, f.erin] { _ = try await f.vault.revealPassword(id, as: user) }
        let lines = try await f.vault.auditRecords().map { try $0.jsonLine() }
        let read = try lines.enumerated().map { try AuditRecord(jsonLine: $1, number: $0 + 1) }
        #expect(try await f.vault.verifyAuditExport(read) == .intact(records: 4))
        var edited = lines
        edited[2] = edited[2].replacingOccurrences(of: "\"bob\"", with: "\"eve\"")
        let forged = try edited.enumerated().map { try AuditRecord(jsonLine: $1, number: $0 + 1) }
        #expect(try await f.vault.verifyAuditExport(forged) == .broken(seq: 3, reason: .macMismatch))
        let other = try await VaultFixture()
        #expect(try await other.vault.verifyAuditExport(read) == .broken(seq: 1, reason: .macMismatch))
    }
}
