import Foundation
import PasswordVault
import Testing

/// `--json` on the commands that read (docs/contract.md §9): each line parsed with
/// `JSONSerialization`, its fields and values checked exactly, and no secret in any output.
@Suite("pwvault --json", .serialized)
struct JSONCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]
    static let password = "s3cret-pass!"
    static let seed = "JBSWY3DPEHPK3PXP"
    static let notes = "the-notes-text"
    static let otherPassword = "other-s3cret"

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    /// Runs a `--json` command, expects success and no secret, and parses each line as an object.
    func lines(_ arguments: String...) throws -> [[String: Any]] {
        let run = try PWVaultRun.run(arguments, environment: env)
        #expect(run.status == 0, "\(arguments): \(run.stderr)")
        try Self.expectNoSecret(run.stdout + run.stderr)
        return try run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object, "not a JSON object: \(line)")
        }
    }

    static func expectNoSecret(_ text: String) throws {
        for secret in [password, seed, notes, otherPassword] {
            #expect(!text.contains(secret), "a secret in: \(text)")
        }
        // Nor the current code, nor the one of the step before (the run may cross a step).
        let now = Int(Date().timeIntervalSince1970)
        for time in [now, now - 30] {
            let code = try PWVaultRun.run(["code", "--secret", seed, "--time", String(time)])
            let digits = code.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(digits.count == 6 && !text.contains(digits), "a code in: \(text)")
        }
    }

    /// Exactly these keys and values (compared as sorted-key JSON, so `true` is not `1`); the
    /// keys named in `times` must be ISO-8601 UTC times with milliseconds, as the audit export writes.
    func expect(
        _ object: [String: Any], _ expected: [String: Any], times: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var rest = object
        for key in times {
            let time = rest.removeValue(forKey: key) as? String
            #expect(
                time.flatMap(AuditTime.init(iso8601:)) != nil, "\(key): \(String(describing: time))",
                sourceLocation: sourceLocation)
        }
        #expect(Self.canonical(rest) == Self.canonical(expected), sourceLocation: sourceLocation)
    }

    static func canonical(_ object: [String: Any]) -> String {
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "unencodable: \(object)"
    }

    /// npass (1) owns entry 1 (justification and one approval asked): pduarte (2) edits it, mcosta
    /// (3) views it without reveal, the group ops (jsilva, 4, and pduarte) views it. pduarte owns
    /// entry 2.
    func makeVault() throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        for (name, id) in [("npass", "1"), ("pduarte", "2"), ("mcosta", "3"), ("jsilva", "4")] {
            #expect(try pw("user", "add", name, "--id", id).status == 0)
        }
        #expect(try pw("group", "add", "ops", "--member", "jsilva", "--member", "pduarte").status == 0)
        let first = try pw(
            "create", "--as", "npass", "--name", "db", "--username", "svc", "--url", "db.example", "--password-file",
            "-", "--secret-key", Self.seed, "--notes", Self.notes, "--tags", "prod, db", "--share-user",
            "pduarte:edit", "--share-user", "mcosta:noreveal", "--share-group", "ops", "--need-justify",
            "--need-approval", "1", stdin: Self.password + "\n")
        #expect(first.status == 0, "\(first.stderr)")
        let second = try pw(
            "create", "--as", "pduarte", "--name", "mail", "--username", "p", "--password-file", "-",
            stdin: Self.otherPassword + "\n")
        #expect(second.status == 0, "\(second.stderr)")
    }

    @Test func userAndGroupList() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault()
        let users = try lines("user", "list", "--json")
        try #require(users.count == 4)
        for (index, name) in ["npass", "pduarte", "mcosta", "jsilva"].enumerated() {
            expect(users[index], ["id": index + 1, "username": name])
        }
        #expect(try pw("user", "list", "--json").stdout.hasPrefix("{\"id\":1,\"username\":\"npass\"}\n"))
        let groups = try lines("group", "list", "--json")
        try #require(groups.count == 1)
        expect(groups[0], ["name": "ops", "members": ["jsilva", "pduarte"]])
    }

    @Test func getShowsSharesAndPoliciesWithoutSecrets() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault()
        let owner = try lines("get", "1", "--as", "npass", "--json")
        try #require(owner.count == 1)
        let users: [[String: Any]] = [
            ["username": "pduarte", "can_edit": true, "can_reveal": true],
            ["username": "mcosta", "can_edit": false, "can_reveal": false],
        ]
        let entity: [String: Any] = [
            "identifier": "1", "name": "db", "url": "db.example", "username": "svc", "tags": "prod, db",
            "owner": ["id": 1, "username": "npass"], "users_allowed": users,
            "groups_allowed": [["name": "ops", "can_edit": false, "can_reveal": true]], "need_justify": true,
            "need_approval": 1, "needs_rotation": false, "is_active": true, "has_secret_key": true, "has_notes": true,
            "version": 1,
        ]
        var asOwner = entity
        asOwner.merge(["role": "owner", "can_view": true, "can_write": true]) { $1 }
        expect(owner[0], asOwner, times: ["created_at", "updated_at"])
        var asViewer = entity
        asViewer.merge(["role": "viewer", "can_view": false, "can_write": false]) { $1 }
        expect(try lines("get", "1", "--as", "mcosta", "--json")[0], asViewer, times: ["created_at", "updated_at"])
        // The types as written: the identifier a string, the policies a boolean and an integer.
        let text = try pw("get", "1", "--as", "npass", "--json").stdout
        #expect(text.hasPrefix("{\"identifier\":\"1\",\"name\":\"db\",\"url\":\"db.example\",\"username\":\"svc\""))
        #expect(text.contains("\"need_justify\":true,\"need_approval\":1,\"needs_rotation\":false"))
        #expect(text.contains("{\"username\":\"mcosta\",\"can_edit\":false,\"can_reveal\":false}"))
        #expect(text.hasSuffix("}\n") && text.split(separator: "\n").count == 1)
    }

    @Test func listGivesTheCallersRights() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault()
        let entry1: [String: Any] = [
            "identifier": "1", "name": "db", "url": "db.example", "username": "svc", "tags": "prod, db",
            "need_justify": true, "need_approval": 1, "needs_rotation": false, "is_active": true,
        ]
        let viewer = try lines("list", "--as", "mcosta", "--json")
        try #require(viewer.count == 1)
        var asViewer = entry1
        asViewer.merge(["role": "viewer", "can_view": false, "can_write": false]) { $1 }
        expect(viewer[0], asViewer)

        let editor = try lines("list", "--as", "pduarte", "--json")
        try #require(editor.count == 2)
        var asEditor = entry1
        asEditor.merge(["role": "editor", "can_view": true, "can_write": true]) { $1 }
        expect(editor[0], asEditor)
        expect(
            editor[1],
            [
                "identifier": "2", "name": "mail", "url": "", "username": "p", "tags": "", "need_justify": false,
                "need_approval": 0, "needs_rotation": false, "is_active": true, "role": "owner", "can_view": true,
                "can_write": true,
            ])
        #expect(try pw("list", "--as", "jsilva", "--json", "--tag", "nothing").stdout.isEmpty)

        // mcosta sees entry 2's password, then loses the share: the entry asks for a rotation.
        #expect(try pw("update", "2", "--as", "pduarte", "--share-user", "mcosta").status == 0)
        #expect(try pw("reveal", "2", "--as", "mcosta").stdout == Self.otherPassword + "\n")
        #expect(try pw("update", "2", "--as", "pduarte", "--unshare-users").status == 0)
        let marked = try lines("list", "--as", "pduarte", "--json")
        try #require(marked.count == 2)
        #expect(marked[1]["needs_rotation"] as? Bool == true && marked[0]["needs_rotation"] as? Bool == false)
        let entity = try lines("get", "2", "--as", "pduarte", "--json")
        #expect(entity.first?["needs_rotation"] as? Bool == true)
        #expect((entity.first?["users_allowed"] as? [Any])?.isEmpty == true)
    }

    @Test func historyIsTheWiresHistoryItem() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault()
        #expect(try pw("update", "1", "--as", "npass", "--url", "db2.example").status == 0)
        let versions = try lines("history", "1", "--as", "npass", "--json")
        try #require(versions.count == 2)
        let content: [String: Any] = ["name": "db", "username": "svc", "tags": "prod, db", "changed_by": "npass"]
        var current = content
        current.merge(["version": 2, "current": true, "changed_fields": ["url"], "url": "db2.example"]) { $1 }
        expect(versions[0], current, times: ["changed_at"])
        var first = content
        first.merge([
            "version": 1, "current": false, "url": "db.example",
            "changed_fields": [
                "name", "username", "password", "url", "secret_key", "notes", "tags", "users_allowed",
                "groups_allowed", "need_justify", "need_approval",
            ],
        ]) { $1 }
        expect(versions[1], first, times: ["changed_at"])
        // An editor is bound by the policies: refused before anything is printed, then read with a grant.
        let unjustified = try pw("history", "1", "--as", "pduarte", "--json")
        #expect(unjustified.status == 1 && unjustified.stdout.isEmpty)
        #expect(unjustified.stderr == "1009: Justification is required\n")
        let unapproved = try pw("history", "1", "--as", "pduarte", "--json", "--justification", "review")
        #expect(unapproved.status == 1 && unapproved.stdout.isEmpty)
        #expect(unapproved.stderr == "1010: Access requires approval\n")
        #expect(try pw("request", "1", "--as", "pduarte", "--justification", "review").status == 0)
        #expect(try pw("approve", "1", "--as", "npass").status == 0)
        #expect(try lines("history", "1", "--as", "pduarte", "--json").count == 2)
    }

    @Test func requestsAreTheWiresAccessRequests() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault()
        #expect(try pw("requests", "--as", "jsilva", "--json").stdout.isEmpty)
        let asked = try pw("request", "1", "--as", "jsilva", "--justification", "INC-7", "--minutes", "30")
        #expect(asked.status == 0, "\(asked.stderr)")
        let request: [String: Any] = [
            "identifier": "1", "password_identifier": "1", "requester": "jsilva", "justification": "INC-7",
            "minutes": 30,
        ]
        var pending = request
        pending.merge(["state": "pending", "approvals": 0, "expires_at": NSNull()]) { $1 }
        let own = try lines("requests", "--as", "jsilva", "--json")
        try #require(own.count == 1)
        expect(own[0], pending, times: ["created_at"])
        let toDecide = try lines("requests", "--as", "pduarte", "--json")
        try #require(toDecide.count == 1)
        expect(toDecide[0], pending, times: ["created_at"])
        #expect(try pw("approve", "1", "--as", "npass").status == 0)
        var approved = request
        approved.merge(["state": "approved", "approvals": 1]) { $1 }
        let after = try lines("requests", "--as", "jsilva", "--json")
        try #require(after.count == 1)
        expect(after[0], approved, times: ["created_at", "expires_at"])
        #expect(try lines("requests", "--as", "pduarte", "--json").isEmpty)
    }

    @Test func completionScriptsNameTheSubcommands() throws {
        for shell in ["bash", "zsh", "fish"] {
            let run = try PWVaultRun.run(["--generate-completion-script", shell])
            #expect(run.status == 0, "\(shell): \(run.stderr)")
            for word in ["pwvault", "history", "requests", "audit", "reveal", "json"] {
                #expect(run.stdout.contains(word), "\(shell) script without \(word)")
            }
        }
    }
}
