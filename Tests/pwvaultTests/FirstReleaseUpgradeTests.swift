import Foundation
import StorageConformance
import Synchronization
import Testing

/// Today's `pwvault` on a copy of the vault the first release's `pwvault` made
/// (Fixtures/first-release/first-release.db; README.md there lists its contents): it opens,
/// upgrades, and shows exactly what the first release stored (issue 13; docs/contract.md §7,
/// §9, §11). The command line keeps SQLite vaults only, so the single-file fixture is checked
/// through the library (FirstReleaseFileUpgradeTests).
@Suite("pwvault opens a first-release vault", .serialized)
struct FirstReleaseUpgradeTests {
    let folder: TemporaryFolder
    let path: String
    let env: [String: String]

    init() throws {
        folder = try TemporaryFolder(prefix: "pwvault-first-release")
        path = try FirstReleaseFixture.sqlite.copy(into: folder)
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": FirstReleaseFixture.passphrase]
    }

    func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    /// Runs `arguments` and expects exit 0, `stdout` exactly and nothing on stderr.
    func expectOutput(
        _ arguments: [String], _ stdout: String, stdin: String = "", sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let run = try PWVaultRun.run(arguments, stdin: stdin, environment: env)
        #expect(run.status == 0, "\(arguments): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout == stdout, "\(arguments)", sourceLocation: sourceLocation)
        #expect(run.stderr.isEmpty, "\(arguments)", sourceLocation: sourceLocation)
    }

    @Test func listShowsEachUsersEntriesAsTheFirstReleaseDid() throws {
        defer { folder.remove() }
        // The tables the first release's `pwvault list` printed for this file.
        try expectOutput(
            ["list", "--as", "alice"],
            """
            ID  NAME  USERNAME           URL                       TAGS         ROLE   ACTIVE
            1   mail  alice@example.com  https://mail.example.com  work, email  owner  yes

            """)
        try expectOutput(
            ["list", "--as", "bob"],
            """
            ID  NAME    USERNAME           URL                       TAGS         ROLE    ACTIVE
            1   mail    alice@example.com  https://mail.example.com  work, email  editor  yes
            2   server  root               ssh://server.example.com               owner   yes

            """)
        try expectOutput(
            ["list", "--as", "carol"],
            """
            ID  NAME    USERNAME  URL                       TAGS  ROLE    ACTIVE
            2   server  root      ssh://server.example.com        viewer  yes

            """)
        try expectOutput(
            ["list", "--as", "carol", "--include-disabled"],
            """
            ID  NAME      USERNAME  URL                       TAGS    ROLE    ACTIVE
            2   server    root      ssh://server.example.com          viewer  yes
            3   old wiki  carol                               legacy  owner   no

            """)
        try expectOutput(["user", "list"], "1\talice\n2\tbob\n3\tcarol\n")
        try expectOutput(["group", "list"], "ops\tbob\n")
        try expectOutput(["history-depth"], "10\n")

        // The upgrade of the trail (docs/contract.md §12): lists record nothing, so the header
        // still lacks the audit key and the trail is empty; the first recorded call (a reveal)
        // adds the key in one commit with the upgrade's record, and the chain verifies.
        try expectOutput(["audit", "verify"], "intact, 0 records\n")
        try expectOutput(["reveal", "1", "--as", "alice"], "alice-mail-pw-1\n")
        let trail = try PWVaultRun.run(["audit", "--json"], environment: env)
        let lines = trail.stdout.split(separator: "\n")
        #expect(trail.status == 0 && lines.count == 2, "\(trail.stdout)\(trail.stderr)")
        #expect(lines.first?.contains("\"actor\":\"vault\",\"action\":\"key_rotation\",\"entry\":null") == true)
        #expect(lines.first?.contains("\"fields\":[\"audit_key\"]") == true)
        #expect(lines.last?.contains("\"action\":\"reveal\",\"entry\":\"1\"") == true)
        try expectOutput(["audit", "verify"], "intact, 2 records\n")
    }

    @Test func revealAndTOTPGiveTheSecretsTheFirstReleaseSealed() throws {
        defer { folder.remove() }
        try expectOutput(["reveal", "1", "--as", "bob"], "alice-mail-pw-1\n")
        try expectOutput(["reveal", "1", "--as", "alice", "--field", "notes"], "recovery codes: 1111 2222\n")
        try expectOutput(
            ["reveal", "1", "--as", "bob", "--field", "secret-key"], FirstReleaseFixture.secretKey + "\n")
        try expectOutput(
            ["totp", "1", "--as", "bob", "--time", String(FirstReleaseFixture.codeTime)],
            FirstReleaseFixture.codeAtTime + "\n")
        try expectOutput(["reveal", "2", "--as", "carol"], "bob-server-pw-2\n")
        try expectOutput(["reveal", "2", "--as", "bob", "--field", "notes"], "rotated once\n")
        // The disabled entry keeps its secrets closed: 1007, exit 1.
        let disabled = try pw("reveal", "3", "--as", "carol")
        #expect(disabled.status == 1 && disabled.stdout.isEmpty)
        #expect(disabled.stderr == "1007: Password is disabled\n")
    }

    @Test func historyShowsOneVersionPerEntryItsCurrentOne() throws {
        defer { folder.remove() }
        // changed_at is the first release's updated_at; by is the owner; no changed fields known.
        try expectOutput(
            ["history", "1", "--as", "alice"],
            """
            VERSION      CHANGED AT                BY     CHANGED  NAME  USERNAME           URL                       TAGS
            1 (current)  2026-12-02T04:17:20.724Z  alice           mail  alice@example.com  https://mail.example.com  work, email

            """)
        try expectOutput(
            ["history", "2", "--as", "bob"],
            """
            VERSION      CHANGED AT                BY   CHANGED  NAME    USERNAME  URL                       TAGS
            2 (current)  2026-12-02T04:17:21.044Z  bob           server  root      ssh://server.example.com  \n
            """)
        try expectOutput(
            ["history", "3", "--as", "carol"],
            """
            VERSION      CHANGED AT                BY     CHANGED  NAME      USERNAME  URL  TAGS
            2 (current)  2026-12-02T04:17:21.138Z  carol           old wiki  carol          legacy

            """)
        // The current version is a version: reveal by its number; there is no older one.
        try expectOutput(["reveal", "2", "--at-version", "2", "--as", "bob"], "bob-server-pw-2\n")
        let older = try pw("reveal", "2", "--at-version", "1", "--as", "bob")
        #expect(older.status == 1 && older.stderr == "1011: Version not found\n")
    }

    @Test func aWrongPassphraseFailsAndLeavesTheFileAsTheFirstReleaseWroteIt() throws {
        defer { folder.remove() }
        let before = try Data(contentsOf: URL(fileURLWithPath: FirstReleaseFixture.sqlite.checkedInPath))
        let wrong = try PWVaultRun.run(
            ["list", "--as", "alice"], environment: ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "first-release"])
        #expect(wrong.status == 1)
        #expect(wrong.stdout.isEmpty)
        #expect(wrong.stderr == "pwvault: the passphrase or key does not open this vault\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["first-release.db"])
        // The right one then opens and upgrades it.
        let right = try pw("reveal", "1", "--as", "alice")
        #expect(right.status == 0 && right.stdout == "alice-mail-pw-1\n", "\(right.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != before)
    }

    @Test func processesOpeningItAtOnceAllSeeTheUpgradedVault() throws {
        defer { folder.remove() }
        // Each process's first read migrates the schema; one that finds a migration another
        // has just applied starts again from what is applied (before: `duplicate column name`).
        let expected = """
            ID  NAME    USERNAME           URL                       TAGS         ROLE    ACTIVE
            1   mail    alice@example.com  https://mail.example.com  work, email  editor  yes
            2   server  root               ssh://server.example.com               owner   yes

            """
        for round in 0..<3 {
            let copy = folder.file("round-\(round).db")
            try FileManager.default.copyItem(atPath: FirstReleaseFixture.sqlite.checkedInPath, toPath: copy)
            let environment = ["PWVAULT_PATH": copy, "PWVAULT_PASSPHRASE": FirstReleaseFixture.passphrase]
            let runs = Mutex<[Int: PWVaultRun]>([:])
            DispatchQueue.concurrentPerform(iterations: 6) { index in
                let run = try? PWVaultRun.run(["list", "--as", "bob"], environment: environment)
                runs.withLock { $0[index] = run }
            }
            for index in 0..<6 {
                let run = runs.withLock { $0[index] }
                #expect(run?.status == 0, "round \(round), process \(index): \(run?.stderr ?? "did not run")")
                #expect(run?.stdout == expected && run?.stderr == "", "round \(round), process \(index)")
            }
        }
    }

    @Test func anUpdateMakesTheNextVersionAndKeepsTheFirstReleasesInHistory() throws {
        defer { folder.remove() }
        try expectOutput(
            ["update", "2", "--as", "bob", "--password-file", "-"], "Updated 2: server\n", stdin: "bob-server-pw-3\n")
        let history = try pw("history", "2", "--as", "bob")
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 4, "\(history.stdout)")
        guard lines.count == 4 else { return }
        #expect(
            lines[0]
                == "VERSION      CHANGED AT                BY   CHANGED   NAME    USERNAME  URL                       TAGS"
        )
        // The new version's time is now's.
        #expect(
            lines[1].wholeMatch(
                of:
                    #/3 \(current\)  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  bob  password  server  root      ssh://server\.example\.com  /#
            ) != nil, "\(lines[1])")
        #expect(
            lines[2]
                == "2            2026-12-02T04:17:21.044Z  bob            server  root      ssh://server.example.com  ")
        #expect(lines[3].isEmpty)
        try expectOutput(["reveal", "2", "--as", "carol"], "bob-server-pw-3\n")
        try expectOutput(["reveal", "2", "--at-version", "2", "--as", "bob"], "bob-server-pw-2\n")
        try expectOutput(["reveal", "2", "--at-version", "2", "--as", "bob", "--field", "notes"], "rotated once\n")
    }
}
