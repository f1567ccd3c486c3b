import Foundation
import Testing

/// Debian's `keepassxc-cli` (KeePassXC 2.7.4), run as a child process. `make test` installs it;
/// a test that needs it and cannot run it fails (never skips).
enum KeePassXC {
    static let path = "/usr/bin/keepassxc-cli"

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs `keepassxc-cli arguments…` with `input` on its standard input.
    static func run(_ arguments: [String], input: String = "") throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["QT_QPA_PLATFORM"] = "offscreen"
        process.environment = environment
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self))
    }

    /// Runs and requires success.
    @discardableResult
    static func ok(_ arguments: [String], input: String = "") throws -> String {
        let result = try run(arguments, input: input)
        #expect(result.status == 0, "keepassxc-cli \(arguments.first ?? "") failed: \(result.errors)")
        return result.output
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "keepassxc-cli is not installed at \(path): run `make test-deps`" }
    }
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pv-interchange-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
