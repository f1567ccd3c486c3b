import Foundation
import StorageConformance
import Testing

@testable import PasswordVault

/// The single-file format 4 keeps the audit trail (docs/contract.md §12, docs/format.md §7):
/// the head, then every record's canonical encoding and MAC, read back exactly and strictly.
@Suite("FileStorage audit trail")
struct FileStorageAuditTrailTests {
    let folder: TemporaryFolder
    static let key = try! AuditKey(SecretBytes([UInt8](0..<32)))

    init() throws { folder = try TemporaryFolder() }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// `count` records chained after `head`, of every kind of event.
    static func chain(_ count: Int, after head: AuditHead = .empty) throws -> [AuditRecord] {
        var head = head
        var records: [AuditRecord] = []
        for n in 0..<count {
            let event = AuditEvent(
                time: AuditTime(rawValue: 1_764_620_000_000 + Int64(n)),
                actor: n % 2 == 0 ? .vault : .user(id: UserID(rawValue: Int64(n)), username: "Zoë \(n)"),
                action: AuditAction.allCases[n % AuditAction.allCases.count],
                entry: n % 3 == 0 ? nil : EntryID(rawValue: Int64(n)), outcome: n % 4 == 1 ? .refused(code: 1006) : .ok,
                fields: Array(["password", "a,b", "\"q\""].prefix(n % 4)),
                justification: n % 5 == 2 ? "ticket \(n)" : nil)
            let (record, next) = try AuditChain.append(event, after: head, key: key)
            records.append(record)
            head = next
        }
        return records
    }

    static func head(_ records: [AuditRecord]) -> AuditHead {
        records.last.map { AuditHead(seq: $0.seq, mac: $0.mac) } ?? .empty
    }

    /// Appends records to `storage` in one commit.
    static func append(_ records: [AuditRecord], to storage: FileStorage, after head: AuditHead) async throws {
        try await storage.commit(ChangeSet(audit: AuditAppend(after: head, chained: records)))
    }

    /// `file` with its payload length and both checksums made right again (after an edit).
    static func resealed(_ file: [UInt8]) -> [UInt8] {
        var bytes = file
        let payload = bytes[FileFormat.headerSize...]
        bytes.replaceSubrange(24..<32, with: le(UInt64(payload.count)))
        bytes.replaceSubrange(32..<36, with: le(CRC32.checksum(payload)))
        bytes.replaceSubrange(36..<40, with: le(CRC32.checksum(bytes[0..<36])))
        return bytes
    }

    @Test func aVaultsTrailSurvivesReopeningExactlyAndVerifies() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let directory = InMemoryDirectory()
        directory.addUser("alice", id: 1)
        directory.addUser("Zoë", id: 2)
        let credential = [UInt8](repeating: 42, count: 32)
        let alice = User(id: UserID(rawValue: 1), username: "alice")
        let zoe = User(id: UserID(rawValue: 2), username: "Zoë")
        let records: [AuditRecord]
        let head: AuditHead
        do {
            let storage = try FileStorage.create(at: path)
            let vault = try await Vault.create(
                storage: storage, directory: directory, credential: .rawKey(SecretBytes(credential)))
            let id = try await vault.create(
                PasswordRequest(
                    name: "db", username: "svc", password: "s3cret", notes: "n",
                    usersAllowed: .value([ShareRequest(name: "Zoë", canEdit: false)])),
                as: alice
            ).entity.identifier
            _ = try await vault.revealPassword(id, as: zoe)
            await #expect(throws: VaultError.accessDenied) {
                try await vault.update(id, PasswordRequest(name: "x"), as: zoe)
            }
            _ = try await vault.update(id, PasswordRequest(password: "other"), as: alice)
            records = try await storage.auditRecords(AuditQuery())
            head = try await storage.auditHead()
            #expect(records.count >= 4 && head.seq == UInt64(records.count))
            #expect(try await vault.verifyAudit() == .intact(records: head.seq))
        }
        #expect(try fileBytes(path)[8..<12].elementsEqual(Self.le(UInt32(5))))
        let reopened = try FileStorage.open(at: path)
        #expect(try await reopened.auditHead() == head)
        #expect(try await reopened.auditRecords(AuditQuery()) == records)
        let vault = try await Vault.open(
            storage: reopened, directory: directory, credential: .rawKey(SecretBytes(credential)))
        #expect(try await vault.verifyAudit() == .intact(records: head.seq))
    }

    @Test func everyKindOfRecordSurvivesReopeningAndQueriesStillWork() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let storage = try FileStorage.create(at: path)
        let first = try Self.chain(3)
        try await Self.append(first, to: storage, after: .empty)
        let all = try Self.chain(40)
        try await Self.append(Array(all[3...]), to: storage, after: Self.head(first))
        #expect(all.prefix(3).elementsEqual(first))
        let reopened = try FileStorage.open(at: path)
        #expect(try await reopened.auditRecords(AuditQuery()) == all)
        #expect(try await reopened.auditHead() == Self.head(all))
        #expect(try await reopened.auditRecords(AuditQuery(fromSeq: 38)) == Array(all[37...]))
        #expect(
            AuditChain.verify(try await reopened.auditRecords(AuditQuery()), head: Self.head(all), key: Self.key)
                == .intact(records: 40))
        // A commit after reopening appends to the records as read (each commit encodes only its own).
        let more = try Self.chain(45)
        try await Self.append(Array(more[40...]), to: reopened, after: Self.head(all))
        #expect(try await FileStorage.open(at: path).auditRecords(AuditQuery()) == more)
        #expect(try await storage.auditRecords(AuditQuery()) == more)  // the first handle re-reads the file
    }

    /// Head seq (8), head MAC (32), record count (4), then per record: bytes (u32 length ‖ the
    /// canonical encoding) and the MAC (32), after the history section (docs/format.md §7).
    @Test func theTrailHasTheDocumentedLayout() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let storage = try FileStorage.create(at: path)
        let empty = try fileBytes(path)
        #expect(empty.suffix(44).elementsEqual([UInt8](repeating: 0, count: 44)))
        let records = try Self.chain(2)
        try await Self.append(records, to: storage, after: .empty)
        var tail = Self.le(UInt64(2)) + records[1].mac.bytes + Self.le(UInt32(2))
        for record in records {
            let encoding = try record.canonicalEncoding()
            tail += Self.le(UInt32(encoding.count)) + encoding + record.mac.bytes
        }
        let bytes = try fileBytes(path)
        #expect(bytes.suffix(tail.count).elementsEqual(tail))
        #expect(bytes.count == empty.count - 44 + tail.count)
    }

    /// A format 3 file (docs/format.md §7, written by the code before format 4: the checked-in
    /// vector) opens with its entry, its history and an empty trail; its first audited commit
    /// writes format 5 with the trail, and the rest is as it was.
    @Test func aFormat3FileOpensWithAnEmptyTrailAndItsFirstAuditedCommitWritesFormat5() async throws {
        defer { folder.remove() }
        struct Vector: Decodable { var file: Hex }
        let old = try TestVectors.load("FileStorageFormat3", as: Vector.self).file.bytes
        #expect(old[8..<12].elementsEqual(Self.le(UInt32(3))))
        let path = folder.file("old.pwvault")
        try writeFile(old, to: path)
        let storage = try FileStorage.open(at: path)
        let id = EntryID(rawValue: 1)!
        let entry = try #require(try await storage.entity(id))
        #expect(entry.name == "renamed" && entry.version == 2 && entry.revision == 2 && entry.changedFields == .name)
        #expect(try await storage.history(of: id).map(\.name) == ["name"])
        #expect(
            try await storage.readHeader() == StoredHeader(bytes: [1, 2, 3], generation: HeaderGeneration(rawValue: 1)))
        #expect(try await storage.auditHead() == .empty)
        #expect(try await storage.auditRecords(AuditQuery()).isEmpty)
        #expect(try fileBytes(path) == old)  // reading writes nothing

        let records = try Self.chain(1)
        try await Self.append(records, to: storage, after: .empty)
        let new = try fileBytes(path)
        #expect(new[8..<12].elementsEqual(Self.le(UInt32(5))))
        // Format 5 ends with the empty request section (counter 0, no request), then the trail;
        // its entry records are format 3's with the policy bytes (docs/format.md §7).
        let trail = 8 + 32 + 4 + 4 + (try records[0].canonicalEncoding().count) + 32
        #expect(new[new.count - trail - 12..<new.count - trail].elementsEqual([UInt8](repeating: 0, count: 12)))
        let reopened = try FileStorage.open(at: path)
        #expect(try await reopened.auditRecords(AuditQuery()) == records)
        #expect(try await reopened.auditHead() == Self.head(records))
        #expect(try await reopened.entity(id) == entry)
        #expect(try await reopened.history(of: id) == (try await storage.history(of: id)))
    }

    /// Files whose trail is damaged, each with the exact refusal: never a trap, never a partial open.
    @Test func aTrailThatIsNotOneToNWithItsHeadLastIsRefusedUntouched() async throws {
        defer { folder.remove() }
        let records = try Self.chain(3)
        func file(_ trail: [AuditRecord], head: AuditHead) throws -> [UInt8] {
            var store = StoreState(generation: 1)
            store.auditTrail = trail
            store.auditHead = head
            return try FileFormat.encode(&store)
        }
        let prefix = "malformed payload: "
        let cases: [(String, [UInt8], String)] = [
            (
                "skip", try file([records[0], records[2]], head: Self.head(records)),
                "audit record 3 stands where seq 2 belongs"
            ),
            (
                "swap", try file([records[1], records[0]], head: Self.head([records[0]])),
                "audit record 2 stands where seq 1 belongs"
            ),
            (
                "no first", try file(Array(records[1...]), head: Self.head(records)),
                "audit record 2 stands where seq 1 belongs"
            ),
            (
                "head behind", try file(records, head: Self.head([records[0], records[1]])),
                "the audit head (seq 2) is not the last record (seq 3)"
            ),
            (
                "head ahead", try file(Array(records[..<2]), head: Self.head(records)),
                "the audit head (seq 3) is not the last record (seq 2)"
            ),
            (
                "head of another MAC", try file(records, head: AuditHead(seq: 3, mac: records[1].mac)),
                "the audit head's MAC is not the last record's (seq 3)"
            ),
            (
                "head without records", try file([], head: Self.head([records[0]])),
                "the audit head (seq 1) is not the last record (seq 0)"
            ),
            (
                "empty head with a non-zero MAC", try file([], head: AuditHead(seq: 0, mac: records[0].mac)),
                "the audit head's MAC is not the last record's (seq 0)"
            ),
        ]
        for (name, bytes, reason) in cases {
            let path = folder.file("\(name).pwvault")
            try writeFile(bytes, to: path)
            #expect(throws: StorageError.corrupted(prefix + reason), "\(name)") { try FileStorage.open(at: path) }
            #expect(try fileBytes(path) == bytes, "\(name)")
        }
        // The genuine trail opens.
        let path = folder.file("good.pwvault")
        try writeFile(try file(records, head: Self.head(records)), to: path)
        #expect(try await FileStorage.open(at: path).auditRecords(AuditQuery()) == records)
    }

    /// A record whose encoding is damaged inside an otherwise intact file (checksums made right):
    /// refused by the strict decoder, naming the seq.
    @Test func aMalformedRecordInsideTheFileIsRefusedNamingItsSeq() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let storage = try FileStorage.create(at: path)
        let records = try Self.chain(2)
        try await Self.append(records, to: storage, after: .empty)
        let valid = try fileBytes(path)
        let second = try records[1].canonicalEncoding()
        let at = try #require(Self.offset(of: second, in: valid))
        let firstAt = try #require(Self.offset(of: try records[0].canonicalEncoding(), in: valid))
        let name = Array(records[1].event.action.rawValue.utf8)
        let actionAt = try #require(Self.offset(of: [UInt8(name.count)] + name, in: second)) + at
        let prefix = "malformed payload: "
        func edited(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = valid
            change(&bytes)
            return Self.resealed(bytes)
        }
        let cases: [([UInt8], String)] = [
            (edited { $0[actionAt + 1] ^= 0x20 }, "audit record 2: unknown action"),
            (edited { $0[at] = 9 }, "an audit record has an unknown encoding version"),
            (edited { $0[at + 17] = 5 }, "audit record 2: unknown actor kind"),
            (edited { $0[at + 8] = 3 }, "audit record 3 stands where seq 2 belongs"),
            // The first record's bytes field one byte longer: its MAC's first byte becomes a trailing byte.
            (edited { $0[firstAt - 4] &+= 1 }, "audit record 1: bytes follow its justification"),
            // The last one's: its MAC then runs past the end.
            (edited { $0[at - 4] &+= 1 }, "a field runs past the end of the payload"),
            (edited { $0[at - 4] &-= 1 }, "audit record 2: truncated in its justification"),
            (edited { $0.removeLast() }, "a field runs past the end of the payload"),
            (edited { $0.append(0) }, "bytes left over after the last entry"),
        ]
        for (index, (bytes, reason)) in cases.enumerated() {
            try writeFile(bytes, to: path)
            #expect(throws: StorageError.corrupted(prefix + reason), "case \(index)") { try FileStorage.open(at: path) }
        }
    }

    /// A record that cannot be encoded (a username beyond its 2-byte length) fails the commit
    /// before anything is written: the file and the head stay as they were.
    @Test func aRecordThatCannotBeEncodedWritesNothing() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let storage = try FileStorage.create(at: path)
        let before = try fileBytes(path)
        let record = AuditRecord(
            seq: 1,
            event: AuditEvent(
                time: AuditTime(rawValue: 0),
                actor: .user(id: UserID(rawValue: 1), username: String(repeating: "a", count: 70_000)),
                action: .reveal),
            mac: .genesis)
        await #expect(
            throws: StorageError.failure("audit record 1 cannot be encoded: username longer than 65535 bytes")
        ) {
            try await Self.append([record], to: storage, after: .empty)
        }
        #expect(try fileBytes(path) == before)
        #expect(try await storage.auditHead() == .empty)
        #expect(try await storage.auditRecords(AuditQuery()).isEmpty)
    }

    static func offset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
