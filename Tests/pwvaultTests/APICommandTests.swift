import Foundation
import PasswordVault
import Testing

/// `pwvault api` and the wire's limits (docs/contract.md §8, §9): at most one byte past the body
/// limit is read from standard input, then the answer is 413 and the exit status 1.
@Suite("pwvault api limits", .serialized)
struct APICommandTests {
    let folder: URL
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        env = [
            "PWVAULT_PATH": folder.appendingPathComponent("vault.db").path,
            "PWVAULT_PASSPHRASE": "correct horse battery staple",
        ]
    }

    func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    func makeVault() throws {
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "npass", "--id", "1").status == 0)
    }

    static let tooLargeMessage = "Request body is too large (at most 1048576 bytes)"
    static let tooLargeBody =
        #"{"code":413,"response":{"status":413,"message":"\#(tooLargeMessage)","error":true,"error_code":1,"detail":"","mensagem":"\#(tooLargeMessage)","erro":true,"cod_erro":1},"exception":{"code":413,"message":"\#(tooLargeMessage)","detail":null}}"#

    /// Standard input is a pipe that `yes` writes into for ever: pwvault must stop reading it.
    @Test func anEndlessBodyIsCutAfterTheLimitAndAnswered413() throws {
        try makeVault()
        let pipe = Pipe()
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/yes")
        writer.arguments = ["{\"name\": \"endless\"}"]
        writer.standardOutput = pipe
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        defer {
            writer.terminate()
            writer.waitUntilExit()
        }
        let api = Process()
        api.executableURL = PWVaultRun.binary
        api.arguments = ["api", "POST", "api/mysafe/password", "--as", "npass", "--include"]
        api.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let output = Pipe(), errors = Pipe()
        api.standardInput = pipe
        api.standardOutput = output
        api.standardError = errors
        try api.run()
        // A guard against a hang only, not a time bound: generous for a loaded machine.
        let deadline = Date().addingTimeInterval(600)
        while api.isRunning, Date() < deadline { usleep(20_000) }
        if api.isRunning {
            api.terminate()
            api.waitUntilExit()
            Issue.record("pwvault api kept reading an endless standard input")
            return
        }
        api.waitUntilExit()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(api.terminationStatus == 1)
        #expect(stdout == "HTTP/1.1 413 Content Too Large\n" + Self.tooLargeBody + "\n")
        #expect(stderr == Self.tooLargeMessage + "\n")
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass")
        #expect(listed.stdout.contains(#""password_on_list":[]"#), "\(listed.stdout)")
    }

    /// A body of exactly the limit, read in several chunks, is passed whole to the handler.
    @Test func aBodyOfExactlyTheLimitIsServed() throws {
        try makeVault()
        let head = #"{"name": "big", "username": "u", "password": "p", "pad": ""#
        let body = head + String(repeating: "x", count: 1_048_576 - head.utf8.count - 2) + #""}"#
        #expect(body.utf8.count == 1_048_576)
        let created = try pw("api", "POST", "api/mysafe/password", "--as", "npass", "--include", stdin: body)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("HTTP/1.1 201 Created\n"))
        let over = try pw("api", "POST", "api/mysafe/password", "--as", "npass", "--include", stdin: body + " ")
        #expect(over.status == 1)
        #expect(over.stdout == "HTTP/1.1 413 Content Too Large\n" + Self.tooLargeBody + "\n")
    }

    @Test func aMethodIsPassedAsTypedAndComparedExactly() throws {
        try makeVault()
        let lower = try pw(
            "api", "post", "api/mysafe/password", "--as", "npass",
            stdin: #"{"name": "n", "username": "u", "password": "p"}"#)
        #expect(lower.status == 1)
        #expect(lower.stdout == #"{"message":"No route matched with those values."}"# + "\n")
        #expect(lower.stderr == "No route matched with those values.\n")
    }

    /// `update --notes ''` and an empty `--notes-file` clear the notes: GET answers `notes` null.
    @Test func emptyNotesFromTheCommandLineClearThem() throws {
        try makeVault()
        let empty = folder.appendingPathComponent("empty-notes")
        try Data().write(to: empty)
        for (index, clearing) in [["--notes", ""], ["--notes-file", empty.path]].enumerated() {
            let id = String(index + 1)
            let created = try pw(
                "create", "--as", "npass", "--name", "n\(id)", "--username", "u", "--password", "p", "--notes",
                "the notes")
            #expect(created.status == 0, "\(created.stderr)")
            #expect(try pw("reveal", id, "--field", "notes", "--as", "npass").stdout == "the notes\n")
            let updated = try PWVaultRun.run(["update", id, "--as", "npass"] + clearing, environment: env)
            #expect(updated.status == 0, "\(updated.stderr)")
            let got = try pw("api", "GET", "api/mysafe/password/\(id)", "--as", "npass")
            #expect(got.status == 0)
            #expect(got.stdout.contains(#""notes":null"#), "\(got.stdout)")
        }
    }
}
