import Foundation
import PasswordVault
import Testing

/// The `pwvault` binary end to end, over a real vault file in a temporary folder.
@Suite("pwvault on a vault file", .serialized)
struct VaultCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String..., stdin: String = "", env extra: [String: String] = [:]) throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env.merging(extra) { $1 })
    }

    /// A vault with npass (1), pduarte (2), mcosta (3) and "Test group" = {mcosta}.
    func makeVault() throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        for (name, id) in [("npass", "1"), ("pduarte", "2"), ("mcosta", "3")] {
            let run = try pw("user", "add", name, "--id", id)
            #expect(run.status == 0, "\(run.stderr)")
        }
        #expect(try pw("group", "add", "Test group", "--member", "mcosta").status == 0)
    }

    static let seedBody = """
        {"name": "senseg account", "username": "npass", "password": "8jhfy@3789", "url": "www.senhasegura.com",
         "secret_key": "JBSWY3DPEHPK3PXP", "notes": "Access details", "tags": "tag1, tag2",
         "users_allowed": [{"username" : "pduarte"}], "groups_allowed": [{"name" : "Test group", "can_edit" : false}]}
        """

    @Test func theSeedScenarioThroughApi() throws {
        try makeVault()
        let created = try pw("api", "POST", "api/mysafe/password", "--as", "npass", "--include", stdin: Self.seedBody)
        #expect(created.status == 0, "\(created.stderr)")
        let lines = created.stdout.split(separator: "\n", maxSplits: 1).map(String.init)
        #expect(lines.first == "HTTP/1.1 201 Created")
        #expect(
            lines.last?.trimmingCharacters(in: .newlines)
                == #"{"code":201,"response":{"status":201,"message":"Password successfully registered","error":false,"error_code":0,"detail":"","mensagem":"Password successfully registered","erro":false,"cod_erro":0},"password_entity":{"identifier":"1","name":"senseg account","url":"www.senhasegura.com","username":"npass","note":"Access details","tags":"tag1, tag2","users_allowed":[{"username":"pduarte","can_edit":false}],"groups_allowed":[{"name":"Test group","can_edit":false}],"shared_error":[]}}"#
        )

        let got = try pw("api", "GET", "api/mysafe/password/1", "--as", "mcosta")
        #expect(got.status == 0)
        #expect(got.stdout.contains(#""password":"8jhfy@3789","secret_key":"JBSWY3DPEHPK3PXP","token":""#))

        let refused = try pw(
            "api", "PUT", "api/mysafe/password/update/1", "--as", "pduarte", "--include", stdin: #"{"name": "x"}"#)
        #expect(refused.status == 1)
        #expect(refused.stdout.hasPrefix("HTTP/1.1 400 Bad Request\n"))
        #expect(refused.stdout.contains("1006: User does not have access"))
        #expect(refused.stderr == "1006: User does not have access\n")

        let listed = try pw("api", "GET", "api/mysafe/password?tag=tag2", "--as", "pduarte")
        #expect(listed.status == 0)
        #expect(listed.stdout.contains(#""can_view":true,"can_write":false"#))

        let noRoute = try pw("api", "GET", "api/nothing", "--as", "npass")
        #expect(noRoute.status == 1)
        #expect(noRoute.stdout.contains("No route matched with those values."))
        #expect(noRoute.stderr == "No route matched with those values.\n")

        // The vault does not open: --include still prints a status line and the API's 500 body.
        let locked = try pw(
            "api", "GET", "api/mysafe/password/1", "--as", "npass", "--include", env: ["PWVAULT_PASSPHRASE": "wrong"])
        #expect(locked.status == 1)
        #expect(
            locked.stdout
                == "HTTP/1.1 500 Internal Server Error\n"
                + #"{"code":500,"response":{"status":500,"message":"Unexpected error.","error":true,"error_code":1,"detail":"","mensagem":"Unexpected error.","erro":true,"cod_erro":1},"exception":{"code":500,"message":"Unexpected error.","detail":null}}"#
                + "\n")
        #expect(locked.stderr == "pwvault: the passphrase or key does not open this vault\n")
    }

    @Test func friendlyVerbsAndExitCodes() throws {
        try makeVault()
        let created = try pw(
            "create", "--as", "npass", "--name", "mail", "--username", "n@example.com", "--password", "s3cret!",
            "--secret-key", "JBSWY3DPEHPK3PXP", "--notes", "the notes", "--tags", "a, b", "--share-user", "pduarte",
            "--share-group", "Test group:edit", "--share-user", "ghost")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("Created 1"))
        #expect(created.stderr.contains("ghost: User not found"))

        #expect(try pw("reveal", "1", "--as", "pduarte").stdout == "s3cret!\n")
        #expect(try pw("reveal", "1", "--as", "mcosta", "--field", "notes").stdout == "the notes\n")
        let expected = try TOTP(secret: Base32.decodeSecret("JBSWY3DPEHPK3PXP")).code(atUnixTime: 59)
        #expect(try pw("totp", "1", "--as", "pduarte", "--time", "59").stdout == expected + "\n")

        // A stranger (a user the entry is not shared with) learns nothing: 1005, exit 1.
        #expect(try pw("user", "add", "eve").status == 0)
        let stranger = try pw("reveal", "1", "--as", "eve")
        #expect(stranger.status == 1)
        #expect(stranger.stdout == "")
        #expect(stranger.stderr == "1005: Password not found\n")
        #expect(try pw("reveal", "1", "--as", "npass").stdout == "s3cret!\n")
        let viewer = try pw("update", "1", "--as", "pduarte", "--name", "mine")
        #expect(viewer.status == 1)
        #expect(viewer.stderr == "1006: User does not have access\n")
        #expect(try pw("update", "1", "--as", "mcosta", "--url", "www.example.com").status == 0)

        let list = try pw("list", "--as", "mcosta")
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("ID"))
        #expect(list.stdout.contains("mail"))
        #expect(list.stdout.contains("editor"))

        #expect(try pw("disable", "1", "--as", "mcosta").stdout == "Password successfully deactivated\n")
        let disabled = try pw("reveal", "1", "--as", "npass")
        #expect(disabled.status == 1)
        #expect(disabled.stderr == "1007: Password is disabled\n")
        #expect(try pw("enable", "1", "--as", "npass").stdout == "Password successfully activated\n")
        #expect(try pw("enable", "1", "--as", "npass").stdout == "Password has already been activated\n")

        // Removing mcosta from the group revokes at once.
        #expect(try pw("group", "remove-member", "Test group", "mcosta").status == 0)
        let revoked = try pw("reveal", "1", "--as", "mcosta")
        #expect(revoked.status == 1)
        #expect(revoked.stderr == "1005: Password not found\n")

        #expect(try pw("delete", "1", "--as", "pduarte").status == 1)
        #expect(try pw("delete", "1", "--as", "npass").status == 0)
        #expect(try pw("get", "1", "--as", "npass").stderr == "1005: Password not found\n")
        #expect(try pw("get", "abc", "--as", "npass").status == 1)
    }

    @Test func usageErrorsExitTwo() throws {
        try makeVault()
        #expect(try pw("list").status == 2)  // --as is required
        #expect(try pw("frobnicate").status == 2)
        #expect(try pw("list", "--as", "nobody").status == 2)
        #expect(try pw("init", "--cost", "minimum").status == 2)  // the file exists
        #expect(
            try pw("list", "--as", "npass", env: ["PWVAULT_PATH": folder.appendingPathComponent("none.db").path]).status
                == 2)
    }

    @Test func passphraseFromEachSource() throws {
        try makeVault()
        let file = folder.appendingPathComponent("passphrase.txt")
        try "correct horse battery staple\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(
            try pw("user", "list", "--passphrase-file", file.path, env: ["PWVAULT_PASSPHRASE": "wrong"]).status == 0)
        let wrong = try pw("user", "list", env: ["PWVAULT_PASSPHRASE": "wrong"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("does not open this vault"))
        #expect(!wrong.stderr.contains("wrong"))
        // No environment, no file, no terminal: a usage error, not a hang.
        var bare = env
        bare.removeValue(forKey: "PWVAULT_PASSPHRASE")
        let none = try PWVaultRun.run(["user", "list"], environment: bare, detachTerminal: true)
        #expect(none.status == 2)
    }

    @Test func passwdAndRotateKey() throws {
        try makeVault()
        #expect(try pw("create", "--as", "npass", "--name", "n", "--username", "u", "--password", "p@ss").status == 0)
        let changed = try pw("passwd", "--cost", "minimum", env: ["PWVAULT_NEW_PASSPHRASE": "new passphrase"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try pw("reveal", "1", "--as", "npass").status == 1)
        let fresh = ["PWVAULT_PASSPHRASE": "new passphrase"]
        #expect(try pw("reveal", "1", "--as", "npass", env: fresh).stdout == "p@ss\n")
        let rotated = try pw("rotate-key", env: fresh)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(rotated.stderr.contains("1/1 entries"))
        #expect(try pw("reveal", "1", "--as", "npass", env: fresh).stdout == "p@ss\n")
    }

    @Test func aFileThatIsNotAVaultIsRefusedAndLeftAlone() throws {
        let bogus = folder.appendingPathComponent("bogus.db")
        let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        try bytes.write(to: bogus)
        let run = try pw("user", "list", env: ["PWVAULT_PATH": bogus.path])
        #expect(run.status == 3)
        #expect(try Data(contentsOf: bogus) == bytes)
    }

    @Test func demoWalksThrough() throws {
        let run = try PWVaultRun.run(["demo"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("HTTP/1.1 201 Created"))
        #expect(run.stdout.contains("1006: User does not have access"))
        #expect(run.stdout.contains("1007: Password is disabled"))
        #expect(run.stdout.contains("\"password saved successfully\""))
        #expect(run.stdout.contains("reveal after rotation: 8jhfy@3789 (unchanged)"))
        // The policies: 1010 before the grant, then the code without a secret, on the grant's reason.
        #expect(run.stdout.contains("1010: Access requires approval"))
        #expect(run.stdout.contains(#""message":"Access request approved""#))
        #expect(run.stdout.contains(#""password":null,"secret_key":null,"token":""#))
        // The trail: the users, the stranger's 1005, the rotation, the reveal after it; intact.
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains { $0.count >= 6 && $0[1...3] == ["eve", "(99)", "reveal"] && $0[5] == "1005" })
        #expect(rows.contains { $0.count >= 5 && $0[1...2] == ["vault", "key_rotation"] })
        #expect(rows.contains { $0.count >= 4 && $0[1...3] == ["vault", "user_add", "-"] })
        #expect(run.stdout.contains("\nintact, "))
    }
}
