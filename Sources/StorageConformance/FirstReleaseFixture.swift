import Foundation
import PasswordVault
import Testing

/// The vaults the first release (commit 1cc8194) wrote, checked in under
/// `Tests/pwvaultTests/Fixtures/first-release/` (its README.md says how they were made, with what
/// values), and what this release must find in them once upgraded (issue 13; docs/contract.md
/// §7, §11). Tests open a copy, never the checked-in file: the upgrade writes to it.
public enum FirstReleaseFixture: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// Made by the first release's `pwvault` (SQLite, schema migration v1 only, header format 1).
    case sqlite = "first-release.db"
    /// Made by the first release's library with `FileStorage` (file format 1, header format 1).
    case file = "first-release.pwvault"

    /// The passphrase both were made under (Argon2id at the minimum cost).
    public static let passphrase = "first-release-fixture"
    /// The TOTP seed of entry 1, in base32.
    public static let secretKey = "JBSWY3DPEHPK3PXP"
    /// A fixed time and the RFC 6238 code of ``secretKey`` at it (SHA-1, 6 digits, 30 s; also
    /// what the first release's `pwvault totp 1 --time 1795364400` printed).
    public static let codeTime: Int64 = 1_795_364_400
    /// The code at ``codeTime``.
    public static let codeAtTime = "139491"

    /// The folder of the checked-in fixtures.
    public static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/pwvaultTests/Fixtures/first-release")
    }

    /// The checked-in file (read it; never open it as a vault).
    public var checkedInPath: String { Self.folder.appendingPathComponent(rawValue).path }

    /// Copies the fixture into `folder` and returns the copy's path.
    public func copy(into folder: TemporaryFolder) throws -> String {
        let path = folder.file(rawValue)
        try FileManager.default.copyItem(atPath: checkedInPath, toPath: path)
        return path
    }

    /// The credential that opens it.
    public static var credential: VaultCredential { .passphrase(SecretBytes(Array(passphrase.utf8))) }

    /// A description for test names.
    public var testDescription: String { self == .sqlite ? "SQLite" : "single file" }

    // MARK: - What the fixture holds

    /// alice (1), bob (2), carol (3).
    public static let users = [
        User(id: UserID(rawValue: 1), username: "alice"), User(id: UserID(rawValue: 2), username: "bob"),
        User(id: UserID(rawValue: 3), username: "carol"),
    ]
    /// The group `ops`, with bob.
    public static let groups = [Group(name: "ops", members: ["bob"])]

    /// One entry as the first release stored it.
    public struct Entry: Sendable {
        /// Its identifier.
        public var id: EntryID
        /// The metadata, secrets aside (`PasswordEntity/sealedPassword` and the other sealed
        /// values are not compared).
        public var name: String, username: String, url: String, tags: [String]
        /// Owner and shares.
        public var owner: User, users: [UserShare], groups: [GroupShare]
        /// Whether it is active.
        public var isActive: Bool
        /// Its version when the first release wrote it: its one version in this release.
        public var version: UInt64
        /// The secrets.
        public var password: String, notes: String?, secretKey: String?
        /// Its timestamps.
        public var createdAt: Date, updatedAt: Date
    }

    /// The three entries, ascending by identifier, with this fixture's timestamps.
    public var entries: [Entry] {
        let (alice, bob, carol) = (Self.users[0], Self.users[1], Self.users[2])
        // SQLite: the times the first release's `pwvault` ran (seconds since 2001, as stored);
        // the single file: the fixed clocks of make-file-vault.swift.
        let times: [(Double, Double)] =
            switch self {
            case .sqlite:
                [
                    (817_877_840.724_279_76, 817_877_840.724_279_76),
                    (817_877_840.829_964_88, 817_877_841.044_214_01),
                    (817_877_840.929_102_18, 817_877_841.138_121_25),
                ]
            case .file: [(817_057_200, 817_057_200), (817_057_200, 817_057_260), (817_057_200, 817_057_320)]
            }
        let dates = times.map {
            (Date(timeIntervalSinceReferenceDate: $0.0), Date(timeIntervalSinceReferenceDate: $0.1))
        }
        return [
            Entry(
                id: EntryID(rawValue: 1)!, name: "mail", username: "alice@example.com", url: "https://mail.example.com",
                tags: ["work", "email"], owner: alice, users: [UserShare(username: "bob", canEdit: false)],
                groups: [GroupShare(name: "ops", canEdit: true)], isActive: true, version: 1,
                password: "alice-mail-pw-1", notes: "recovery codes: 1111 2222", secretKey: Self.secretKey,
                createdAt: dates[0].0, updatedAt: dates[0].1),
            Entry(
                id: EntryID(rawValue: 2)!, name: "server", username: "root", url: "ssh://server.example.com", tags: [],
                owner: bob, users: [UserShare(username: "carol", canEdit: false)], groups: [], isActive: true,
                version: 2, password: "bob-server-pw-2", notes: "rotated once", secretKey: nil,
                createdAt: dates[1].0, updatedAt: dates[1].1),
            Entry(
                id: EntryID(rawValue: 3)!, name: "old wiki", username: "carol", url: "", tags: ["legacy"], owner: carol,
                users: [], groups: [], isActive: false, version: 2, password: "carol-wiki-pw-1", notes: nil,
                secretKey: nil, createdAt: dates[2].0, updatedAt: dates[2].1),
        ]
    }

    /// What each user lists (identifier and role), without and with the disabled entries.
    public static let listed: [(user: String, active: [(Int64, Role)], all: [(Int64, Role)])] = [
        ("alice", [(1, .owner)], [(1, .owner)]),
        // bob views entry 1 himself and edits it through ops: the higher role wins.
        ("bob", [(1, .editor), (2, .owner)], [(1, .editor), (2, .owner)]),
        ("carol", [(2, .viewer)], [(2, .viewer), (3, .owner)]),
    ]

    // MARK: - Checks through the library

    /// Checks everything an upgraded vault must show: the directory, the history depth of a
    /// header without one, each user's list, each entry's metadata and secrets, the code at a
    /// fixed time, and a history of exactly one version per entry (docs/contract.md §11: an entry
    /// written before history existed keeps its version number as its first version).
    public func checkContents(of vault: Vault, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        // The records of an earlier check (a second open of the same copy) come first.
        let earlier = try await vault.auditRecords().count
        #expect(try await vault.users() == Self.users, sourceLocation: sourceLocation)
        #expect(try await vault.groups() == Self.groups, sourceLocation: sourceLocation)
        #expect(vault.historyDepth == Vault.defaultHistoryDepth, sourceLocation: sourceLocation)
        for (name, active, all) in Self.listed {
            let user = try #require(try await vault.user(named: name), sourceLocation: sourceLocation)
            let listed = try await vault.list(as: user).map { ($0.entity.identifier.rawValue, $0.role) }
            #expect(listed.map(\.0) == active.map(\.0), "\(name)", sourceLocation: sourceLocation)
            #expect(listed.map(\.1) == active.map(\.1), "\(name)", sourceLocation: sourceLocation)
            let everything = try await vault.list(includeDisabled: true, as: user)
                .map { ($0.entity.identifier.rawValue, $0.role) }
            #expect(everything.map(\.0) == all.map(\.0), "\(name)", sourceLocation: sourceLocation)
            #expect(everything.map(\.1) == all.map(\.1), "\(name)", sourceLocation: sourceLocation)
        }
        for expected in entries {
            let entity = try await vault.entity(expected.id, as: expected.owner)
            checkMetadata(entity, expected, sourceLocation: sourceLocation)
            let history = try await vault.history(expected.id, as: expected.owner)
            #expect(history.count == 1, "entry \(expected.id)", sourceLocation: sourceLocation)
            #expect(history.first?.isCurrent == true, sourceLocation: sourceLocation)
            #expect(history.first?.version == expected.version, sourceLocation: sourceLocation)
            #expect(history.first?.changedBy == expected.owner, sourceLocation: sourceLocation)
            #expect(history.first?.entity == entity, sourceLocation: sourceLocation)
            guard expected.isActive else {
                // Disabled: its secrets stay closed until it is enabled (1007).
                await #expect(throws: VaultError.disabled, sourceLocation: sourceLocation) {
                    try await vault.revealPassword(expected.id, as: expected.owner)
                }
                continue
            }
            #expect(
                try await vault.revealPassword(expected.id, as: expected.owner).revealUTF8() == expected.password,
                sourceLocation: sourceLocation)
            #expect(
                try await vault.revealNotes(expected.id, as: expected.owner)?.revealUTF8() == expected.notes,
                sourceLocation: sourceLocation)
            #expect(
                try await vault.revealSecretKeyText(expected.id, as: expected.owner)?.revealUTF8()
                    == expected.secretKey, sourceLocation: sourceLocation)
            let at = Date(timeIntervalSince1970: TimeInterval(Self.codeTime))
            #expect(
                try await vault.code(expected.id, at: at, as: expected.owner)
                    == (expected.secretKey == nil ? nil : Self.codeAtTime), sourceLocation: sourceLocation)
        }
        // The upgrade (docs/contract.md §12): the first recorded call above (the first history
        // read) added the audit key to the header, in one commit with the trail's first record;
        // every call after it is on the trail, and the chain verifies under the unwrapped key.
        let trail = try await vault.auditRecords()
        let perEntry = entries.map { $0.isActive ? 5 : 2 }.reduce(0, +)  // history, 3 reveals, code | history, 1007
        let upgrade = earlier == 0 ? 1 : 0
        #expect(trail.count == earlier + upgrade + perEntry, sourceLocation: sourceLocation)
        if earlier == 0, let first = trail.first {
            #expect(first.event.actor == .vault && first.event.action == .keyRotation, sourceLocation: sourceLocation)
            #expect(first.event.entry == nil && first.event.fields == ["audit_key"], sourceLocation: sourceLocation)
            #expect(trail.dropFirst().first?.event.action == .history, sourceLocation: sourceLocation)
        }
        #expect(
            try await vault.verifyAudit() == .intact(records: UInt64(earlier + upgrade + perEntry)),
            sourceLocation: sourceLocation)
    }

    /// Checks `entity` against the expected entry, field by field.
    public func checkMetadata(
        _ entity: PasswordEntity, _ expected: Entry, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(entity.identifier == expected.id, sourceLocation: sourceLocation)
        #expect(entity.name == expected.name, sourceLocation: sourceLocation)
        #expect(entity.username == expected.username, sourceLocation: sourceLocation)
        #expect(entity.url == expected.url, sourceLocation: sourceLocation)
        #expect(entity.tags == expected.tags, sourceLocation: sourceLocation)
        #expect(entity.owner == expected.owner.id, sourceLocation: sourceLocation)
        #expect(entity.usersAllowed == expected.users, sourceLocation: sourceLocation)
        #expect(entity.groupsAllowed == expected.groups, sourceLocation: sourceLocation)
        #expect(entity.isActive == expected.isActive, sourceLocation: sourceLocation)
        #expect(entity.version == expected.version, sourceLocation: sourceLocation)
        #expect(entity.revision == expected.version, sourceLocation: sourceLocation)
        #expect(entity.changedBy == expected.owner.id, sourceLocation: sourceLocation)
        #expect(entity.changedFields == [], sourceLocation: sourceLocation)
        #expect(entity.createdAt == expected.createdAt, sourceLocation: sourceLocation)
        #expect(entity.updatedAt == expected.updatedAt, sourceLocation: sourceLocation)
        #expect(entity.hasSecretKey == (expected.secretKey != nil), sourceLocation: sourceLocation)
        #expect(entity.hasNotes == (expected.notes != nil), sourceLocation: sourceLocation)
        // Written before access policies (docs/contract.md §13): every share reveals, no policy
        // binds, no rotation is asked for.
        #expect(
            entity.usersAllowed.allSatisfy(\.canReveal) && entity.groupsAllowed.allSatisfy(\.canReveal),
            "entry \(expected.id): a first-release share reveals", sourceLocation: sourceLocation)
        #expect(
            !entity.needJustify && entity.needApproval == 0 && !entity.needsRotation && !entity.hasPolicy,
            "entry \(expected.id): no policy before §13", sourceLocation: sourceLocation)
    }

    /// The first writes after the upgrade: bob updates entry 2's password (version 3, version 2 in
    /// its history with the old password and notes), carol enables entry 3 (version 3, its
    /// password readable again, version 2 in its history).
    public func checkFirstWrites(on vault: Vault, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (bob, carol) = (Self.users[1], Self.users[2])
        let server = entries[1]
        let updated = try await vault.update(
            server.id, PasswordRequest(password: .value("bob-server-pw-3")), as: bob)
        #expect(updated.entity.revision == 3 && updated.entity.version == 3, sourceLocation: sourceLocation)
        #expect(updated.entity.changedFields == [.password], sourceLocation: sourceLocation)
        #expect(
            try await vault.revealPassword(server.id, as: bob).revealUTF8() == "bob-server-pw-3",
            sourceLocation: sourceLocation)
        let history = try await vault.history(server.id, as: bob)
        #expect(history.map(\.version) == [3, 2], sourceLocation: sourceLocation)
        #expect(history.map(\.isCurrent) == [true, false], sourceLocation: sourceLocation)
        if history.count == 2 { checkMetadata(history[1].entity, server, sourceLocation: sourceLocation) }
        let old = try await vault.revealVersion(server.id, version: 2, as: bob)
        #expect(old.password?.revealUTF8() == "bob-server-pw-2", sourceLocation: sourceLocation)
        #expect(old.notes?.revealUTF8() == "rotated once", sourceLocation: sourceLocation)

        let wiki = entries[2]
        #expect(try await vault.enable(wiki.id, as: carol) == .changed, sourceLocation: sourceLocation)
        #expect(
            try await vault.revealPassword(wiki.id, as: carol).revealUTF8() == wiki.password,
            sourceLocation: sourceLocation)
        let wikiHistory = try await vault.history(wiki.id, as: carol)
        #expect(wikiHistory.map(\.version) == [3, 2], sourceLocation: sourceLocation)
        #expect(wikiHistory.first?.entity.isActive == true, sourceLocation: sourceLocation)
        if wikiHistory.count == 2 { checkMetadata(wikiHistory[1].entity, wiki, sourceLocation: sourceLocation) }
    }

    // MARK: - The upgrade, through an adapter

    /// A copy of the fixture in `folder`, opened with `open` and the fixture's passphrase, checked
    /// whole (``checkContents(of:sourceLocation:)``), then opened again and checked again: what the
    /// first open upgraded stays upgraded.
    public func checkOpens(
        in folder: TemporaryFolder, with open: (String) throws -> any VaultStorage,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let path = try copy(into: folder)
        for _ in 0..<2 {
            let vault = try await Vault.open(storage: try open(path), credential: Self.credential)
            try await checkContents(of: vault, sourceLocation: sourceLocation)
        }
    }

    /// A copy opened with `open`, then ``checkFirstWrites(on:sourceLocation:)``; opened again,
    /// the new versions and their history are there.
    public func checkWrites(
        in folder: TemporaryFolder, with open: (String) throws -> any VaultStorage,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let path = try copy(into: folder)
        try await checkFirstWrites(
            on: try await Vault.open(storage: try open(path), credential: Self.credential),
            sourceLocation: sourceLocation)
        let reopened = try await Vault.open(storage: try open(path), credential: Self.credential)
        let (bob, carol) = (Self.users[1], Self.users[2])
        #expect(
            try await reopened.history(entries[1].id, as: bob).map(\.version) == [3, 2], sourceLocation: sourceLocation)
        #expect(
            try await reopened.revealVersion(entries[1].id, version: 2, as: bob).password?.revealUTF8()
                == "bob-server-pw-2", sourceLocation: sourceLocation)
        #expect(
            try await reopened.history(entries[2].id, as: carol).map(\.version) == [3, 2],
            sourceLocation: sourceLocation)
    }

    /// A copy opened with `open`, read through the storage alone (docs/contract.md §13): every
    /// share of every entry and old version reveals, no policy is on, no rotation is asked for,
    /// there is no access request, and the first one stored (on the upgraded file) gets
    /// identifier 1 and survives a reopen.
    public func checkWithoutPolicies(
        in folder: TemporaryFolder, with open: (String) throws -> any VaultStorage,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let path = try copy(into: folder)
        let storage = try open(path)
        let stored = try await storage.entities(after: nil, limit: 100)
        #expect(stored.map(\.identifier) == entries.map(\.id), sourceLocation: sourceLocation)
        var versions = stored
        for entity in stored { versions += try await storage.history(of: entity.identifier) }
        for (entity, expected) in zip(stored, entries) {
            #expect(entity.usersAllowed == expected.users, sourceLocation: sourceLocation)
            #expect(entity.groupsAllowed == expected.groups, sourceLocation: sourceLocation)
        }
        for entity in versions {
            #expect(
                entity.usersAllowed.allSatisfy(\.canReveal) && entity.groupsAllowed.allSatisfy(\.canReveal),
                "entry \(entity.identifier)", sourceLocation: sourceLocation)
            #expect(
                !entity.needJustify && entity.needApproval == 0 && !entity.needsRotation,
                "entry \(entity.identifier)", sourceLocation: sourceLocation)
        }
        #expect(try await storage.accessRequests(AccessRequestQuery()).isEmpty, sourceLocation: sourceLocation)
        let entry = entries[0].id
        let requester = entries[0].users[0].username
        let result = try await storage.commit(
            ChangeSet(requests: [
                .insert { id in
                    AccessRequest(
                        identifier: id, entry: entry, requester: Self.users[1].id, requesterName: requester,
                        justification: "after the upgrade", minutes: 60, createdAt: Date(timeIntervalSince1970: 0))
                }
            ]))
        #expect(result.insertedRequest?.identifier.rawValue == 1, sourceLocation: sourceLocation)
        let reopened = try open(path)
        #expect(
            try await reopened.accessRequests(AccessRequestQuery(entries: [entry])) == [result.insertedRequest!],
            sourceLocation: sourceLocation)
    }

    /// A copy opened with `open` and a wrong passphrase: `wrongPassphraseOrKey`, and the file's
    /// bytes are those of the fixture (docs/contract.md §7, §16: opening writes nothing; the
    /// upgrade waits for the credential).
    public func checkWrongPassphraseWritesNothing(
        in folder: TemporaryFolder, with open: (String) throws -> any VaultStorage,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let path = try copy(into: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: checkedInPath))
        do {
            let storage = try open(path)
            await #expect(throws: VaultKeyError.wrongPassphraseOrKey, sourceLocation: sourceLocation) {
                _ = try await Vault.open(
                    storage: storage, credential: .passphrase(SecretBytes(Array("first-release".utf8))))
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, sourceLocation: sourceLocation)
        }
        // Closed too (the storage is gone): still the first release's bytes.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, sourceLocation: sourceLocation)
    }
}
