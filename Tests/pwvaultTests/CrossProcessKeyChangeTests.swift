import Foundation
import PasswordVault
import PasswordVaultSQLite
import Testing

/// A vault opened in this process keeps writing while `pwvault` processes rotate the data key
/// or change the passphrase of the same SQLite file (docs/contract.md §14). This is the red
/// team's finding made deterministic: the first release's vault, opened before another
/// process's `rotate-key`, sealed a new entry under the key that rotation had dropped, reported
/// success, and left an entry that no reveal and no later rotation could open.
@Suite("A vault and pwvault processes changing its keys", .serialized)
struct CrossProcessKeyChangeTests {
    let folder: URL
    let path: String
    let env: [String: String]
    static let passphrase = "cross-process passphrase"
    static let newPassphrase = "the passphrase after passwd"
    let npass = User(id: UserID(rawValue: 1), username: "npass")

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": Self.passphrase]
    }

    func pw(_ arguments: String..., passphrase: String = passphrase, extra: [String: String] = [:]) throws -> PWVaultRun
    {
        var environment = env.merging(extra) { $1 }
        environment["PWVAULT_PASSPHRASE"] = passphrase
        return try PWVaultRun.run(arguments, environment: environment)
    }

    /// A vault file made by `pwvault`, and a vault on it opened here.
    func openHere() async throws -> Vault {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "npass", "--id", "1").status == 0)
        return try await Vault.open(
            storage: try SQLiteStorage.open(at: path), credential: .passphrase(SecretBytes(utf8: Self.passphrase)))
    }

    func create(_ name: String, in vault: Vault) async throws -> EntryID {
        let request = PasswordRequest(
            name: .value(name), username: .value("svc"), password: .value("pw of \(name)"), notes: .value("n"))
        return try await vault.create(request, as: npass).entity.identifier
    }

    /// `pwvault` reveals the entry's password.
    func expectRevealed(_ id: EntryID, _ name: String, passphrase: String = passphrase) throws {
        let got = try pw("api", "GET", "api/mysafe/password/\(id)", "--as", "npass", passphrase: passphrase)
        #expect(got.status == 0, "entry \(id): \(got.stderr)")
        #expect(got.stdout.contains(#""password":"pw of \#(name)""#), "entry \(id)")
    }

    @Test func anEntryCreatedHereAfterARotationThereOpensEverywhere() async throws {
        let vault = try await openHere()
        let before = try await create("before", in: vault)
        let rotated = try pw("rotate-key")
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let after = try await create("after", in: vault)
        try expectRevealed(before, "before")
        try expectRevealed(after, "after")
        #expect(try await vault.revealPassword(before, as: npass).revealUTF8() == "pw of before")
        let again = try pw("rotate-key")
        #expect(again.status == 0, "a later rotation stopped: \(again.stderr)")
        try expectRevealed(after, "after")
        try? FileManager.default.removeItem(at: folder)
    }

    @Test func writesGoOnAfterAPassphraseChangeThereAndStopAfterARotationUnderIt() async throws {
        let vault = try await openHere()
        let changed = try pw("passwd", extra: ["PWVAULT_NEW_PASSPHRASE": Self.newPassphrase])
        #expect(changed.status == 0, "\(changed.stderr)")
        // The data key did not change: this vault still seals under the header's current key.
        let kept = try await create("kept", in: vault)
        try expectRevealed(kept, "kept", passphrase: Self.newPassphrase)

        #expect(try pw("rotate-key", passphrase: Self.newPassphrase).status == 0)
        // Now the current key is one this vault cannot unwrap: its writes are refused, not stored.
        await #expect(throws: VaultError.unexpected(cause: VaultKeyError.conflict)) {
            try await create("refused", in: vault)
        }
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass", passphrase: Self.newPassphrase)
        #expect(listed.stdout.matches(of: /"identifier":/).count == 1)
        #expect(try pw("rotate-key", passphrase: Self.newPassphrase).status == 0)
        try? FileManager.default.removeItem(at: folder)
    }
}
