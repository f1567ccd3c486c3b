import Foundation
import Testing

/// docs/contract.md §16: `pwvault` reads a vault without writing to it, and a read-only vault
/// file can be read. As root the file's mode stops nothing, so the commands run as `nobody`
/// (through `setpriv`) on a copy in a world-writable folder; as another user, as that user.
@Suite("pwvault on a read-only vault", .serialized)
struct ReadOnlyVaultTests {
    /// Every command closes the vault before it exits: nothing but the vault file is left beside
    /// it (the storage's last connection removes the log), however the process's threads race to
    /// its end. Repeated, since a race shows only now and then.
    @Test func everyCommandLeavesOnlyTheVaultFile() throws {
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("pwvault-close-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let env = [
            "PWVAULT_PATH": folder.appendingPathComponent("vault.db").path, "PWVAULT_PASSPHRASE": "correct horse",
        ]
        #expect(try PWVaultRun.run(["init", "--cost", "minimum"], environment: env).status == 0)
        #expect(try PWVaultRun.run(["user", "add", "alice"], environment: env).status == 0)
        for round in 1...8 {
            for arguments in [
                ["create", "--as", "alice", "--name", "n\(round)", "--username", "a", "--password", "p"],
                ["reveal", "\(round)", "--as", "alice"], ["update", "\(round)", "--as", "alice", "--url", "u"],
            ] {
                let run = try PWVaultRun.run(arguments, environment: env)
                #expect(run.status == 0, "\(arguments): \(run.stderr)")
                let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                #expect(left == ["vault.db"], "after \(arguments)")
            }
        }
    }

    @Test func listWorksOnA0444VaultAndWritesAndRecordedReadsAreRefusedNamingIt() throws {
        let folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("pwvault-ro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(chmod(folder.path, 0o777) == 0)
        let path = folder.appendingPathComponent("vault.db").path
        let env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse"]
        #expect(try PWVaultRun.run(["init", "--cost", "minimum"], environment: env).status == 0)
        #expect(try PWVaultRun.run(["user", "add", "alice"], environment: env).status == 0)
        let created = try PWVaultRun.run(
            ["create", "--as", "alice", "--name", "mail", "--username", "a", "--password", "s3cret!"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(chmod(path, 0o444) == 0)
        let asNobody = getuid() == 0
        func run(_ arguments: [String], passphrase: String = "correct horse") throws -> PWVaultRun {
            var environment = env
            environment["PWVAULT_PASSPHRASE"] = passphrase
            guard asNobody else { return try PWVaultRun.run(arguments, environment: environment) }
            return try PWVaultRun.run(
                ["--reuid=nobody", "--regid=nogroup", "--clear-groups", PWVaultRun.binary.path] + arguments,
                environment: environment, executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
        }
        func files() throws -> [String: Data] {
            var all: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                all[name] = try Data(contentsOf: folder.appendingPathComponent(name))
            }
            return all
        }
        let before = try files()
        #expect(before.keys.sorted() == ["vault.db"])
        let list = try run(["list", "--as", "alice"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("mail"))
        // A reveal's audit record must be durable before the secret leaves (docs/contract.md
        // §12): on a file it cannot write, the reveal fails closed and prints nothing.
        let reveal = try run(["reveal", "1", "--as", "alice"])
        #expect(reveal.status == 3 && reveal.stdout.isEmpty, "\(reveal.stdout)")
        #expect(reveal.stderr.contains("the vault \(path) is open read-only: nothing was written"), "\(reveal.stderr)")
        let wrong = try run(["list", "--as", "alice"], passphrase: "wrong")
        #expect(wrong.status == 1)
        let write = try run(["user", "add", "bob"])
        #expect(write.status == 3)
        #expect(write.stderr.contains("the vault \(path) is open read-only: nothing was written"), "\(write.stderr)")
        // Nothing was written, and no -wal/-shm with the file's mode is left behind.
        #expect(try files() == before)
        // Once the mode is fixed, every command works.
        #expect(chmod(path, 0o666) == 0)
        let added = try run(["user", "add", "bob"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try run(["reveal", "1", "--as", "alice"]).stdout == "s3cret!\n")
    }
}
