import Foundation
import Testing

/// Several `pwvault` processes on one SQLite vault while another rotates its data key, over and
/// over (docs/contract.md §14): a stress run of the header-generation rule with real processes
/// and SQLite's real locking. (A `pwvault` process opens the vault and writes within
/// milliseconds, so this run rarely hit the first release's window; `CrossProcessKeyChangeTests`
/// holds a vault open across another process's rotation and fails on that release every time.)
@Suite("pwvault: writers and rotations in other processes", .serialized)
struct MultiProcessRotationTests {
    let folder: URL
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-rotation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        env = [
            "PWVAULT_PATH": folder.appendingPathComponent("vault.db").path,
            "PWVAULT_PASSPHRASE": "rotation test passphrase",
        ]
    }

    func pw(_ arguments: [String], stdin: String = "") throws -> PWVaultRun {
        try PWVaultRun.run(arguments, stdin: stdin, environment: env)
    }

    /// One writer process's creates: the identifier each acknowledged, with the password it sent.
    func write(_ writer: Int, count: Int) throws -> [CreatedEntry] {
        try (0..<count).map { try PWVaultRun.createEntry(writer: writer, index: $0, environment: env) }
    }

    @Test func everyEntryCreatedDuringRotationsInAnotherProcessStaysReadable() async throws {
        #expect(try pw(["init", "--cost", "minimum"]).status == 0)
        #expect(try pw(["user", "add", "npass", "--id", "1"]).status == 0)
        _ = try write(0, count: 5)

        let created = try await PWVaultRun.createsDuringRotations(
            writers: 3, count: 12, rotations: 6, environment: env)
        #expect(Set(created.map(\.id)).count == created.count, "an identifier was handed out twice")
        for create in created where !create.id.isEmpty {
            let got = try pw(["api", "GET", "api/mysafe/password/\(create.id)", "--as", "npass"])
            #expect(got.status == 0, "entry \(create.id) does not open: \(got.stderr)")
            #expect(got.stdout.contains(#""password":"\#(create.password)""#), "entry \(create.id)")
        }
        // A further rotation finds every value readable, and so does every reveal after it.
        let last = try pw(["rotate-key"])
        #expect(last.status == 0, "\(last.stderr)")
        let listed = try pw(["api", "GET", "api/mysafe/password", "--as", "npass"])
        #expect(listed.stdout.matches(of: /"identifier":/).count == 5 + created.count)
        try? FileManager.default.removeItem(at: folder)
    }
}
