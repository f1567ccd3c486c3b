import Foundation
import Testing

/// What one writer process's create acknowledged: the identifier (empty when none), the password
/// it sent, its exit status and standard error.
struct CreatedEntry {
    var id: String
    var password: String
    var status: Int32
    var stderr: String
}

extension PWVaultRun {
    /// Starts `pwvault` with `stdin`; the caller kills it or waits on it.
    static func start(
        _ arguments: [String], stdin: String = "", environment: [String: String]
    ) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        ignoreBrokenPipes
        try process.run()
        try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        return (process, output)
    }

    /// The `api POST` body of writer `writer`'s `index`th create, and the password it holds.
    static func createBody(writer: Int, index: Int) -> (body: String, password: String) {
        let password = "w\(writer)-\(index)-pw"
        let body =
            #"{"name": "w\#(writer) #\#(index)", "username": "svc", "password": "\#(password)", "notes": "n\#(index)"}"#
        return (body, password)
    }

    /// The identifier in an `api POST` answer, or "".
    static func createdIdentifier(_ stdout: String) -> String {
        stdout.firstMatch(of: /"identifier":"(\d+)"/).map { String($0.1) } ?? ""
    }

    /// Writer `writer`'s `index`th create, as user `npass`, in a process of its own.
    static func createEntry(writer: Int, index: Int, environment: [String: String]) throws -> CreatedEntry {
        let (body, password) = createBody(writer: writer, index: index)
        let run = try PWVaultRun.run(
            ["api", "POST", "api/mysafe/password", "--as", "npass"], stdin: body, environment: environment)
        return CreatedEntry(
            id: createdIdentifier(run.stdout), password: password, status: run.status, stderr: run.stderr)
    }

    /// Writers 1 through `writers`, each making `count` creates one process after another, while
    /// another sequence of processes runs `rotate-key` `rotations` times; every create and every
    /// rotation, each expected to succeed.
    static func createsDuringRotations(
        writers: Int, count: Int, rotations: Int, environment: [String: String]
    ) async throws -> [CreatedEntry] {
        let writing = (1...writers).map { writer in
            Task.detached {
                try (0..<count).map { try createEntry(writer: writer, index: $0, environment: environment) }
            }
        }
        let rotating = Task.detached {
            try (0..<rotations).map { _ in try PWVaultRun.run(["rotate-key"], environment: environment) }
        }
        var created: [CreatedEntry] = []
        for writer in writing { created += try await writer.value }
        for rotation in try await rotating.value {
            #expect(rotation.status == 0, "rotate-key: \(rotation.stderr)")
        }
        for create in created {
            #expect(create.status == 0 && !create.id.isEmpty, "a create failed: \(create.stderr)")
        }
        return created
    }
}
