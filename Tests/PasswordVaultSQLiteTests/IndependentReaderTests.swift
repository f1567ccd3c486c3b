import Foundation
import GRDB
import PasswordVaultSQLite
import StorageConformance
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// docs/format.md is complete: `Tools/independent-reader/read_vault.py`, written from that file
/// alone (Python 3 and PyNaCl), opens vaults this library made — SQLite and single-file, under
/// a passphrase or a raw key, during and after a key rotation — and recovers every field of
/// every entry exactly (docs/contract.md §16), and the audit key, with which it verifies the
/// SQLite audit trail's chain itself and finds the first broken seq (docs/contract.md §12). `make test` installs PyNaCl; without python3
/// or PyNaCl these tests fail, they never skip.
@Suite("independent reader of docs/format.md")
struct IndependentReaderTests {
    enum Container: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, file
        var testDescription: String { rawValue }
    }

    @Test func python3WithPyNaClIsInstalled() throws {
        let run = try Reader.python(["-c", "import nacl.bindings, nacl.hashlib, nacl.pwhash"])
        #expect(run.status == 0, "python3 with PyNaCl is needed (make test installs it): \(run.stderr)")
    }

    @Test(arguments: Container.allCases)
    func readerRecoversEveryFieldOfEveryEntry(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        let ids = try await fixture.addEntries()
        let output = try fixture.read(passphrase: Fixture.passphrase)

        #expect(output.container == container.rawValue)
        #expect(output.kdf == "argon2id")
        #expect(output.opslimit == KeyDerivationCost.minimum.opsLimit)
        #expect(output.memlimit == KeyDerivationCost.minimum.memLimit)
        #expect(output.dataKeyIds == [1])
        #expect(output.currentKeyId == 1)
        #expect(output.historyDepth == 10)
        #expect(output.headerVersion == 3 && output.hasAuditKey)
        #expect(output.lastIdentifier == ids.last!.rawValue)
        #expect(
            output.users == [
                .init(id: 1, username: "alice"), .init(id: 2, username: "bob"), .init(id: 7, username: "zoë"),
            ])
        #expect(output.groups == [.init(name: "Équipe ✓", members: ["zoë"])])
        try await fixture.expectEntries(output, ids: ids, keyID: 1)
        // Disabled, and updated: one change each since the create.
        #expect(output.entries.map(\.version) == [1, 1, 1, 2, 2])
        #expect(output.entries.map(\.isActive) == [true, true, true, false, true])
    }

    @Test(arguments: Container.allCases)
    func readerRecoversEveryOldVersionWithItsSecrets(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        let ids = try await fixture.addEntries()
        // After a rotation the history is resealed too: the reader opens it with the new key alone.
        try await fixture.vault.rotateDataKey()
        let run = try fixture.run(passphrase: Fixture.passphrase)
        #expect(run.status == 0, "read_vault.py failed: \(run.stderr)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let output = try decoder.decode(ReaderVersions.self, from: run.stdout)
        #expect(output.entries.map(\.identifier) == ids.map(\.rawValue))
        let updated = try #require(output.entries.last)
        #expect(updated.revision == 2 && updated.changedBy == 1 && updated.changedFields == ["password", "notes"])
        #expect(updated.password == "second password" && updated.notes == "changed notes")
        #expect(updated.history.count == 1)
        let first = try #require(updated.history.first)
        #expect(
            first.revision == 1 && first.changedBy == 1
                && first.changedFields == ["name", "username", "password", "notes"])
        #expect(first.password == "first password" && first.notes == "first notes")
        #expect(first.keyIds.password == 2)
        let disabled = output.entries[3]
        #expect(disabled.revision == 2 && disabled.changedFields == ["is_active"] && !disabled.isActive)
        #expect(disabled.history.map(\.isActive) == [true])
        #expect(output.entries[0].history.isEmpty && output.entries[0].revision == 1)
        #expect(
            output.entries[0].changedFields == [
                "name", "username", "password", "url", "secret_key", "notes", "tags", "users_allowed", "groups_allowed",
            ])
    }

    @Test(arguments: Container.allCases)
    func readerFollowsARotationAndAPassphraseChange(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        var ids = try await fixture.addEntries()
        try await fixture.vault.rotateDataKey()
        ids.append(try await fixture.addPlainEntry("after the rotation"))
        let newPassphrase = "nöuvelle phrase 🔐"
        try await fixture.vault.changeCredential(to: .passphrase(SecretBytes(utf8: newPassphrase)), cost: .minimum)

        let refused = try fixture.run(passphrase: Fixture.passphrase)
        #expect(refused.status == 1)
        #expect(refused.stderr == "read_vault: wrong passphrase or key\n")
        let output = try fixture.read(passphrase: newPassphrase)
        #expect(output.dataKeyIds == [2])
        #expect(output.currentKeyId == 2)
        try await fixture.expectEntries(output, ids: ids, keyID: 2)
        // The audit key outlived the rotation and the passphrase change: unwrapped from the new
        // header, it verifies the records chained before either.
        #expect(output.headerVersion == 3 && output.hasAuditKey)
        do {
            let audit = try #require(output.audit)
            #expect(audit.intact && audit.brokenSeq == nil)
            let actions = audit.records.map(\.action)
            #expect(
                actions.contains("key_rotation") && actions.contains("passphrase_change") && actions.first == "create")
        }
    }

    @Test(arguments: Container.allCases)
    func readerVerifiesTheAuditTrailAndReadsEveryRecord(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        let ids = try await fixture.addEntries()
        // A reveal and a refusal (bob has no access to the second entry), as well as the writes.
        _ = try await fixture.vault.reveal(ids[0], as: fixture.alice)
        let bob = User(id: UserID(rawValue: 2), username: "bob")
        do {
            _ = try await fixture.vault.reveal(ids[1], as: bob)
            Issue.record("bob revealed an entry he has no access to")
        } catch {
            #expect(error.code == 1005)
        }
        let trail = try await fixture.vault.auditRecords()
        #expect(trail.count >= 8)
        #expect(try await fixture.vault.verifyAudit() == .intact(records: UInt64(trail.count)))

        let output = try fixture.read(passphrase: Fixture.passphrase)
        #expect(output.headerVersion == 3 && output.hasAuditKey)
        let audit = try #require(output.audit)
        #expect(audit.intact && audit.brokenSeq == nil && audit.reason == nil)
        #expect(audit.headSeq == UInt64(trail.count) && audit.headMac == trail.last?.mac.hex)
        #expect(audit.records.count == trail.count)
        for (read, record) in zip(audit.records, trail) {
            #expect(read == ReaderAuditRecord(record), "seq \(record.seq)")
        }
        #expect(
            audit.records.contains { $0.action == "reveal" && $0.outcome == "ok" && $0.fields.contains("password") })
        #expect(audit.records.contains { $0.action == "reveal" && $0.outcome == "1005" && $0.actor == .user(2, "bob") })
    }

    @Test func readerNamesTheFirstBrokenSeqOfATamperedTrailAsTheVaultDoes() async throws {
        let fixture = try await Fixture(.sqlite, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        _ = try await fixture.addEntries()
        let trail = try await fixture.vault.auditRecords()
        let last = try #require(trail.last).seq
        let database = try DatabaseQueue(path: fixture.path)
        defer { try? database.close() }

        // One record edited (its fields), its MAC left as it was.
        let fields = try await database.write { db in
            let old = try String.fetchOne(db, sql: "SELECT fields FROM audit_record WHERE seq = 3")
            try db.execute(sql: #"UPDATE audit_record SET fields = '["name"]' WHERE seq = 3"#)
            return old
        }
        var output = try fixture.read(passphrase: Fixture.passphrase)
        #expect(output.audit?.intact == false && output.audit?.brokenSeq == 3)
        #expect(output.audit?.reason == "its MAC does not match")
        #expect(try await fixture.vault.verifyAudit() == .broken(seq: 3, reason: .macMismatch))

        // Put back, then the tail cut off behind the head.
        try await database.write { db in
            try db.execute(sql: "UPDATE audit_record SET fields = ? WHERE seq = 3", arguments: [fields])
            try db.execute(sql: "DELETE FROM audit_record WHERE seq = ?", arguments: [Int64(last)])
        }
        output = try fixture.read(passphrase: Fixture.passphrase)
        #expect(output.audit?.intact == false && output.audit?.brokenSeq == last)
        #expect(output.audit?.reason == "the trail ends before its head")
        #expect(try await fixture.vault.verifyAudit() == .broken(seq: last, reason: .truncated))

        // Two records swapped (seq renumbered): the first of them is out of place.
        try await database.write { db in
            try db.execute(sql: "UPDATE audit_record SET seq = 1000000 WHERE seq = 2")
            try db.execute(sql: "UPDATE audit_record SET seq = 2 WHERE seq = 4")
            try db.execute(sql: "UPDATE audit_record SET seq = 4 WHERE seq = 1000000")
        }
        output = try fixture.read(passphrase: Fixture.passphrase)
        #expect(output.audit?.intact == false && output.audit?.brokenSeq == 2)
        #expect(try await fixture.vault.verifyAudit() == .broken(seq: 2, reason: .macMismatch))
    }

    @Test(arguments: Container.allCases)
    func readerOpensAVaultHalfwayThroughARotation(_ container: Container) async throws {
        var fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        var ids = try await fixture.addEntries()
        // Step 1 of a rotation, as a crash after it leaves the vault: two data keys, 2 current.
        let header = try await fixture.header()
        let ring = try KeyRing.unlock(header: header, credential: fixture.credential)
        let (_, rotating) = try ring.beginRotation()
        try await fixture.replaceHeader(header, with: rotating)
        try await fixture.reopen()
        let late = try await fixture.addPlainEntry("sealed under key 2")
        ids.append(late)

        let output = try fixture.read(passphrase: Fixture.passphrase)
        #expect(output.dataKeyIds == [1, 2])
        #expect(output.currentKeyId == 2)
        let keys = Dictionary(uniqueKeysWithValues: output.entries.map { ($0.identifier, $0.keyIds.all) })
        #expect(keys[late.rawValue] == [2])
        #expect(ids.dropLast().allSatisfy { keys[$0.rawValue] == [1] })
        try await fixture.expectEntries(output, ids: ids, keyID: nil)
    }

    @Test(arguments: Container.allCases)
    func readerOpensARawKeyVault(_ container: Container) async throws {
        let key = try SecretBytes.random(count: 32)
        let fixture = try await Fixture(container, credential: .rawKey(key))
        let ids = try await fixture.addEntries()
        let keyFile = fixture.folder.file("raw.key")
        try key.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: keyFile)) }

        let run = try Reader.run(fixture.path, ["--raw-key-file", keyFile])
        #expect(run.status == 0, "\(run.stderr)")
        let output = try Reader.decode(run)
        #expect(output.kdf == "raw-key")
        #expect(output.opslimit == 0 && output.memlimit == 0)
        try await fixture.expectEntries(output, ids: ids, keyID: 1)

        let wrong = fixture.folder.file("wrong.key")
        try Data(repeating: 7, count: 32).write(to: URL(fileURLWithPath: wrong))
        let refused = try Reader.run(fixture.path, ["--raw-key-file", wrong])
        #expect(refused.status == 1)
        #expect(refused.stderr == "read_vault: wrong passphrase or key\n")
    }

    /// docs/contract.md §13: the policies, the rotation mark, shares without reveal and the
    /// access requests with every field, as stored.
    @Test(arguments: Container.allCases)
    func readerRecoversPoliciesAndAccessRequests(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        let ids = try await fixture.addEntries()
        var rich = try await fixture.storedEntry(ids[0])
        rich.usersAllowed = rich.usersAllowed.map {
            UserShare(username: $0.username, canEdit: $0.canEdit, canReveal: false)
        }
        rich.needJustify = true
        rich.needApproval = 2
        rich.needsRotation = true
        try await fixture.replaceEntry(rich)
        let requests = try await fixture.addRequests(on: ids)
        let output = try fixture.read(passphrase: Fixture.passphrase)
        try await fixture.expectEntries(output, ids: ids, keyID: 1)
        let first = try #require(output.entries.first)
        #expect(first.usersAllowed.map(\.canReveal) == [false] && first.groupsAllowed.map(\.canReveal) == [true])
        #expect(first.needJustify && first.needApproval == 2 && first.needsRotation)
        #expect(output.entries.dropFirst().allSatisfy { !$0.needJustify && $0.needApproval == 0 && !$0.needsRotation })
        #expect(output.accessRequests == requests.map(ReaderRequest.init))
        #expect(output.lastRequestIdentifier == requests.last.map(\.identifier.rawValue))
    }

    @Test(arguments: Container.allCases)
    func readerRefusesASealedValueMovedToAnotherEntry(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        let first = try await fixture.addPlainEntry("one")
        let second = try await fixture.addPlainEntry("two")
        var moved = try await fixture.storedEntry(second)
        moved.sealedPassword = try await fixture.storedEntry(first).sealedPassword
        try await fixture.replaceEntry(moved)

        let run = try fixture.run(passphrase: Fixture.passphrase)
        #expect(run.status == 1)
        #expect(
            run.stderr == "read_vault: entry 2, field password: the sealed value belongs to another entry or field\n")
    }

    @Test(arguments: Container.allCases)
    func readerChecksTheHeaderChecksumAndMAC(_ container: Container) async throws {
        let fixture = try await Fixture(container, credential: .passphrase(SecretBytes(utf8: Fixture.passphrase)))
        _ = try await fixture.addPlainEntry("one")
        let header = try await fixture.header()

        // One bit of the MAC flipped, the checksum left as it was.
        var flipped = header
        flipped[flipped.count - 40] ^= 1
        try await fixture.replaceHeader(header, with: flipped)
        let torn = try fixture.run(passphrase: Fixture.passphrase)
        #expect(torn.status == 1)
        #expect(torn.stderr == "read_vault: header checksum mismatch\n")

        // The same flip with the checksum recomputed: only the MAC can tell.
        var forged = flipped
        forged.replaceSubrange((forged.count - 32)..., with: try Sodium.blake2b(forged.dropLast(32)))
        try await fixture.replaceHeader(flipped, with: forged)
        let tampered = try fixture.run(passphrase: Fixture.passphrase)
        #expect(tampered.status == 1)
        #expect(tampered.stderr == "read_vault: header authentication failed (MAC)\n")
    }
}

// MARK: - A vault with known entries

/// A vault with known users, groups and entries, in a temporary folder.
private struct Fixture {
    static let passphrase = "corrèct horse ✓ battery"
    /// A time with a fraction, to show that dates are read back bit for bit.
    static let now = Date(timeIntervalSinceReferenceDate: 786_543_210.123_456_7)

    let container: IndependentReaderTests.Container
    let credential: VaultCredential
    let folder: TemporaryFolder
    let path: String
    let storage: any VaultStorage
    var vault: Vault
    let alice = User(id: UserID(rawValue: 1), username: "alice")

    /// What each entry made by ``addEntries()`` holds in secret, by name.
    static let secrets: [String: (password: String, notes: String?, secretKey: ReaderSecretKey?)] = [
        "Café ☕ 日本": (
            "pässwörd ✓ 🔑 \u{202F}end ", "line one\nline two — e\u{301}\ttab ✓",
            ReaderSecretKey(
                algorithm: "sha256", digits: 8, period: 60, t0: 0, seedBase32: "JBSWY3DPEHPK3PXP",
                uri: "otpauth://totp/Ex%C3%A4mple%20Co:alice%40example.com?secret=JBSWY3DPEHPK3PXP"
                    + "&issuer=Ex%C3%A4mple%20Co&algorithm=SHA256&digits=8&period=60&image=https%3A%2F%2Fexample.com%2Fa.png"
            )
        ),
        "no notes": ("plain-password", nil, nil),
        "bare seed": (
            "x", "n",
            ReaderSecretKey(
                algorithm: "sha1", digits: 6, period: 30, t0: 0, seedBase32: "3DPEHPK3PXPGHODADA", uri: nil)
        ),
        "disabled then": ("old", nil, nil),
        "updated": ("second password", "changed notes", nil),
    ]

    init(_ container: IndependentReaderTests.Container, credential: VaultCredential) async throws {
        self.container = container
        self.credential = credential
        folder = try TemporaryFolder(prefix: "pwvault-reader")
        switch container {
        case .sqlite:
            path = folder.file("vault.db")
            storage = try SQLiteStorage.create(at: path)
        case .file:
            path = folder.file("vault.pwvault")
            storage = try FileStorage.create(at: path)
        }
        try await Self.addDirectory(to: storage)
        vault = try await Vault.create(
            storage: storage, credential: credential, cost: .minimum, clock: .fixed(Self.now))
    }

    // The storage protocol, reached only here.

    /// alice (1), zoë (7), bob (2); the group "Équipe ✓" = {zoë}.
    private static func addDirectory(to storage: any VaultStorage) async throws {
        try await storage.addUser(User(id: UserID(rawValue: 1), username: "alice"))
        try await storage.addUser(User(id: UserID(rawValue: 7), username: "zoë"))
        try await storage.addUser(User(id: UserID(rawValue: 2), username: "bob"))
        try await storage.addGroup(named: "Équipe ✓")
        try await storage.setMembership(group: "Équipe ✓", username: "zoë", isMember: true)
    }

    func storedEntry(_ id: EntryID) async throws -> PasswordEntity { try #require(try await storage.entity(id)) }

    func header() async throws -> [UInt8] { try #require(try await storage.readHeader()).bytes }

    /// Writes header bytes as they are (a key change's step, or a forgery), if `old` is the stored header.
    func replaceHeader(_ old: [UInt8], with new: [UInt8]) async throws {
        let stored = try #require(try await storage.readHeader())
        try #require(stored.bytes == old)
        try await storage.writeHeader(new, expectedGeneration: stored.generation)
    }

    /// Stores an entry's row as it is, sealed values included.
    func replaceEntry(_ entity: PasswordEntity) async throws {
        try await storage.replace(entity, expectedVersion: entity.version)
    }

    /// Three access requests, through the storage: one pending, one approved (with its grant's
    /// dates), one denied; returns them as stored.
    func addRequests(on ids: [EntryID]) async throws -> [AccessRequest] {
        var stored: [AccessRequest] = []
        for (index, entry) in [ids[0], ids[1], ids[0]].enumerated() {
            let result = try await storage.commit(
                ChangeSet(requests: [
                    .insert { id in
                        AccessRequest(
                            identifier: id, entry: entry, requester: UserID(rawValue: 2), requesterName: "bob",
                            justification: index == 0 ? "incident «7» ✓" : "", minutes: 60 * (index + 1),
                            createdAt: Self.now)
                    }
                ]))
            stored.append(try #require(result.insertedRequest))
        }
        var approved = stored[1]
        approved.storedState = .approved
        approved.approvals = [UserID(rawValue: 1), UserID(rawValue: 7)]
        approved.decidedAt = Self.now.addingTimeInterval(1.5)
        approved.expiresAt = Self.now.addingTimeInterval(7_201.5)
        approved.version = 2
        var denied = stored[2]
        denied.storedState = .denied
        denied.deniedBy = UserID(rawValue: 1)
        denied.decidedAt = Self.now.addingTimeInterval(3)
        denied.version = 2
        try await storage.commit(
            ChangeSet(requests: [.replace(approved, expectedVersion: 1), .replace(denied, expectedVersion: 1)]))
        return [stored[0], approved, denied]
    }

    mutating func reopen() async throws {
        vault = try await Vault.open(storage: storage, credential: credential, clock: .fixed(Self.now))
    }

    /// The entries of ``secrets``, in a known order; returns their identifiers.
    func addEntries() async throws -> [EntryID] {
        var rich = PasswordRequest(
            name: "Café ☕ 日本", username: "zoë@example.com", password: "pässwörd ✓ 🔑 \u{202F}end ")
        rich.url = "https://例え.jp/login?q=ü"
        rich.tags = .value(["ünï", "b", "e\u{301}"])
        rich.notes = "line one\nline two — e\u{301}\ttab ✓"
        // A key URI with a label, an issuer, non-default parameters and one the library does not
        // interpret: layout 2 keeps them all (docs/format.md §5).
        rich.secretKey = .value(
            "otpauth://totp/Exämple%20Co:alice@example.com?secret=JBSWY3DPEHPK3PXP&algorithm=sha256&digits=8"
                + "&period=60&issuer=Ex%C3%A4mple%20Co&image=https%3A%2F%2Fexample.com%2Fa.png")
        rich.usersAllowed = .value([ShareRequest(name: "bob", canEdit: true)])
        rich.groupsAllowed = .value([ShareRequest(name: "Équipe ✓")])
        var ids = [try await vault.create(rich, as: alice).entity.identifier]
        ids.append(try await addPlainEntry("no notes", password: "plain-password"))

        var bare = PasswordRequest(name: "bare seed", username: "u", password: "x")
        bare.secretKey = "3dpe hpk3 pxpg-hoda da"
        bare.notes = "n"
        ids.append(try await vault.create(bare, as: alice).entity.identifier)

        let disabled = try await addPlainEntry("disabled then", password: "old")
        _ = try await vault.disable(disabled, as: alice)
        ids.append(disabled)

        var first = PasswordRequest(name: "updated", username: "u", password: "first password")
        first.notes = "first notes"
        let updated = try await vault.create(first, as: alice).entity.identifier
        var change = PasswordRequest()
        change.password = "second password"
        change.notes = "changed notes"
        _ = try await vault.update(updated, change, as: alice)
        ids.append(updated)
        return ids
    }

    func addPlainEntry(_ name: String, password: String = "plain-password") async throws -> EntryID {
        try await vault.create(
            PasswordRequest(name: .value(name), username: "u", password: .value(password)), as: alice
        )
        .entity.identifier
    }

    func run(passphrase: String) throws -> Reader.Run {
        let file = folder.file("passphrase")
        try Data((passphrase + "\n").utf8).write(to: URL(fileURLWithPath: file))
        return try Reader.run(path, ["--passphrase-file", file])
    }

    func read(passphrase: String) throws -> ReaderOutput {
        let run = try run(passphrase: passphrase)
        #expect(run.status == 0, "read_vault.py failed: \(run.stderr)")
        return try Reader.decode(run)
    }

    /// Every entry of `ids` as the reader printed it, field for field and byte for byte, against
    /// what the vault says (metadata) and what was stored (secrets); `keyID`, when given, sealed every value.
    func expectEntries(_ output: ReaderOutput, ids: [EntryID], keyID: UInt32?) async throws {
        #expect(output.entries.map(\.identifier) == ids.map(\.rawValue))
        for (id, actual) in zip(ids, output.entries) {
            // Straight from storage and the key ring: a disabled entry refuses reveals (1007).
            let entity = try await storedEntry(id)
            let ring = vault.ring
            let password = try #require(try ring.open(entity.sealedPassword, entry: id, field: .password).revealUTF8())
            let notes = try entity.sealedNotes.map {
                try #require(try ring.open($0, entry: id, field: .notes).revealUTF8())
            }
            let totp = try entity.sealedSecretKey.map {
                try #require(SecretKeyCoding.decode(try ring.open($0, entry: id, field: .secretKey)))
            }
            let secretKey = totp.map { key in
                ReaderSecretKey(
                    algorithm: key.totp.algorithm.rawValue.lowercased(), digits: key.totp.digits,
                    period: key.totp.period, t0: key.totp.t0, seedBase32: Base32.encode(key.totp.secret),
                    uri: key.uri?.uriString)
            }
            if let known = Self.secrets[entity.name] {
                #expect(Array(password.utf8) == Array(known.password.utf8))
                #expect(notes.map { Array($0.utf8) } == known.notes.map { Array($0.utf8) })
                #expect(secretKey == known.secretKey)
            }
            let expected = ReaderEntry(
                identifier: id.rawValue, name: entity.name, username: entity.username, url: entity.url,
                tags: entity.tags, owner: entity.owner.rawValue,
                usersAllowed: entity.usersAllowed.map {
                    .init(username: $0.username, canEdit: $0.canEdit, canReveal: $0.canReveal)
                },
                groupsAllowed: entity.groupsAllowed.map {
                    .init(name: $0.name, canEdit: $0.canEdit, canReveal: $0.canReveal)
                },
                isActive: entity.isActive, createdAt: entity.createdAt.timeIntervalSinceReferenceDate,
                updatedAt: entity.updatedAt.timeIntervalSinceReferenceDate, version: entity.version,
                needJustify: entity.needJustify, needApproval: entity.needApproval,
                needsRotation: entity.needsRotation, password: password, notes: notes, secretKey: secretKey,
                keyIds: keyID.map { key in
                    ReaderKeyIDs(password: key, notes: notes.map { _ in key }, secretKey: totp.map { _ in key })
                } ?? actual.keyIds)
            // Compared as JSON bytes: String's == would call NFC and NFD text equal.
            #expect(try Reader.json(actual) == Reader.json(expected), "entry \(id)")
        }
        let byName = Dictionary(uniqueKeysWithValues: output.entries.map { ($0.name, $0) })
        if let rich = byName["Café ☕ 日本"] {
            #expect(rich.tags == ["ünï", "b", "e\u{301}"] && rich.tags[2].unicodeScalars.count == 2)
            #expect(rich.usersAllowed.map { [$0.username: $0.canEdit] } == [["bob": true]])
            #expect(rich.groupsAllowed == [.init(name: "Équipe ✓", canEdit: false)])
            #expect(rich.createdAt == Self.now.timeIntervalSinceReferenceDate)
        }
        #expect(byName["disabled then"].map { !$0.isActive } ?? true)
    }
}

// MARK: - Running the reader

private enum Reader {
    struct Run {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    /// `Tools/independent-reader/read_vault.py` in this repository.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tools/independent-reader/read_vault.py").path
    }

    static func run(_ vault: String, _ arguments: [String]) throws -> Run {
        try python([script, vault] + arguments)
    }

    /// Runs `python3` from the PATH.
    static func python(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: out, stderr: String(decoding: err, as: UTF8.self))
    }

    static func decode(_ run: Run) throws -> ReaderOutput {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReaderOutput.self, from: run.stdout)
    }

    static func json(_ entry: ReaderEntry) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(entry)
    }
}

/// What read_vault.py prints.
private struct ReaderOutput: Decodable {
    struct User: Decodable, Equatable {
        var id: Int64
        var username: String
    }
    struct Group: Decodable, Equatable {
        var name: String
        var members: [String]
    }
    var container: String
    var kdf: String
    var opslimit: UInt64
    var memlimit: UInt64
    var dataKeyIds: [UInt32]
    var currentKeyId: UInt32
    var historyDepth: Int
    var headerVersion: Int
    var hasAuditKey: Bool
    /// The audit trail as read and verified (SQLite migration v4, single-file format 4).
    var audit: ReaderAudit?
    var lastIdentifier: Int64
    var users: [User]
    var groups: [Group]
    var entries: [ReaderEntry]
    /// The access requests and their counter (SQLite migration v5, single-file format 5).
    var lastRequestIdentifier: Int64?
    var accessRequests: [ReaderRequest]?
}

/// The audit trail read_vault.py read and verified itself (docs/format.md §6, §8).
private struct ReaderAudit: Decodable {
    var headSeq: UInt64
    var headMac: String
    var intact: Bool
    var brokenSeq: UInt64?
    var reason: String?
    var records: [ReaderAuditRecord]
}

private struct ReaderAuditRecord: Decodable, Equatable {
    enum Actor: Decodable, Equatable {
        case vault
        case user(Int64, String)

        private struct User: Decodable {
            var id: Int64
            var username: String
        }

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self), text == "vault" {
                self = .vault
            } else {
                let user = try User(from: decoder)
                self = .user(user.id, user.username)
            }
        }
    }
    var seq: UInt64
    var time: Int64
    var actor: Actor
    var action: String
    var entry: Int64?
    var outcome: String
    var fields: [String]
    var justification: String?
    var mac: String
}

extension ReaderAuditRecord {
    /// What the reader must print for `record`.
    init(_ record: AuditRecord) {
        let event = record.event
        let actor: Actor =
            switch event.actor {
            case .vault: .vault
            case .user(let id, let username): .user(id.rawValue, username)
            }
        self.init(
            seq: record.seq, time: event.time.rawValue, actor: actor, action: event.action.rawValue,
            entry: event.entry?.rawValue, outcome: event.outcome.text, fields: event.fields,
            justification: event.justification, mac: record.mac.hex)
    }
}

private struct ReaderEntry: Codable, Equatable {
    struct UserShare: Codable, Equatable {
        var username: String
        var canEdit: Bool
        var canReveal: Bool = true
    }
    struct GroupShare: Codable, Equatable {
        var name: String
        var canEdit: Bool
        var canReveal: Bool = true
    }
    var identifier: Int64
    var name: String
    var username: String
    var url: String
    var tags: [String]
    var owner: Int64
    var usersAllowed: [UserShare]
    var groupsAllowed: [GroupShare]
    var isActive: Bool
    var createdAt: Double
    var updatedAt: Double
    var version: UInt64
    var needJustify: Bool
    var needApproval: Int
    var needsRotation: Bool
    var password: String
    var notes: String?
    var secretKey: ReaderSecretKey?
    var keyIds: ReaderKeyIDs
}

/// An access request as read_vault.py prints it (docs/format.md §6, §7).
private struct ReaderRequest: Decodable, Equatable {
    var identifier: Int64
    var entry: Int64
    var requester: Int64
    var requesterName: String
    var justification: String
    var minutes: Int
    var state: String
    var approvals: [Int64]
    var deniedBy: Int64?
    var createdAt: Double
    var decidedAt: Double?
    var expiresAt: Double?
    var version: UInt64
}

extension ReaderRequest {
    /// What the reader must print for `request`.
    init(_ request: AccessRequest) {
        self.init(
            identifier: request.identifier.rawValue, entry: request.entry.rawValue,
            requester: request.requester.rawValue, requesterName: request.requesterName,
            justification: request.justification, minutes: request.minutes, state: request.storedState.rawValue,
            approvals: request.approvals.map(\.rawValue), deniedBy: request.deniedBy?.rawValue,
            createdAt: request.createdAt.timeIntervalSinceReferenceDate,
            decidedAt: request.decidedAt?.timeIntervalSinceReferenceDate,
            expiresAt: request.expiresAt?.timeIntervalSinceReferenceDate, version: request.version)
    }
}

/// What read_vault.py prints of each entry's versions (docs/format.md §6, §7).
private struct ReaderVersions: Decodable {
    struct Version: Decodable {
        var identifier: Int64
        var revision: UInt64
        var changedBy: Int64
        var changedFields: [String]
        var isActive: Bool
        var password: String
        var notes: String?
        var keyIds: ReaderKeyIDs
        var history: [Version]
    }
    var entries: [Version]
}

/// The data key id of each sealed value present.
private struct ReaderKeyIDs: Codable, Equatable {
    var password: UInt32
    var notes: UInt32?
    var secretKey: UInt32?

    var all: Set<UInt32> { Set([password] + [notes, secretKey].compactMap { $0 }) }
}

private struct ReaderSecretKey: Codable, Equatable {
    var algorithm: String
    var digits: Int
    var period: Int
    var t0: Int64
    var seedBase32: String
    /// The key URI of layout 2, as GET one shows it; `nil` for layout 1.
    var uri: String?
}
