import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `pwvault` hardening (docs/contract.md §9): secrets not as arguments, no core dumps, signals,
/// exit codes.
extension VaultCommandTests {
    @Test func secretsComeFromFilesOrStandardInput() throws {
        try makeVault()
        let password = folder.appendingPathComponent("password.txt")
        try "s3cret with spaces \n".write(to: password, atomically: true, encoding: .utf8)
        let notes = folder.appendingPathComponent("notes.txt")
        try "line one\nline two\n".write(to: notes, atomically: true, encoding: .utf8)
        let created = try pw(
            "create", "--as", "npass", "--name", "n", "--username", "u", "--password-file", password.path,
            "--notes-file", notes.path, "--secret-key-file", "-", stdin: "JBSWY3DPEHPK3PXP\n")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try pw("reveal", "1", "--as", "npass").stdout == "s3cret with spaces \n")
        #expect(try pw("reveal", "1", "--as", "npass", "--field", "notes").stdout == "line one\nline two\n")
        #expect(try pw("reveal", "1", "--as", "npass", "--field", "secret-key").stdout == "JBSWY3DPEHPK3PXP\n")
        #expect(try pw("update", "1", "--as", "npass", "--password-file", "-", stdin: "next\n").status == 0)
        #expect(try pw("reveal", "1", "--as", "npass").stdout == "next\n")
        let code = try pw("code", "--secret-file", "-", "--time", "59", stdin: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n")
        #expect(code.stdout == "287082\n")
        let uri = try pw(
            "code", "--uri-file", "-", "--time", "59",
            stdin: "otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n")
        #expect(uri.stdout == "287082\n")
        let both = try pw(
            "create", "--as", "npass", "--name", "n", "--username", "u", "--password-file", "-", "--notes-file", "-")
        #expect(both.status == 2)
        #expect(both.stderr == "pwvault: only one option may read standard input (-)\n")
        for arguments in [["create"], ["code"]] {
            let help = try PWVaultRun.run(arguments + ["--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
                .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            #expect(
                help.contains("Arguments are visible to other local users (/proc/PID/cmdline) and in shell history"))
        }
    }

    @Test func createWithoutAPasswordAndNoTerminalNamesThePasswordBeforeOpeningTheVault() throws {
        try makeVault()
        // A wrong passphrase: had the vault been opened first, that would be the error.
        var bare = env
        bare["PWVAULT_PASSPHRASE"] = "wrong"
        let run = try PWVaultRun.run(
            ["create", "--as", "npass", "--name", "n", "--username", "u"], environment: bare, detachTerminal: true)
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "pwvault: no password: give --password-file (- for stdin) or --generate, or run in a terminal\n")
    }

    @Test func anEmptyNewPassphraseIsRefused() throws {
        let empty = folder.appendingPathComponent("empty.txt")
        try "\n".write(to: empty, atomically: true, encoding: .utf8)
        let message = "pwvault: the passphrase is empty: a vault needs a passphrase\n"
        let initEmpty = try pw("init", "--cost", "minimum", env: ["PWVAULT_PASSPHRASE": ""])
        #expect(initEmpty.status == 2)
        #expect(initEmpty.stderr == message)
        let initFile = try pw("init", "--cost", "minimum", "--passphrase-file", empty.path)
        #expect(initFile.status == 2)
        #expect(initFile.stderr == message)
        #expect(!FileManager.default.fileExists(atPath: path))
        try makeVault()
        let passwd = try pw("passwd", "--new-passphrase-file", empty.path)
        #expect(passwd.status == 2)
        #expect(passwd.stderr == message)
        #expect(try pw("passwd", env: ["PWVAULT_NEW_PASSPHRASE": ""]).stderr == message)
        #expect(try pw("user", "list").status == 0)  // the old passphrase still opens it
    }

    /// The header's Argon2id opslimit and memlimit (docs/format.md §3: bytes 22–37, big-endian).
    func headerCost() throws -> String {
        let script = """
            import sqlite3, struct, sys
            b = sqlite3.connect(sys.argv[1]).execute("SELECT bytes FROM vault_header").fetchone()[0]
            print(*struct.unpack(">QQ", b[22:38]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func passwdKeepsTheVaultsCostUnlessToldOtherwise() throws {
        try makeVault()
        let minimum = "1 8192"
        #expect(try headerCost() == minimum)
        #expect(try pw("passwd", env: ["PWVAULT_NEW_PASSPHRASE": "second one"]).status == 0)
        #expect(try headerCost() == minimum)
        let told = try pw(
            "passwd", "--cost", "interactive",
            env: ["PWVAULT_PASSPHRASE": "second one", "PWVAULT_NEW_PASSPHRASE": "third one"])
        #expect(told.status == 0)
        #expect(try headerCost() == "2 67108864")
    }

    @Test func passwdLosingTheHeadersCompareAndSetIsAConflict() throws {
        try makeVault()
        // The slow one opens the vault, then spends ~0.5 s on Argon2id (moderate) before it writes.
        let slow = Process()
        slow.executableURL = PWVaultRun.binary
        slow.arguments = ["passwd", "--cost", "moderate"]
        slow.environment = env.merging(["PWVAULT_NEW_PASSPHRASE": "slow"]) { $1 }
        let errors = Pipe()
        slow.standardError = errors
        slow.standardOutput = Pipe()
        try slow.run()
        usleep(150_000)
        let fast = try pw("passwd", env: ["PWVAULT_NEW_PASSPHRASE": "fast"])
        #expect(fast.status == 0, "\(fast.stderr)")
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        slow.waitUntilExit()
        #expect(slow.terminationStatus == 1)
        #expect(
            stderr
                == "pwvault: the vault was changed by another writer meanwhile (its passphrase or keys); nothing was changed: open it again and retry\n"
        )
        #expect(try pw("user", "list", env: ["PWVAULT_PASSPHRASE": "fast"]).status == 0)
    }

    @Test func exitCodesFollowTheContract() throws {
        let bare = try PWVaultRun.run([])
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("USAGE: pwvault <subcommand>"))
        let count = try PWVaultRun.run(["generate", "--count", "0"])
        #expect(count.status == 2)
        #expect(count.stderr.hasPrefix("Error: --count must be at least 1, not 0."))
        let length = try PWVaultRun.run(["generate", "--length", "3"])
        #expect(length.status == 2)
        #expect(length.stderr.hasPrefix("Error: "))
        #expect(length.stdout == "")
    }

    @Test func anUnexpectedErrorIsPrintedOnce() throws {
        let bogus = folder.appendingPathComponent("bogus.db")
        try Data(repeating: 0x41, count: 4096).write(to: bogus)
        let run = try pw("api", "GET", "api/mysafe/password", "--as", "x", env: ["PWVAULT_PATH": bogus.path])
        #expect(run.status == 3)
        #expect(run.stderr.components(separatedBy: "Unexpected error.").count <= 2)
    }

    /// A pwvault process blocked reading its passphrase from a FIFO, with its /proc status read.
    @Test func coreDumpsAreOffForPwvault() throws {
        try makeVault()
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // As another user (nobody), so that /proc/PID's owner shows whether the process is dumpable:
        // the kernel makes it root when it is not.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", PWVaultRun.binary.path, "user", "list",
            "--passphrase-file", fifo,
        ]
        process.environment = ["PWVAULT_PATH": path]
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let pid = process.processIdentifier
        var limits = ""
        for _ in 0..<200 {
            usleep(10_000)
            limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
            if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"),
                exe.hasSuffix("/pwvault"), limits.contains("Max core file size        0                    0")
            {
                break
            }
        }
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") } ?? ""
        #expect(
            line.split(separator: " ", omittingEmptySubsequences: true).prefix(6) == [
                "Max", "core", "file", "size", "0", "0",
            ])
        var info = stat()
        #expect(stat("/proc/\(pid)/status", &info) == 0)
        #expect(info.st_uid == 0)  // not dumpable (it would be 65534, the process's own user)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        #expect(status.contains("Uid:\t65534"))
    }
}
