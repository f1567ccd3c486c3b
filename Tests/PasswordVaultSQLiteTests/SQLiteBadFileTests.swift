import Foundation
import GRDB
import PasswordVault
import PasswordVaultSQLite
import StorageConformance
import Testing

@Suite("SQLiteStorage refuses what is not its vault")
struct SQLiteBadFileTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    static func sample(_ id: EntryID) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: "n", username: "u", owner: UserID(rawValue: 1),
            createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0), sealedPassword: SealedValue(bytes: [1]))
    }

    /// A closed vault with some entries, checkpointed into its main file; returns its bytes.
    func makeVault(_ path: String) async throws -> [UInt8] {
        do {
            let storage = try SQLiteStorage.create(at: path)
            try await storage.writeHeader([1, 2, 3], expectedGeneration: .noHeader)
            let ids = try await storage.allocateIdentifiers(300)
            try await storage.insert(
                contentsOf: ids.map {
                    PasswordEntity(
                        identifier: $0, name: String(repeating: "n", count: 200), username: "u",
                        owner: UserID(rawValue: 1), createdAt: Date(), updatedAt: Date(),
                        sealedPassword: SealedValue(bytes: randomBytes(64)))
                })
        }
        // The storage is gone: its last connection checkpointed the log and removed it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        return try fileBytes(path)
    }

    static let damages: [(String, @Sendable ([UInt8]) -> [UInt8], String)] = [
        ("zero-length", { _ in [] }, "empty"),
        ("header cut", { Array($0.prefix(60)) }, "truncated"),
        ("half", { Array($0.prefix($0.count / 2)) }, "truncated"),
        ("not whole pages", { Array($0.dropLast(100)) }, "truncated"),
        ("random bytes", { _ in randomBytes(8192) }, "not an SQLite database"),
        ("text", { _ in Array("hello, vault\n".utf8) }, "not an SQLite database"),
        (
            "a FileStorage vault", { _ in [0x89, 0x50, 0x57, 0x56, 0x0D, 0x0A, 0x1A, 0x0A] + randomBytes(100) },
            "not an SQLite"
        ),
    ]

    @Test(arguments: 0..<damages.count)
    func damagedFileIsRefusedAndLeftUntouched(_ index: Int) async throws {
        defer { folder.remove() }
        let (name, damage, words) = Self.damages[index]
        let path = folder.file("\(name).db")
        let valid = try await makeVault(path)
        try writeFile(damage(valid), to: path)
        try expectRefusedUntouched(path, mentioning: words) { _ = try SQLiteStorage.open(at: $0) }
    }

    @Test(arguments: [false, true])
    func foreignDatabaseIsRefusedAndLeftUntouched(wal: Bool) throws {
        defer { folder.remove() }
        let path = folder.file("foreign.db")
        do {
            var configuration = Configuration()
            if wal { configuration.journalMode = .wal }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(
                    sql: "CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO note VALUES (1, 'x')")
            }
            try queue.close()
        }
        try expectRefusedUntouched(path, mentioning: "foreign SQLite database (application_id 0x0") {
            _ = try SQLiteStorage.open(at: $0)
        }
    }

    @Test func ourApplicationIDWithoutOurSchemaIsRefusedAndLeftUntouched() throws {
        defer { folder.remove() }
        let path = folder.file("impostor.db")
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(
                    sql: "PRAGMA application_id = \(0x5057_5631); CREATE TABLE entry (id INTEGER PRIMARY KEY)")
            }
            try queue.close()
        }
        try expectRefusedUntouched(path, mentioning: "not its schema") { _ = try SQLiteStorage.open(at: $0) }
    }

    @Test func openingWhatIsNotThereIsNotFound() {
        defer { folder.remove() }
        #expect(throws: StorageError.notFound("no vault file at \(folder.file("none"))")) {
            try SQLiteStorage.open(at: folder.file("none"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("none")))
    }

    @Test func creatingRefusesAnExistingFileButNotAnEmptyOne() async throws {
        defer { folder.remove() }
        let taken = folder.file("taken.db")
        try writeFile([42], to: taken)
        #expect(throws: StorageError.duplicate("a file already exists at \(taken)")) {
            try SQLiteStorage.create(at: taken)
        }
        #expect(try fileBytes(taken) == [42])
        let empty = folder.file("empty.db")
        try writeFile([], to: empty)
        let storage = try SQLiteStorage.create(at: empty)
        #expect(try await storage.readHeader() == nil)
        #expect(try await storage.insert(headerGeneration: nil) { Self.sample($0) }.identifier == EntryID(rawValue: 1))
        // No temporary file is left beside the vault.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!names.contains { $0.contains("creating") })
    }

    @Test func creatingRefusesAPathWithAStaleLog() throws {
        defer { folder.remove() }
        let path = folder.file("vault.db")
        try writeFile(randomBytes(4_000), to: path + "-wal")
        #expect(throws: StorageError.duplicate("an SQLite write-ahead log already exists at \(path)-wal")) {
            try SQLiteStorage.create(at: path)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
