import Foundation
import PasswordVault
import PasswordVaultSQLite
import Testing

/// An `init` stopped after the file is in place but before the vault's header is written leaves
/// a header-less vault database: every command refuses it, and `init` replaces it — but never a
/// vault that has a header, nor one with anything in it.
@Suite("pwvault init after an interrupted init", .serialized)
struct InterruptedInitCommandTests {
    let folder: URL
    let path: String
    let env: [String: String]

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("vault.db").path
        env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "correct horse battery staple"]
    }

    func pw(_ arguments: String...) throws -> PWVaultRun { try PWVaultRun.run(arguments, environment: env) }

    @Test func initReplacesTheHeaderlessLeftoverOfAnInterruptedInit() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // What `init` leaves when it stops between moving the file into place and writing the header.
        _ = try SQLiteStorage.create(at: path)
        #expect(SQLiteStorage.holdsInterruptedCreate(at: path))
        let refused = try pw("user", "list")
        #expect(refused.status == 3)
        #expect(refused.stderr.hasPrefix("pwvault: "), "\(refused.stderr)")

        let created = try pw("init", "--cost", "minimum")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "Created vault \(path)\n")
        #expect(try pw("user", "add", "npass", "--id", "1").status == 0)
        #expect(try pw("user", "list").status == 0)
        #expect(!SQLiteStorage.holdsInterruptedCreate(at: path))
    }

    @Test func initNeverReplacesAVaultWithAHeader() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try pw("init", "--cost", "minimum").status == 0)
        let before = FileManager.default.contents(atPath: path)
        let again = try pw("init", "--cost", "minimum")
        #expect(again.status == 2)
        #expect(again.stderr.contains("\(path) already exists"), "\(again.stderr)")
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(!SQLiteStorage.holdsInterruptedCreate(at: path))
    }

    @Test func createNeverReplacesAHeaderlessDatabaseThatHoldsSomething() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let storage = try SQLiteStorage.create(at: path)
            try await storage.addUser(User(id: UserID(rawValue: 1), username: "npass"))
        }
        let before = FileManager.default.contents(atPath: path)
        #expect(!SQLiteStorage.holdsInterruptedCreate(at: path))
        #expect(throws: StorageError.duplicate("a file already exists at \(path)")) {
            _ = try SQLiteStorage.create(at: path)
        }
        #expect(FileManager.default.contents(atPath: path) == before)
    }
}
