// Makes `first-release.pwvault`, the single-file fixture, with the FIRST RELEASE's library
// (commit 1cc8194): that release's `pwvault` writes SQLite only. See README.md beside this file
// for how to build and run it; it is not part of today's package (today's targets exclude
// the Fixtures folder).
//
//   swift run --scratch-path .build make-file-vault /path/to/first-release.pwvault
import Foundation
import PasswordVault

@main
struct MakeFileVault {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: make-file-vault PATH\n".utf8))
            exit(2)
        }
        let path = arguments[1]
        let passphrase = VaultCredential.passphrase(SecretBytes(utf8: "first-release-fixture"))
        // Fixed clocks: the file's timestamps are the same on every run (salts and nonces are not).
        let created = Date(timeIntervalSince1970: 1_795_364_400)  // 2026-11-22T16:20:00Z
        let updated = created.addingTimeInterval(60)  // 2026-11-22T16:21:00Z
        let disabled = created.addingTimeInterval(120)  // 2026-11-22T16:22:00Z

        let storage = try FileStorage.create(at: path)
        let vault = try await Vault.create(
            storage: storage, credential: passphrase, cost: .minimum, clock: .fixed(created))
        let alice = User(id: UserID(rawValue: 1), username: "alice")
        let bob = User(id: UserID(rawValue: 2), username: "bob")
        let carol = User(id: UserID(rawValue: 3), username: "carol")
        for user in [alice, bob, carol] { try await storage.addUser(user) }
        try await storage.addGroup(named: "ops")
        try await storage.setMembership(group: "ops", username: "bob", isMember: true)

        // 1: alice's, every field, shared with bob (viewer) and ops (editor).
        let mail = try await vault.create(
            PasswordRequest(
                name: .value("mail"), username: .value("alice@example.com"), password: .value("alice-mail-pw-1"),
                url: .value("https://mail.example.com"), secretKey: .value("JBSWY3DPEHPK3PXP"),
                notes: .value("recovery codes: 1111 2222"), tags: .value(["work", "email"]),
                usersAllowed: .value([ShareRequest(name: .value("bob"), canEdit: .value(false))]),
                groupsAllowed: .value([ShareRequest(name: .value("ops"), canEdit: .value(true))])),
            as: alice)
        // 2: bob's, shared with carol (viewer), then updated once (version 2).
        let server = try await vault.create(
            PasswordRequest(
                name: .value("server"), username: .value("root"), password: .value("bob-server-pw-1"),
                url: .value("ssh://server.example.com"),
                usersAllowed: .value([ShareRequest(name: .value("carol"))])),
            as: bob)
        // 3: carol's, then disabled (version 2).
        let wiki = try await vault.create(
            PasswordRequest(
                name: .value("old wiki"), username: .value("carol"), password: .value("carol-wiki-pw-1"),
                tags: .value(["legacy"])),
            as: carol)

        let later = try await Vault.open(storage: storage, credential: passphrase, clock: .fixed(updated))
        _ = try await later.update(
            server.entity.identifier,
            PasswordRequest(password: .value("bob-server-pw-2"), notes: .value("rotated once")), as: bob)
        let last = try await Vault.open(storage: storage, credential: passphrase, clock: .fixed(disabled))
        try await last.disable(wiki.entity.identifier, as: carol)
        print(
            "Wrote \(path): entries \(mail.entity.identifier), \(server.entity.identifier), \(wiki.entity.identifier)"
        )
    }
}
