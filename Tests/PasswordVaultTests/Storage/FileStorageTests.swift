import Foundation
import StorageConformance
import Testing

@testable import PasswordVault

@Suite("FileStorage")
struct FileStorageTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    func entity(_ id: EntryID, users: [String] = []) -> PasswordEntity {
        PasswordEntity(
            identifier: id, name: "entry \(id)", username: "login", owner: UserID(rawValue: 1),
            usersAllowed: users.map { UserShare(username: $0) }, createdAt: Date(), updatedAt: Date(),
            sealedPassword: SealedValue(bytes: Array(repeating: 7, count: 40)))
    }

    /// The header `makeVault` writes, as stored.
    static let header = StoredHeader(bytes: [1, 2, 3], generation: HeaderGeneration(rawValue: 1))

    /// A valid vault with a header, a user and five entries; returns its bytes.
    func makeVault(_ path: String) async throws -> [UInt8] {
        let storage = try FileStorage.create(at: path)
        try await storage.writeHeader([1, 2, 3], expectedGeneration: .noHeader)
        try await storage.addUser(User(id: UserID(rawValue: 1), username: "alice"))
        for _ in 0..<5 { try await storage.insert(headerGeneration: nil) { [self] in entity($0) } }
        return try fileBytes(path)
    }

    @Test func crc32MatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
        #expect(CRC32.checksum([][...]) == 0)
    }

    @Test func fileHasTheDocumentedLayout() async throws {
        defer { folder.remove() }
        let bytes = try await makeVault(folder.file("v.pwvault"))
        func le(_ range: Range<Int>) -> UInt64 { bytes[range].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        #expect(bytes.prefix(8).elementsEqual([0x89, 0x50, 0x57, 0x56, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(le(8..<12) == 5)  // format version
        #expect(le(12..<16) == 0)  // flags
        #expect(le(16..<24) == 8)  // file generation: create, header, user, 5 inserts (one commit each)
        // The payload: last identifier, then the header (present, 3 bytes), then its generation.
        #expect(le(40..<48) == 5)
        #expect(bytes[48] == 1 && le(49..<53) == 3 && bytes[53..<56].elementsEqual([1, 2, 3]))
        #expect(le(56..<64) == 1)  // header generation
        #expect(le(24..<32) == UInt64(bytes.count - 40))
        #expect(le(32..<36) == UInt64(CRC32.checksum(bytes[40...])))
        #expect(le(36..<40) == UInt64(CRC32.checksum(bytes[0..<36])))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.file("v.pwvault"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// Each damaged or foreign file, and the words the refusal must contain.
    static let damages: [(String, @Sendable ([UInt8]) -> [UInt8], String)] = [
        ("zero-length", { _ in [] }, "empty"),
        ("three bytes", { Array($0.prefix(3)) }, "truncated"),
        ("header cut", { Array($0.prefix(30)) }, "truncated"),
        ("half", { Array($0.prefix($0.count / 2)) }, "truncated"),
        ("last byte missing", { Array($0.dropLast()) }, "truncated"),
        ("trailing bytes", { $0 + [0] }, "unexpected bytes"),
        (
            "payload byte flipped",
            {
                var b = $0; b[b.count - 10] ^= 0x40; return b
            }, "checksum"
        ),
        (
            "length changed",
            {
                var b = $0; b[24] ^= 1; return b
            }, "checksum"
        ),
        (
            "future version",
            {
                var b = $0; b[8] = 6; return b
            }, "version"
        ),
        ("random bytes", { _ in randomBytes(4096) }, "not a PasswordVault file"),
        ("SQLite database", { _ in Array("SQLite format 3\0".utf8) + Array(repeating: 0, count: 4080) }, "magic"),
        ("JSON", { _ in Array("{\"entries\": []}".utf8) }, "not a PasswordVault file"),
    ]

    @Test(arguments: 0..<damages.count)
    func damagedFileIsRefusedAndLeftUntouched(_ index: Int) async throws {
        defer { folder.remove() }
        let (name, damage, words) = Self.damages[index]
        let path = folder.file("\(name).pwvault")
        let valid = try await makeVault(path)
        try FileManager.default.removeItem(atPath: path + ".lock")
        try writeFile(damage(valid), to: path)
        try expectRefusedUntouched(path, mentioning: words) { _ = try FileStorage.open(at: $0) }
    }

    @Test func openingWhatIsNotThereIsNotFound() {
        defer { folder.remove() }
        #expect(throws: StorageError.notFound("no vault file at \(folder.file("none"))")) {
            try FileStorage.open(at: folder.file("none"))
        }
    }

    /// A format 2 file (before history, docs/format.md §7) is read with revision = version,
    /// changedBy = owner, no history and an empty audit trail; the next commit writes format 5
    /// with the history.
    @Test func aFormat2FileIsReadAndItsNextCommitWritesFormat5() async throws {
        defer { folder.remove() }
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        func str(_ text: String) -> [UInt8] { le(UInt32(text.utf8.count)) + Array(text.utf8) }
        let created = Date(timeIntervalSinceReferenceDate: 800_000_000)
        let password = [UInt8](repeating: 9, count: 40)
        var payload = le(Int64(1)) + [1] + le(UInt32(3)) + [1, 2, 3] + le(UInt64(1))
        payload += le(UInt32(1)) + le(Int64(1)) + str("alice") + le(UInt32(0))  // one user, no group
        payload += le(UInt32(1)) + le(Int64(1)) + str("name") + str("login") + str("") + le(UInt32(0))
        payload += le(Int64(1)) + le(UInt32(0)) + le(UInt32(0)) + [1]
        payload +=
            le(created.timeIntervalSinceReferenceDate.bitPattern)
            + le(created.timeIntervalSinceReferenceDate.bitPattern)
        payload += le(UInt64(4)) + le(UInt32(40)) + password + [0, 0]
        var file = FileFormat.magic + le(UInt32(2)) + le(UInt32(0)) + le(UInt64(7)) + le(UInt64(payload.count))
        file += le(CRC32.checksum(payload[...]))
        file += le(CRC32.checksum(file[0..<36]))
        let path = folder.file("old.pwvault")
        try writeFile(file + payload, to: path)

        let storage = try FileStorage.open(at: path)
        let id = EntryID(rawValue: 1)!
        let old = try #require(try await storage.entity(id))
        #expect(
            old.version == 4 && old.revision == 4 && old.changedBy == UserID(rawValue: 1) && old.changedFields == [])
        #expect(old.sealedPassword.bytes == password && old.name == "name")
        #expect(try await storage.history(of: id).isEmpty)
        #expect(try await storage.auditHead() == .empty)
        var next = old
        next.version = 5
        next.revision = 5
        next.changedFields = .name
        next.name = "renamed"
        try await storage.replace(next, expectedVersion: 4, history: .archive(old, depth: 10))
        let bytes = try fileBytes(path)
        #expect(bytes[8..<12].elementsEqual(le(UInt32(5))))
        let reopened = try FileStorage.open(at: path)
        #expect(try await reopened.entity(id) == next)
        #expect(try await reopened.history(of: id) == [old])
    }

    @Test func creatingRefusesAnExistingFileButNotAnEmptyOne() async throws {
        defer { folder.remove() }
        let taken = folder.file("taken")
        try writeFile([42], to: taken)
        #expect(throws: StorageError.duplicate("a file already exists at \(taken)")) {
            try FileStorage.create(at: taken)
        }
        #expect(try fileBytes(taken) == [42])
        let empty = folder.file("empty")
        try writeFile([], to: empty)
        let storage = try FileStorage.create(at: empty)
        #expect(try await storage.readHeader() == nil)
        // last identifier, no header, header generation 0, four empty counts (users, groups, entries,
        // history), the request counter and no request, then the empty trail: head seq 0, 32 zero
        // bytes, no record
        #expect(try fileBytes(empty).count == FileFormat.headerSize + 8 + 1 + 8 + 16 + 8 + 4 + 8 + 32 + 4)
    }

    @Test func twoInstancesSeeEachOthersWrites() async throws {
        defer { folder.remove() }
        let path = folder.file("shared.pwvault")
        try await expectHandlesShareOneStore(
            try FileStorage.create(at: path), try FileStorage.open(at: path), writes: 60)
    }

    @Test func aDeadWritersTemporaryFileIsIgnoredThenRemoved() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let valid = try await makeVault(path)
        // A writer killed mid-commit leaves a partial temporary file: the vault is untouched.
        try writeFile(valid.prefix(valid.count / 3), to: path + ".tmp-999999")
        let storage = try FileStorage.open(at: path)
        #expect(try await storage.readHeader() == Self.header)
        #expect(FileManager.default.fileExists(atPath: path + ".tmp-999999"))
        try await storage.addGroup(named: "ops")
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-999999"))
        #expect(try await FileStorage.open(at: path).group(named: "ops") == Group(name: "ops"))
    }

    /// `InMemoryStorage` traps here (`start + limit` overflows); this adapter must not.
    @Test func pagingWithTheLargestLimit() async throws {
        defer { folder.remove() }
        _ = try await makeVault(folder.file("v.pwvault"))
        let storage = try FileStorage.open(at: folder.file("v.pwvault"))
        let all = try await storage.entities(after: nil, limit: 10)
        let rest = try await storage.entities(after: all[1].identifier, limit: Int.max)
        #expect(rest.map(\.identifier) == all.dropFirst(2).map(\.identifier))
    }
}

@Suite("FileStorage's temporary file")
struct FileStorageTemporaryFileTests {
    @Test func aPlantedLinkOrFileAtTheOldPredictableNameIsNotFollowed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("vault.pwvault")
        let target = folder.file("elsewhere")
        try Data("untouched".utf8).write(to: URL(fileURLWithPath: target))
        // The name the first release wrote to: <path>.tmp-<pid>.
        #expect(symlink(target, "\(path).tmp-\(getpid())") == 0)
        let storage = try FileStorage.create(at: path)
        try await storage.writeHeader([1, 2, 3], expectedGeneration: .noHeader)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data("untouched".utf8))
        #expect(try await FileStorage.open(at: path).readHeader()?.bytes == [1, 2, 3])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Only the vault, its lock and the planted link (removed as a leftover temporary) remain.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.file("")).sorted()
        #expect(names == ["elsewhere", "vault.pwvault", "vault.pwvault.lock"])
    }
}
