import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The progress bar of `pwvault import` and `export` (docs/contract.md §15): on standard error
/// when it is a terminal and the work is long (200 entries or more), never otherwise, and never
/// on standard output, which carries the report. The terminal is a pseudo-terminal the test opens.
@Suite("pwvault import and export: the progress bar")
struct ProgressBarCommandTests {
    let folder: URL
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-bar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        env = [
            "PWVAULT_PATH": folder.appendingPathComponent("vault.db").path,
            "PWVAULT_PASSPHRASE": "progress passphrase",
        ]
    }

    func pw(_ arguments: String...) throws -> PWVaultRun { try PWVaultRun.run(arguments, environment: env) }

    /// A Bitwarden JSON export of `count` logins.
    func bitwarden(_ count: Int) throws -> String {
        let items = (0..<count).map { index -> [String: Any] in
            ["type": 1, "name": "site \(index)", "login": ["username": "user\(index)", "password": "pw-\(index)"]]
        }
        let file = folder.appendingPathComponent("in-\(count).json")
        try JSONSerialization.data(withJSONObject: ["encrypted": false, "items": items]).write(to: file)
        return file.path
    }

    /// `pwvault ARGUMENTS` with its standard error on a new pseudo-terminal: its exit status,
    /// standard output, and what it wrote to the terminal.
    func onTerminal(_ arguments: [String]) throws -> (status: Int32, stdout: String, terminal: String) {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        try #require(openpty(&controller, &terminal, nil, nil, nil) == 0, "openpty: \(errno)")
        defer { close(controller) }
        let process = Process()
        process.executableURL = PWVaultRun.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = FileHandle(fileDescriptor: terminal, closeOnDealloc: false)
        try process.run()
        close(terminal)  // the child holds its own copy: reading ends when it exits
        var written: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(controller, &buffer, buffer.count)
            if count <= 0 { break }  // EIO once the child's side is closed
            written += buffer[..<count]
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: written, as: UTF8.self)
        )
    }

    @Test func aLongImportAndExportDrawTheBarOnATerminal() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "alice").status == 0)
        let imported = try onTerminal(["import", try bitwarden(250), "--format", "bitwarden-json", "--as", "alice"])
        #expect(imported.status == 0, "\(imported.terminal)")
        // Every 50 entries and the last, each redrawn over the line before, then a line break.
        for done in [50, 100, 150, 200, 250] {
            let filled = String(repeating: "#", count: done * 30 / 250)
            let bar = filled + String(repeating: "-", count: 30 - filled.count)
            #expect(imported.terminal.contains("\rImporting [\(bar)] \(done)/250"), "\(imported.terminal)")
        }
        #expect(imported.terminal.hasSuffix("250/250\r\n"), "\(imported.terminal)")  // the terminal's \n is \r\n
        #expect(!imported.stdout.contains("Importing ["))
        #expect(imported.stdout.hasSuffix("Imported 250 of 250 entries as alice\n"), "\(imported.stdout)")

        let out = folder.appendingPathComponent("out.json").path
        let exported = try onTerminal(["export", out, "--format", "bitwarden-json", "--as", "alice", "--plaintext"])
        #expect(exported.status == 0, "\(exported.terminal)")
        #expect(exported.terminal.contains("\rExporting [############------------------] 100/250"))
        #expect(exported.terminal.contains("\rExporting [##############################] 250/250\r\n"))
        #expect(!exported.stdout.contains("Exporting ["))
    }

    @Test func noBarOffATerminalNorForShortWork() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "alice").status == 0)
        #expect(try pw("user", "add", "bob").status == 0)
        // Long work, standard error a pipe: no bar.
        let piped = try PWVaultRun.run(
            ["import", try bitwarden(250), "--format", "bitwarden-json", "--as", "alice"], environment: env)
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("Importing"), "\(piped.stderr)")
        // Short work on a terminal: no bar either.
        let short = try onTerminal(["import", try bitwarden(199), "--format", "bitwarden-json", "--as", "bob"])
        #expect(short.status == 0)
        #expect(!short.terminal.contains("Importing"), "\(short.terminal)")
        #expect(short.stdout.hasSuffix("Imported 199 of 199 entries as bob\n"), "\(short.stdout)")
    }
}
