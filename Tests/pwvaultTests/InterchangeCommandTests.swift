import Foundation
import Testing

/// `pwvault import` and `pwvault export` (docs/contract.md §15), end to end with Debian's
/// `keepassxc-cli` on the other side. A test that cannot run keepassxc-cli fails.
@Suite("pwvault import and export", .serialized)
struct InterchangeCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]
    static let keepassxc = "/usr/bin/keepassxc-cli"

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = [
            "PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple",
            "PWVAULT_FILE_PASSPHRASE": "file pass",
        ]
    }

    func pw(_ arguments: String..., stdin: String = "", extra: [String: String] = [:]) throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env.merging(extra) { $1 })
    }

    func keepassxc(_ arguments: String..., stdin: String) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: Self.keepassxc) else {
            Issue.record("keepassxc-cli is missing: run `make test-deps`")
            throw CancellationError()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.keepassxc)
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func setUp() throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "alice").status == 0)
        #expect(try pw("user", "add", "bob").status == 0)
    }

    /// keepassxc-cli's database (KDBX 3.1) imports; our export opens in keepassxc-cli.
    @Test func kdbxBothWaysWithKeePassXC() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try setUp()
        let source = folder.appendingPathComponent("cli.kdbx").path
        #expect(
            try keepassxc("db-create", "-q", "-p", "-t", "100", source, stdin: "file pass\nfile pass\n").status == 0)
        #expect(
            try keepassxc(
                "add", "-q", "-u", "alice@example.com", "--url", "https://mail.example", "--notes", "first ✓", "-p",
                source, "Mail", stdin: "file pass\ns3cret\n"
            ).status == 0)
        #expect(try keepassxc("add", "-q", "-p", source, "No user", stdin: "file pass\nx\n").status == 0)
        let imported = try pw("import", source, "--format", "kdbx", "--as", "alice")
        #expect(imported.status == 1, "one entry is refused: \(imported.stderr)")
        #expect(imported.stdout.contains("1: 'Mail' imported as 1\n"))
        #expect(imported.stdout.contains("2: 'No user' NOT imported: 1001: Parameter 'username' was not informed!\n"))
        #expect(imported.stdout.hasSuffix("Imported 1 of 2 entries as alice; 1 refused (listed above)\n"))
        #expect(try pw("reveal", "1", "--as", "alice").stdout == "s3cret\n")

        let wrong = try pw(
            "import", source, "--format", "kdbx", "--as", "alice", extra: ["PWVAULT_FILE_PASSPHRASE": "nope"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("wrong passphrase"))
        #expect(wrong.stderr.contains("nothing was imported"))

        let seed = folder.appendingPathComponent("seed").path
        try Data("JBSWY3DPEHPK3PXP\n".utf8).write(to: URL(fileURLWithPath: seed))
        #expect(try pw("update", "1", "--secret-key-file", seed, "--as", "alice").status == 0)
        let out = folder.appendingPathComponent("out.kdbx").path
        let exported = try pw("export", out, "--format", "kdbx", "--as", "alice")
        #expect(exported.status == 0, "\(exported.stderr)")
        // The update made version 2: version 1 goes into the entry's KDBX History.
        #expect(exported.stdout == "Exported 1 entries with 1 older version(s) to \(out) as kdbx\n")
        let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try keepassxc("ls", "-q", out, stdin: "file pass\n").output == "Mail\n")
        let shown = try keepassxc("show", "-q", "-s", out, "Mail", stdin: "file pass\n").output
        #expect(shown.contains("UserName: alice@example.com\nPassword: s3cret\nURL: https://mail.example\n"))
        #expect(shown.contains("Notes: first ✓\n"))
        let before = try pw("totp", "1", "--as", "alice").stdout
        let theirs = try keepassxc("show", "-q", "-t", out, "Mail", stdin: "file pass\n").output
        let after = try pw("totp", "1", "--as", "alice").stdout
        #expect(theirs == before || theirs == after)
        // An existing file is never replaced.
        #expect(try pw("export", out, "--format", "kdbx", "--as", "alice").status == 2)
        let back = try pw("import", out, "--format", "kdbx", "--as", "bob")
        #expect(back.stdout.contains("1: 'Mail' imported as 2 with 1 older version(s)\n"), "\(back.stderr)")
        #expect(try pw("reveal", "2", "--at-version", "1", "--as", "bob").stdout == "s3cret\n")
        let trail = try pw("audit", "--json")
        #expect(trail.stdout.contains("\"action\":\"import\""))
        #expect(trail.stdout.contains("\"action\":\"export\""))
    }

    /// Bitwarden JSON needs --plaintext and warns; it round-trips through import.
    @Test func bitwardenJSONNeedsPlaintext() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try setUp()
        #expect(
            try pw(
                "create", "--as", "alice", "--name", "Mail", "--username", "a", "--password-file", "-", "--tags",
                "work, mail", stdin: "pw1\n"
            ).status == 0)
        #expect(try pw("update", "1", "--password-file", "-", "--as", "alice", stdin: "pw2 ✓\n").status == 0)
        let out = folder.appendingPathComponent("bw.json").path
        let refused = try pw("export", out, "--format", "bitwarden-json", "--as", "alice")
        #expect(refused.status != 0 && refused.stderr.contains("--plaintext"))
        let written = try pw("export", out, "--format", "bitwarden-json", "--as", "alice", "--plaintext")
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stderr.contains("NOT encrypted"))
        // The earlier password goes to passwordHistory (docs/contract.md §15).
        #expect(written.stdout == "Exported 1 entries with 1 earlier password(s) to \(out) as bitwarden-json\n")
        let imported = try pw("import", out, "--format", "bitwarden-json", "--as", "bob")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("1: 'Mail' imported as 2 with 1 older version(s)\n"))
        #expect(imported.stdout.hasSuffix("Imported 1 of 1 entries as bob\n"))
        #expect(try pw("reveal", "2", "--as", "bob").stdout == "pw2 ✓\n")
        #expect(try pw("reveal", "2", "--at-version", "1", "--as", "bob").stdout == "pw1\n")
        let trail = try pw("audit", "--json")
        #expect(trail.stdout.contains("versions=1"), "\(trail.stdout)")
    }
}
