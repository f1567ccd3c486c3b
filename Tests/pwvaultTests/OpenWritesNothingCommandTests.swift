import Foundation
import Testing

/// docs/contract.md §16: opening a vault writes nothing, whatever the command and even when
/// the passphrase is wrong.
@Suite("pwvault leaves the vault's bytes as they were when it only reads", .serialized)
struct OpenWritesNothingCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-open-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String..., env extra: [String: String] = [:]) throws -> PWVaultRun {
        try PWVaultRun.run(arguments, environment: env.merging(extra) { $1 })
    }

    /// The bytes of the database and of its `-wal` and `-shm`, `nil` for a missing one.
    func snapshot() -> [String: Data?] {
        var files: [String: Data?] = [:]
        for suffix in ["", "-wal", "-shm"] { files[suffix] = FileManager.default.contents(atPath: path + suffix) }
        return files
    }

    @Test func listRevealAndAWrongPassphraseChangeNoByte() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "npass", "--id", "1").status == 0)
        let created = try pw("create", "--as", "npass", "--name", "mail", "--password", "s3cret!")
        #expect(created.status == 0, "\(created.stderr)")
        let before = snapshot()
        #expect(before[""]??.isEmpty == false)

        let list = try pw("list", "--as", "npass")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("mail"))
        #expect(snapshot() == before, "list changed the files")

        let reveal = try pw("reveal", "1", "--as", "npass")
        #expect(reveal.stdout == "s3cret!\n")
        #expect(snapshot() == before, "reveal changed the files")

        let wrong = try pw("list", "--as", "npass", env: ["PWVAULT_PASSPHRASE": "wrong"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "pwvault: the passphrase or key does not open this vault\n")
        #expect(snapshot() == before, "a wrong passphrase changed the files")
    }
}

/// docs/storage.md: a read never waits for a writer, even one in another process.
@Suite("pwvault reads while another process holds the write lock", .serialized)
struct ReadsDoNotWaitCommandTests {
    @Test func listAndRevealSucceedWhileAnotherProcessHoldsTheWriteLock() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vault.db").path
        let env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
        #expect(try PWVaultRun.run(["init", "--cost", "minimum"], environment: env).status == 0)
        #expect(try PWVaultRun.run(["user", "add", "npass", "--id", "1"], environment: env).status == 0)
        let created = try PWVaultRun.run(
            ["create", "--as", "npass", "--name", "mail", "--password", "s3cret!"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")

        // python3 takes the write lock, says so, and keeps it for `holdSeconds`.
        let holdSeconds = 12.0
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(float(sys.argv[2]))
            db.execute("ROLLBACK")
            """,
            path, String(holdSeconds),
        ]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { holder.waitUntilExit() }
        let said = output.fileHandleForReading.availableData
        #expect(String(decoding: said, as: UTF8.self) == "locked\n")
        let started = Date()

        let list = try PWVaultRun.run(["list", "--as", "npass"], environment: env)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("mail"))
        let reveal = try PWVaultRun.run(["reveal", "1", "--as", "npass"], environment: env)
        #expect(reveal.status == 0, "\(reveal.stderr)")
        #expect(reveal.stdout == "s3cret!\n")
        // Both finished while the lock was still held (a loose bound: this is no benchmark).
        #expect(Date().timeIntervalSince(started) < holdSeconds - 2)
        #expect(holder.isRunning)
    }
}

/// docs/contract.md §16: after `passwd` or `rotate-key`, nothing the old passphrase opens stays on disk.
@Suite("pwvault leaves no old header or sealed value after a key change", .serialized)
struct KeyChangeLeavesNothingOldCommandTests {
    /// The bytes of the vault's header and of entry 1's sealed password, read by python3's sqlite3.
    static func stored(_ path: String) throws -> (header: Data, sealed: Data) {
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("SELECT hex(bytes) FROM vault_header").fetchone()[0])
            print(db.execute("SELECT hex(sealed_password) FROM entry WHERE id = 1").fetchone()[0])
            """,
            path,
        ]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reader.waitUntilExit()
        let lines = text.split(separator: "\n").map { hex -> Data in
            Data(stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
            })
        }
        try #require(lines.count == 2 && lines.allSatisfy { $0.count > 16 })
        return (lines[0], lines[1])
    }

    @Test func afterPasswdAndRotateKeyNoOldHeaderOrSealedValueIsInAnyFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-rekey-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vault.db").path
        var env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "old passphrase"]
        #expect(try PWVaultRun.run(["init", "--cost", "minimum"], environment: env).status == 0)
        #expect(try PWVaultRun.run(["user", "add", "npass", "--id", "1"], environment: env).status == 0)
        let created = try PWVaultRun.run(
            ["create", "--as", "npass", "--name", "mail", "--password", "s3cret!"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")

        let first = try Self.stored(path)
        let passwd = try PWVaultRun.run(
            ["passwd", "--cost", "minimum"], environment: env.merging(["PWVAULT_NEW_PASSPHRASE": "new passphrase"]) { $1 })
        #expect(passwd.status == 0, "\(passwd.stderr)")
        env["PWVAULT_PASSPHRASE"] = "new passphrase"
        let second = try Self.stored(path)
        let rotate = try PWVaultRun.run(["rotate-key"], environment: env)
        #expect(rotate.status == 0, "\(rotate.stderr)")
        #expect(try PWVaultRun.run(["reveal", "1", "--as", "npass"], environment: env).stdout == "s3cret!\n")

        let now = try Self.stored(path)
        #expect(now.header != first.header && now.header != second.header && now.sealed != first.sealed)
        for suffix in ["", "-wal", "-shm"] {
            let bytes = FileManager.default.contents(atPath: path + suffix) ?? Data()
            #expect(bytes.range(of: first.header) == nil, "the first header is in vault.db\(suffix)")
            #expect(bytes.range(of: second.header) == nil, "the header before rotate-key is in vault.db\(suffix)")
            #expect(bytes.range(of: first.sealed) == nil, "the old sealed password is in vault.db\(suffix)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(leftovers == ["vault.db"])
    }
}
