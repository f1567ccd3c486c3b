import Foundation
import Testing

/// Runs the built `pwvault` binary (it sits beside the test bundle in the build folder).
struct PWVaultRun {
    var status: Int32
    var stdout: String
    var stderr: String

    static var binary: URL {
        // The test runner is `<products>/PasswordVaultPackageTests.xctest`; `pwvault` is built beside it.
        let runner =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? ""
        return URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("pwvault")
    }

    static func run(
        _ arguments: [String], stdin: String = "", environment: [String: String] = [:], detachTerminal: Bool = false,
        executable: URL? = nil
    ) throws -> PWVaultRun {
        let process = Process()
        if let executable {
            process.executableURL = executable
            process.arguments = arguments
        } else if detachTerminal {
            // `setsid` gives the child no controlling terminal, so a prompt cannot open /dev/tty.
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = ["--wait", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PWVAULT_PASSPHRASE")
        env.removeValue(forKey: "PWVAULT_PATH")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        ignoreBrokenPipes
        try process.run()
        // A command may exit before it reads its standard input (a usage error): the write then
        // fails with EPIPE, which is no failure of the test — it must not kill the test process.
        try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return PWVaultRun(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}

/// SIGPIPE ignored in the test process, once: a child that exits without reading what a test
/// writes to it makes the write fail (EPIPE) instead of ending every test at once, silently.
let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

@Suite("pwvault binary")
struct CommandLineTests {
    @Test func printsItsVersion() throws {
        let run = try PWVaultRun.run(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.2.0")
    }
}
