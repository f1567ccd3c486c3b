public import Foundation
public import PasswordVault

/// A vault for a unit test in one line: in memory, on a ``SteppingClock``, under a passphrase
/// stretched with Argon2id at its minimum cost (so a test may reopen it, change the passphrase or
/// rotate the key in milliseconds), with users and groups whose identifiers follow the order
/// they are given in (1, 2, 3…) and entries whose identifiers the storage hands out from 1.
///
/// ```swift
/// let t = try await TestVault.make()
/// let id = try await t.createEntry("mail", owner: "alice", viewers: ["bob"])
/// #expect(try await t.vault.revealPassword(id, as: t.user("bob")).revealUTF8() == TestVault.password)
/// try await expectRefusal(1006) { try await t.vault.delete(id, as: t.user("bob")) }
/// ```
///
/// Everything goes through the library's public API: what passes here passes for a host.
public struct TestVault: Sendable {
    /// The vault.
    public let vault: Vault
    /// Its clock; move it to test expiry, TOTP windows and timestamps.
    public let clock: SteppingClock
    /// Its storage, for ``reopen(passphrase:)`` and for tests of the storage itself.
    public let storage: InMemoryStorage
    /// The passphrase it was made with.
    public let passphrase: String
    private let users: [String: User]

    /// 2023-11-14 22:13:20 UTC (Unix time 1,700,000,000): the clock's default start.
    public static let epoch = Date(timeIntervalSince1970: 1_700_000_000)
    /// The users of ``make(users:groups:at:historyDepth:passphrase:)`` by default: alice, bob,
    /// carol, dave and mallory, identifiers 1 to 5.
    public static let defaultUsers = ["alice", "bob", "carol", "dave", "mallory"]
    /// The groups by default: `editors` (carol) and `viewers` (dave).
    public static let defaultGroups: KeyValuePairs<String, [String]> = ["editors": ["carol"], "viewers": ["dave"]]
    /// The password ``createEntry(_:owner:password:secretKey:notes:viewers:editors:groupViewers:groupEditors:)``
    /// gives an entry by default.
    public static let password = "p4ssw0rd!"
    /// The TOTP seed it gives by default (RFC 6238's test key in base32).
    public static let secretKey = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    /// Makes the vault.
    /// - Parameters:
    ///   - users: usernames, given identifiers 1, 2, 3… in this order.
    ///   - groups: group names with their members (who must be among `users`).
    ///   - start: the clock's first instant.
    ///   - historyDepth: old versions kept per entry (docs/contract.md §11).
    ///   - passphrase: the vault's passphrase.
    /// - Throws: what the library throws for a name its rules refuse (`DirectoryError`).
    public static func make(
        users: [String] = defaultUsers, groups: KeyValuePairs<String, [String]> = defaultGroups,
        at start: Date = epoch, historyDepth: Int = Vault.defaultHistoryDepth,
        passphrase: String = "a test passphrase"
    ) async throws -> TestVault {
        let clock = SteppingClock(start)
        let storage = InMemoryStorage()
        let vault = try await Vault.create(
            storage: storage, credential: .passphrase(SecretBytes(utf8: passphrase)), cost: .minimum,
            historyDepth: historyDepth, clock: clock)
        var made: [String: User] = [:]
        for (index, name) in users.enumerated() {
            made[name] = try await vault.addUser(named: name, id: Int64(index + 1))
        }
        for (name, members) in groups { _ = try await vault.addGroup(named: name, members: members) }
        return TestVault(vault: vault, clock: clock, storage: storage, passphrase: passphrase, users: made)
    }

    /// The user named `name`.
    /// - Throws: ``UnknownTestUser`` when ``make(users:groups:at:historyDepth:passphrase:)`` made none by that name.
    public func user(_ name: String) throws -> User {
        guard let user = users[name] else { throw UnknownTestUser(name: name) }
        return user
    }

    /// Creates an entry through `Vault.create(_:as:)` and returns its identifier.
    /// - Parameters:
    ///   - name: its name.
    ///   - owner: the user who creates it (its owner).
    ///   - password: its password.
    ///   - secretKey: its TOTP seed (base32 or an otpauth URI), if any.
    ///   - notes: its notes, if any.
    ///   - viewers: users it is shared with, without `can_edit`.
    ///   - editors: users it is shared with, with `can_edit`.
    ///   - groupViewers: groups it is shared with, without `can_edit`.
    ///   - groupEditors: groups it is shared with, with `can_edit`.
    /// - Throws: the vault's refusal, as a `VaultError`.
    public func createEntry(
        _ name: String = "entry", owner: String = "alice", password: String = TestVault.password,
        secretKey: String? = nil, notes: String? = nil, viewers: [String] = [], editors: [String] = [],
        groupViewers: [String] = [], groupEditors: [String] = []
    ) async throws -> EntryID {
        var request = PasswordRequest(
            name: .value(name), username: .value("\(owner)@example.com"), password: .value(password))
        request.secretKey = secretKey.map { .value($0) } ?? .absent
        request.notes = notes.map { .value($0) } ?? .absent
        request.usersAllowed = .value(
            viewers.map { ShareRequest(name: .value($0)) }
                + editors.map { ShareRequest(name: .value($0), canEdit: .value(true)) })
        request.groupsAllowed = .value(
            groupViewers.map { ShareRequest(name: .value($0)) }
                + groupEditors.map { ShareRequest(name: .value($0), canEdit: .value(true)) })
        return try await vault.create(request, as: try user(owner)).entity.identifier
    }

    /// The vault opened again on the same storage, as a host does after a restart: with
    /// `passphrase` (the vault's own by default; another one is refused with
    /// `VaultKeyError.wrongPassphraseOrKey`).
    public func reopen(passphrase: String? = nil) async throws -> Vault {
        try await Vault.open(
            storage: storage, credential: .passphrase(SecretBytes(utf8: passphrase ?? self.passphrase)),
            clock: clock)
    }
}

/// ``TestVault/user(_:)`` was asked for a user the test vault does not have.
public struct UnknownTestUser: Error, CustomStringConvertible, Sendable {
    /// The name asked for.
    public var name: String
    /// The failure, for the test's message.
    public var description: String { "the test vault has no user named \"\(name)\"" }
}
