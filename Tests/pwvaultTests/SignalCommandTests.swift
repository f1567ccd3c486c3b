import Foundation
import Testing

/// Signals (docs/contract.md §9): Ctrl-C (SIGINT) or SIGTERM at a no-echo prompt gives the
/// terminal its echo back, and an interrupted `pwvault demo` leaves nothing in $TMPDIR.
///
/// The prompt runs on a real pseudo-terminal (python3's `os.openpty`, the terminal of a new
/// session): the helper waits until the prompt is written *and* the terminal's echo is off —
/// `pwvault` is then reading the passphrase — sends the signal, and reads the mode of the same
/// terminal with `stty -a` once `pwvault` has ended.
@Suite("pwvault under signals")
struct SignalCommandTests {
    static let ptyHelper = #"""
        import fcntl, json, os, select, signal, subprocess, sys, termios, time
        binary, signame, prompt = sys.argv[1], sys.argv[2], sys.argv[3].encode()
        arguments = sys.argv[4:]
        master, slave = os.openpty()
        name = os.ttyname(slave)
        pid = os.fork()
        if pid == 0:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            os.execv(binary, [binary] + arguments)
        def echo():
            return bool(termios.tcgetattr(slave)[3] & termios.ECHO)
        echo_before = echo()
        shown, deadline = b"", time.monotonic() + 60
        while not (prompt in shown and not echo()):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                sys.exit("the prompt never came with echo off; the terminal showed: %r" % shown)
            if select.select([master], [], [], 0.05)[0]:
                shown += os.read(master, 4096)
        os.kill(pid, getattr(signal, signame))
        deadline = time.monotonic() + 30
        while True:
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                sys.exit("pwvault did not end within 30 s of " + signame)
            if select.select([master], [], [], 0.05)[0]:
                os.read(master, 4096)
        stty = subprocess.run(["stty", "-a", "-F", name], capture_output=True, text=True).stdout
        print(json.dumps({
            "echo_before": echo_before,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "stty": stty,
        }))
        """#

    struct PromptOutcome: Decodable {
        var echo_before: Bool
        var signal: Int32?
        var exit: Int32?
        var stty: String

        /// Whether `stty -a` lists `echo` (and not `-echo`) among the modes.
        var echoIsOn: Bool {
            stty.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == ";" }).contains("echo")
        }
    }

    /// Runs `pwvault arguments` on a new pseudo-terminal, sends `signal` at `prompt`.
    static func interruptPrompt(
        _ arguments: [String], prompt: String, signal: String, environment: [String: String]
    ) throws -> PromptOutcome {
        let run = try PWVaultRun.run(
            ["python3", "-c", ptyHelper, PWVaultRun.binary.path, signal, prompt] + arguments,
            environment: environment, executable: URL(fileURLWithPath: "/usr/bin/env"))
        try #require(run.status == 0, "pty helper: \(run.stderr)")
        return try JSONDecoder().decode(PromptOutcome.self, from: Data(run.stdout.utf8))
    }

    static let signals: [(name: String, number: Int32)] = [("SIGINT", SIGINT), ("SIGTERM", SIGTERM)]

    @Test(arguments: signals)
    func aSignalAtThePassphrasePromptGivesTheTerminalItsEchoBack(name: String, number: Int32) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pwvault-signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vault.db").path
        let made = try PWVaultRun.run(
            ["init", "--cost", "minimum"], environment: ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "p1"])
        try #require(made.status == 0, "\(made.stderr)")

        let outcome = try Self.interruptPrompt(
            ["list", "--as", "npass"], prompt: "Passphrase for \(path): ", signal: name,
            environment: ["PWVAULT_PATH": path])
        #expect(outcome.echo_before)
        // Ended by the signal itself, as it would have without the clean-up.
        #expect(outcome.signal == number)
        #expect(outcome.exit == nil)
        #expect(outcome.echoIsOn, "stty -a after \(name): \(outcome.stty)")
    }

    @Test func aSignalAtThePasswordPromptGivesTheTerminalItsEchoBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pwvault-signal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vault.db").path
        let env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "p1"]
        try #require(try PWVaultRun.run(["init", "--cost", "minimum"], environment: env).status == 0)
        try #require(try PWVaultRun.run(["user", "add", "npass"], environment: env).status == 0)

        let outcome = try Self.interruptPrompt(
            ["create", "--as", "npass", "--name", "n", "--username", "u"], prompt: "Password: ", signal: "SIGINT",
            environment: env)
        #expect(outcome.signal == SIGINT)
        #expect(outcome.echoIsOn, "stty -a: \(outcome.stty)")
    }

    @Test(arguments: signals)
    func anInterruptedDemoLeavesNothingInTMPDIR(name: String, number: Int32) throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-demo-tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }

        let process = Process()
        process.executableURL = PWVaultRun.binary
        process.arguments = ["demo", "--step"]
        var env = ProcessInfo.processInfo.environment
        env["TMPDIR"] = tmp.path
        process.environment = env
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Step 1 makes the vault; at the wait before step 2 it is on disk and the demo is reading stdin.
        input.fileHandleForWriting.write(Data("\n".utf8))
        var shown = Data()
        let waitMark = Data("(Enter for the next step: Users and a group)".utf8)
        while shown.range(of: waitMark) == nil {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            shown.append(chunk)
        }
        try #require(
            shown.range(of: waitMark) != nil, "the demo never reached step 2: \(String(decoding: shown, as: UTF8.self))"
        )
        let during = try FileManager.default.subpathsOfDirectory(atPath: tmp.path)
        #expect(during.contains { $0.hasSuffix("/vault.db") }, "the demo's vault is on disk midway: \(during)")

        kill(process.processIdentifier, number)
        // Bounded: a demo that does not end is a failure, not a hung test run.
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the demo did not end within 30 s of \(name)")
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == number)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == [])
    }
}
