import Foundation
import PasswordVault
import Testing

/// `pwvault history`, `reveal --at-version` and `restore` (docs/contract.md §11, §9's exit codes).
@Suite("pwvault history", .serialized)
struct HistoryCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    /// npass (1) owns entry 1, pduarte (2) edits it, mcosta (3) views it; two versions.
    func makeEntryWithTwoVersions() throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        for (name, id) in [("npass", "1"), ("pduarte", "2"), ("mcosta", "3"), ("stranger", "4")] {
            #expect(try pw("user", "add", name, "--id", id).status == 0)
        }
        let created = try pw(
            "create", "--as", "npass", "--name", "mail", "--username", "n", "--password-file", "-",
            "--share-user", "pduarte:edit", "--share-user", "mcosta", stdin: "first password\n")
        #expect(created.status == 0, "\(created.stderr)")
        let updated = try pw("update", "1", "--as", "pduarte", "--password-file", "-", stdin: "second password\n")
        #expect(updated.status == 0, "\(updated.stderr)")
    }

    @Test func historyListsTheVersionsAndRevealShowsAnOldOne() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeEntryWithTwoVersions()
        let history = try pw("history", "1", "--as", "npass")
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("VERSION"))
        #expect(lines[1].hasPrefix("2 (current)") && lines[1].contains("pduarte") && lines[1].contains("password"))
        #expect(lines[2].hasPrefix("1 ") && lines[2].contains("npass"))
        #expect(!history.stdout.contains("first password") && !history.stdout.contains("second password"))

        let old = try pw("reveal", "1", "--at-version", "1", "--as", "pduarte")
        #expect(old.status == 0 && old.stdout == "first password\n", "\(old.stderr)")
        let current = try pw("reveal", "1", "--at-version", "2", "--as", "npass")
        #expect(current.stdout == "second password\n")
    }

    @Test func restoreWritesANewVersionWithTheOldPassword() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeEntryWithTwoVersions()
        let restored = try pw("restore", "1", "1", "--as", "pduarte")
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout == "Restored 1 to the content of version 1: now version 3\n")
        #expect(try pw("reveal", "1", "--as", "mcosta").stdout == "first password\n")
        #expect(try pw("history", "1", "--as", "npass").stdout.split(separator: "\n").count == 4)
    }

    @Test func refusalsExitOneWithTheCatalogueMessage() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeEntryWithTwoVersions()
        let cases: [([String], String)] = [
            (["history", "1", "--as", "mcosta"], "1006: User does not have access\n"),
            (["history", "1", "--as", "stranger"], "1005: Password not found\n"),
            (["reveal", "1", "--at-version", "1", "--as", "mcosta"], "1006: User does not have access\n"),
            (["reveal", "1", "--at-version", "7", "--as", "npass"], "1011: Version not found\n"),
            (["restore", "1", "9", "--as", "pduarte"], "1011: Version not found\n"),
            (["restore", "1", "1", "--as", "stranger"], "1005: Password not found\n"),
        ]
        for (arguments, message) in cases {
            let run = try PWVaultRun.run(arguments, environment: env)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.stderr == message, "\(arguments)")
            #expect(run.stdout.isEmpty, "\(arguments)")
        }
        // Not a version number: a usage error.
        #expect(try pw("restore", "1", "one", "--as", "npass").status == 2)
        #expect(try pw("reveal", "1", "--at-version", "-1", "--as", "npass").status == 2)
    }
}
