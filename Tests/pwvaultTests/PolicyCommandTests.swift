import Foundation
import PasswordVault
import Testing

/// `pwvault` with the access policies (docs/contract.md §13): share rights, policies on create
/// and update, `--justification`, `request`, `approve`, `deny`, `requests`.
@Suite("pwvault access policies", .serialized)
struct PolicyCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    /// npass (1) owns entry 1; pduarte (2) edits it; mcosta (3) views it without reveal; jsilva (4)
    /// views it; stranger (5) has nothing.
    func makeVault(_ policy: String...) throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        for (name, id) in [("npass", "1"), ("pduarte", "2"), ("mcosta", "3"), ("jsilva", "4"), ("stranger", "5")] {
            #expect(try pw("user", "add", name, "--id", id).status == 0)
        }
        let created = try PWVaultRun.run(
            [
                "create", "--as", "npass", "--name", "db", "--username", "svc", "--password-file", "-",
                "--secret-key", "JBSWY3DPEHPK3PXP", "--share-user", "pduarte:edit", "--share-user", "mcosta:noreveal",
                "--share-user", "jsilva",
            ] + policy, stdin: "s3cret!\n", environment: env)
        #expect(created.status == 0, "\(created.stderr)")
    }

    @Test func noRevealSharesUseTheCodeButSeeNoSecret() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault()
        let get = try pw("get", "1", "--as", "npass")
        #expect(get.stdout.contains("pduarte (edit), mcosta (noreveal), jsilva"), "\(get.stdout)")
        #expect(try pw("get", "1", "--as", "mcosta").stdout.contains("your role   viewer, no reveal"))
        let refused = try pw("reveal", "1", "--as", "mcosta")
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        #expect(refused.stderr == "1006: User does not have access\n")
        let code = try pw("totp", "1", "--as", "mcosta")
        #expect(code.status == 0 && code.stdout.count == 7, "\(code.stderr)")
        #expect(try pw("list", "--as", "mcosta").stdout.contains("viewer, noreveal"))
        #expect(try pw("reveal", "1", "--as", "jsilva").stdout == "s3cret!\n")
    }

    @Test func justificationIsAskedAndRecorded() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault("--need-justify")
        let missing = try pw("reveal", "1", "--as", "jsilva")
        #expect(missing.status == 1 && missing.stderr == "1009: Justification is required\n", "\(missing.stderr)")
        let given = try pw("reveal", "1", "--as", "jsilva", "--justification", "INC-42")
        #expect(given.status == 0 && given.stdout == "s3cret!\n", "\(given.stderr)")
        #expect(try pw("totp", "1", "--as", "jsilva").stderr == "1009: Justification is required\n")
        #expect(try pw("history", "1", "--as", "pduarte").stderr == "1009: Justification is required\n")
        #expect(try pw("history", "1", "--as", "pduarte", "--justification", "review").status == 0)
        #expect(try pw("reveal", "1", "--as", "npass").stdout == "s3cret!\n")
        let trail = try pw("audit", "--json", "--entry", "1", "--action", "reveal")
        #expect(trail.stdout.contains("\"justification\":\"INC-42\""), "\(trail.stdout)")
        #expect(try pw("list", "--as", "jsilva").stdout.contains("justify"))
        // Only the owner sets policies.
        let editor = try pw("update", "1", "--as", "pduarte", "--no-need-justify")
        #expect(editor.status == 1 && editor.stderr == "1006: User does not have access\n")
        #expect(try pw("update", "1", "--as", "npass", "--no-need-justify").status == 0)
        #expect(try pw("reveal", "1", "--as", "jsilva").status == 0)
    }

    @Test func requestApproveDenyAndRequests() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeVault("--need-approval", "2")
        #expect(try pw("reveal", "1", "--as", "jsilva").stderr == "1010: Access requires approval\n")
        let request = try pw("request", "1", "--as", "jsilva", "--justification", "INC-7", "--minutes", "30")
        #expect(request.status == 0, "\(request.stderr)")
        #expect(request.stdout == "Access request registered: 1 (30 minutes once approved)\n")
        let listed = try pw("requests", "--as", "pduarte")
        #expect(
            listed.stdout.contains("jsilva") && listed.stdout.contains("pending") && listed.stdout.contains("INC-7"))
        let own = try pw("approve", "1", "--as", "jsilva")
        #expect(own.status == 1 && own.stderr == "1006: User does not have access\n")
        let first = try pw("approve", "1", "--as", "pduarte")
        #expect(first.status == 0 && first.stdout.hasPrefix("Access request approved\n"), "\(first.stderr)")
        #expect(first.stdout.contains("pending, 1 approval(s)"))
        #expect(try pw("approve", "1", "--as", "pduarte").stderr == "1006: User does not have access\n")
        let second = try pw("approve", "1", "--as", "npass")
        #expect(second.stdout.contains("approved, 2 approval(s), grant until "), "\(second.stdout)")
        #expect(try pw("reveal", "1", "--as", "jsilva").stdout == "s3cret!\n")
        // Another request, denied by one approver.
        #expect(try pw("request", "1", "--as", "mcosta", "--justification", "code only").status == 0)
        let denied = try pw("deny", "2", "--as", "npass")
        #expect(denied.status == 0 && denied.stdout.hasPrefix("Access request denied\n"))
        #expect(try pw("totp", "1", "--as", "mcosta").stderr == "1010: Access requires approval\n")
        let unknown = try pw("approve", "nine", "--as", "npass")
        #expect(unknown.status == 1 && unknown.stderr == "1005: Password not found\n")
        let blank = try pw("request", "1", "--as", "mcosta")
        #expect(blank.status == 1 && blank.stderr == "1001: Parameter 'justification' was not informed!\n")
        // Removing jsilva's share ends the grant and, as she saw the password, asks for rotation.
        #expect(
            try pw("update", "1", "--as", "npass", "--share-user", "pduarte:edit", "--share-user", "mcosta:noreveal")
                .status == 0)
        #expect(try pw("requests", "--as", "jsilva").stdout.contains("revoked"))
        #expect(try pw("get", "1", "--as", "npass").stdout.contains("rotate      yes"))
        #expect(try pw("list", "--as", "npass").stdout.contains("rotate"))
        #expect(try pw("update", "1", "--as", "pduarte", "--generate").status == 0)
        #expect(try pw("get", "1", "--as", "npass").stdout.contains("rotate      no"))
    }
}
