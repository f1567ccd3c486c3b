import Foundation
import Testing

/// `pwvault client add|list|revoke`: the example server's OAuth clients beside the vault file,
/// each secret printed once and stored only as its Argon2id hash; refusals exit 1 and name no
/// secret.
@Suite("pwvault client")
struct ClientCommandTests {
    @Test func addListRevoke() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pwvault-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vault.db").path
        let env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
        func pw(_ arguments: String...) throws -> PWVaultRun {
            try PWVaultRun.run(arguments, stdin: "", environment: env)
        }
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "alice").status == 0)
        #expect(try pw("client", "list").stdout == "")

        let added = try pw("client", "add", "alice")
        #expect(added.status == 0, "\(added.stderr)")
        let lines = added.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let id = try #require(lines.first?.split(separator: " ").last.map(String.init))
        let secret = try #require(lines.dropFirst().first?.split(separator: " ").last.map(String.init))
        #expect(lines[0] == "client_id: \(id)" && id.hasPrefix("pwv_") && id.count == 28)
        #expect(lines[1] == "client_secret: \(secret)" && secret.count == 64)
        let stored = try String(contentsOfFile: path + ".clients.json", encoding: .utf8)
        #expect(stored.contains("$argon2id$") && !stored.contains(secret))
        let mode = try FileManager.default.attributesOfItem(atPath: path + ".clients.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        #expect(try pw("client", "list").stdout == "\(id)\talice\tactive\n")
        #expect(try pw("client", "revoke", id).stdout == "revoked \(id)\n")
        let listed = try pw("client", "list")
        #expect(listed.stdout == "\(id)\talice\trevoked\n" && !listed.stdout.contains(secret))

        let unknownUser = try pw("client", "add", "mallory")
        #expect(unknownUser.status == 1 && unknownUser.stderr == "pwvault: unknown user 'mallory'\n")
        let unknownClient = try pw("client", "revoke", "pwv_nope")
        #expect(unknownClient.status == 1 && unknownClient.stderr == "pwvault: unknown client pwv_nope\n")
        #expect(try pw("client", "list").stdout.split(separator: "\n").count == 1)
    }
}
