import Foundation
import PasswordVault
import Testing

/// `pwvault audit`, `audit verify`, `audit export` and `audit verify --file`
/// (docs/contract.md §12, §9's exit codes), over a SQLite vault file.
@Suite("pwvault audit", .serialized)
struct AuditCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    /// npass (1) owns entry 1 shared with mcosta (2, viewer); mcosta reveals it, a stranger is refused.
    func makeTrail() throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        for (name, id) in [("npass", "1"), ("mcosta", "2"), ("stranger", "3")] {
            #expect(try pw("user", "add", name, "--id", id).status == 0)
        }
        let created = try pw(
            "create", "--as", "npass", "--name", "mail", "--username", "n", "--password-file", "-",
            "--share-user", "mcosta", stdin: "CANARY-first-password\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try pw("reveal", "1", "--as", "mcosta").stdout == "CANARY-first-password\n")
        #expect(try pw("reveal", "1", "--as", "stranger").status == 1)
    }

    @Test func auditListsEveryRecordOldestFirstWithoutASecret() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeTrail()
        let run = try pw("audit")
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.first?.prefix(6) == ["SEQ", "TIME", "ACTOR", "ACTION", "ENTRY", "OUTCOME"])
        // The three users, the create, the reveal, the refusal: one row each, by seq.
        #expect(rows.dropFirst().map { String($0[0]) } == ["1", "2", "3", "4", "5", "6"], "\(run.stdout)")
        #expect(run.stdout.contains(" user_add ") && run.stdout.contains(" create ") && run.stdout.contains(" reveal "))
        #expect(run.stdout.contains("1005"))
        #expect(!run.stdout.contains("CANARY"))

        let json = try pw("audit", "--json")
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(
            lines[3].contains("\"action\":\"create\"")
                && lines[3].contains("\"actor\":{\"id\":1,\"username\":\"npass\"}"))
        #expect(lines[4].contains("\"action\":\"reveal\"") && lines[4].contains("\"fields\":[\"password\"]"))
        #expect(lines[5].contains("\"outcome\":\"1005\"") && lines[5].contains("\"username\":\"stranger\""))
        #expect(lines[0].contains("\"actor\":\"vault\"") && lines[0].contains("\"action\":\"user_add\""))
        #expect(!json.stdout.contains("CANARY"))
    }

    @Test func filtersNarrowTheList() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeTrail()
        func seqs(_ arguments: String...) throws -> [String] {
            let run = try PWVaultRun.run(["audit", "--json"] + arguments, environment: env)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            return run.stdout.split(separator: "\n").map { line in
                String(line.split(separator: ",")[0].dropFirst("{\"seq\":".count))
            }
        }
        #expect(try seqs("--entry", "1") == ["4", "5", "6"])
        #expect(try seqs("--actor", "mcosta") == ["5"])
        #expect(try seqs("--actor", "vault") == ["1", "2", "3"])
        #expect(try seqs("--action", "reveal") == ["5", "6"])
        #expect(try seqs("--since", "2000-01-01") == ["1", "2", "3", "4", "5", "6"])
        #expect(try seqs("--until", "2000-01-01T00:00:00Z").isEmpty)
        #expect(try seqs("--from-seq", "5", "--limit", "1") == ["5"])
        // The owner reads its entry's records; a viewer may not.
        #expect(try seqs("--entry", "1", "--as", "npass") == ["4", "5", "6"])
        let viewer = try pw("audit", "--entry", "1", "--as", "mcosta")
        #expect(viewer.status == 1 && viewer.stderr == "1006: User does not have access\n")
        let unknownAction = try pw("audit", "--action", "peek")
        #expect(unknownAction.status == 2 && unknownAction.stderr.contains("unknown action"))
        let badTime = try pw("audit", "--since", "yesterday")
        #expect(badTime.status == 2 && badTime.stderr.contains("--since"))
        let unknownUser = try pw("audit", "--actor", "nobody")
        #expect(unknownUser.status == 2 && unknownUser.stderr == "pwvault: unknown user 'nobody'\n")
    }

    @Test func verifyExportAndVerifyTheFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeTrail()
        let verified = try pw("audit", "verify")
        #expect(verified.status == 0 && verified.stdout == "intact, 6 records\n", "\(verified.stderr)")

        let file = folder.appendingPathComponent("trail.jsonl").path
        let exported = try pw("audit", "export", file)
        #expect(
            exported.status == 0 && exported.stdout == "Exported 6 audit records to \(file)\n", "\(exported.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text == (try pw("audit", "--json").stdout))
        #expect(!text.contains("CANARY"))
        let again = try pw("audit", "export", file)
        #expect(again.status == 1 && again.stderr == "pwvault: cannot create \(file): it already exists\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)

        let good = try pw("audit", "verify", "--file", file)
        #expect(good.status == 0 && good.stdout == "intact, 6 records\n", "\(good.stderr)")
        // An edited line breaks the export at its seq, a removed one at the seq that is missing.
        var lines = text.split(separator: "\n").map(String.init)
        lines[4] = lines[4].replacingOccurrences(of: "mcosta", with: "npass")
        let forged = folder.appendingPathComponent("forged.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: forged, atomically: true, encoding: .utf8)
        let broken = try pw("audit", "verify", "--file", forged)
        #expect(broken.status == 1 && broken.stderr == "broken at seq 5: its MAC does not match\n")
        lines = text.split(separator: "\n").map(String.init)
        lines.remove(at: 2)
        let cut = folder.appendingPathComponent("cut.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: cut, atomically: true, encoding: .utf8)
        let missing = try pw("audit", "verify", "--file", cut)
        #expect(missing.status == 1 && missing.stderr == "broken at seq 3: a record is missing or out of order\n")
        let garbage = folder.appendingPathComponent("garbage.jsonl").path
        try "not json\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let unreadable = try pw("audit", "verify", "--file", garbage)
        #expect(
            unreadable.status == 1 && unreadable.stderr.hasPrefix("pwvault: line 1 of the audit export is not a record")
        )
    }

    /// An edit of the vault file's trail (with sqlite3, as someone with write access to the
    /// file) is found, naming the seq; so is a record cut from the tail.
    @Test func verifyNamesTheFirstBrokenSeqOfAnEditedVaultFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeTrail()
        try sqlite("UPDATE audit_record SET action = 'code' WHERE seq = 5")
        let edited = try pw("audit", "verify")
        #expect(edited.status == 1 && edited.stderr == "broken at seq 5: its MAC does not match\n", "\(edited.stderr)")
        try sqlite("UPDATE audit_record SET action = 'reveal' WHERE seq = 5")
        #expect(try pw("audit", "verify").status == 0)
        try sqlite("DELETE FROM audit_record WHERE seq = 6")
        let truncated = try pw("audit", "verify")
        #expect(truncated.status == 1 && truncated.stderr == "broken at seq 6: the trail ends before its head\n")
    }

    private func sqlite(_ statement: String) throws {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = [
            "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path,
            statement,
        ]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
    }
}
