import Foundation
import StorageConformance
import Testing

@testable import PasswordVault

/// File format 5 (docs/format.md §7, docs/contract.md §13): the policies, the rotation mark,
/// `canReveal` and the access requests round-trip; a format 4 file reads without them; a damaged
/// request section or policy byte is refused with a clear reason, never a trap.
@Suite("FileStorage access policies")
struct FileStoragePolicyTests {
    let folder: TemporaryFolder

    init() throws { folder = try TemporaryFolder() }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
    static func str(_ text: String) -> [UInt8] { le(UInt32(text.utf8.count)) + Array(text.utf8) }

    static func resealed(_ file: [UInt8]) -> [UInt8] {
        var bytes = file
        let payload = bytes[FileFormat.headerSize...]
        bytes.replaceSubrange(24..<32, with: le(UInt64(payload.count)))
        bytes.replaceSubrange(32..<36, with: le(CRC32.checksum(payload)))
        bytes.replaceSubrange(36..<40, with: le(CRC32.checksum(bytes[0..<36])))
        return bytes
    }

    static func offset(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    static func entity(_ id: Int64) -> PasswordEntity {
        var entity = PasswordEntity(
            identifier: EntryID(rawValue: id)!, name: "entry \(id)", username: "login", owner: UserID(rawValue: 1),
            usersAllowed: [UserShare(username: "bob", canReveal: false)],
            groupsAllowed: [GroupShare(name: "ops", canEdit: true)],
            createdAt: Date(timeIntervalSinceReferenceDate: 1), updatedAt: Date(timeIntervalSinceReferenceDate: 2),
            sealedPassword: SealedValue(bytes: Array(repeating: 7, count: 40)))
        entity.needJustify = true
        entity.needApproval = 5
        entity.needsRotation = true
        return entity
    }

    static func request(_ id: Int64, entry: Int64) -> AccessRequest {
        AccessRequest(
            identifier: AccessRequestID(rawValue: id)!, entry: EntryID(rawValue: entry)!,
            requester: UserID(rawValue: 2), requesterName: "bob", justification: "why", minutes: 30,
            createdAt: Date(timeIntervalSinceReferenceDate: 3))
    }

    /// A store with entry 1 (every policy on) and `requests`, the request counter at `counter`.
    static func file(requests: [AccessRequest], counter: Int64) throws -> [UInt8] {
        var store = StoreState(generation: 1)
        store.lastIdentifier = 1
        try store.insert(entity(1))
        for request in requests { store.storeRequest(request) }
        store.lastRequestIdentifier = counter
        return try FileFormat.encode(&store)
    }

    @Test func policiesAndRequestsSurviveAReopen() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        try writeFile(
            try Self.file(requests: [Self.request(2, entry: 1), Self.request(5, entry: 1)], counter: 7), to: path)
        let storage = try FileStorage.open(at: path)
        #expect(try await storage.entity(EntryID(rawValue: 1)!) == Self.entity(1))
        #expect(
            try await storage.accessRequests(AccessRequestQuery()) == [
                Self.request(2, entry: 1), Self.request(5, entry: 1),
            ])
        // The counter is kept: the next request is 8, never a number handed out before.
        let result = try await storage.commit(
            ChangeSet(requests: [.insert { id in Self.request(id.rawValue, entry: 1) }]))
        #expect(result.insertedRequest?.identifier.rawValue == 8)
        let reopened = try FileStorage.open(at: path)
        #expect(try await reopened.accessRequests(AccessRequestQuery(entries: [EntryID(rawValue: 1)!])).count == 3)
    }

    /// A format 4 file (hand-made, docs/format.md §7): shares reveal, no policy, no request; the
    /// next commit writes format 5 with the request section.
    @Test func aFormat4FileReadsWithoutPolicies() async throws {
        defer { folder.remove() }
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { Self.le(value) }
        func str(_ text: String) -> [UInt8] { Self.str(text) }
        let created = Date(timeIntervalSinceReferenceDate: 800_000_000).timeIntervalSinceReferenceDate.bitPattern
        var payload: [UInt8] = le(Int64(1)) + [1] + le(UInt32(3)) + [1, 2, 3] + le(UInt64(1))
        payload += le(UInt32(1)) + le(Int64(1)) + str("alice") + le(UInt32(0))  // one user, no group
        payload += le(UInt32(1)) + le(Int64(1)) + str("name") + str("login") + str("") + le(UInt32(0))
        payload += le(Int64(1)) + le(UInt32(1)) + str("bob") + [1]  // owner, bob edits
        payload += le(UInt32(1)) + str("ops") + [0] + [1]  // ops views; active
        payload += le(created) + le(created)
        payload += le(UInt64(2)) + le(UInt64(2)) + le(Int64(1)) + le(UInt16(1))  // version, revision, by, fields
        payload += le(UInt32(40)) + [UInt8](repeating: 9, count: 40) + [0, 0]
        payload += le(UInt32(0))  // no history
        payload += le(UInt64(0)) + [UInt8](repeating: 0, count: 32) + le(UInt32(0))  // the empty trail
        var file = FileFormat.magic + le(UInt32(4)) + le(UInt32(0)) + le(UInt64(7)) + le(UInt64(payload.count))
        file += le(CRC32.checksum(payload[...]))
        file += le(CRC32.checksum(file[0..<36]))
        let path = folder.file("old.pwvault")
        try writeFile(file + payload, to: path)

        let storage = try FileStorage.open(at: path)
        let id = EntryID(rawValue: 1)!
        let entry = try #require(try await storage.entity(id))
        #expect(entry.usersAllowed == [UserShare(username: "bob", canEdit: true, canReveal: true)])
        #expect(entry.groupsAllowed == [GroupShare(name: "ops", canEdit: false, canReveal: true)])
        #expect(!entry.needJustify && entry.needApproval == 0 && !entry.needsRotation)
        #expect(try await storage.accessRequests(AccessRequestQuery()).isEmpty)
        let result = try await storage.commit(ChangeSet(requests: [.insert { Self.request($0.rawValue, entry: 1) }]))
        #expect(result.insertedRequest?.identifier.rawValue == 1)
        let new = try fileBytes(path)
        #expect(new[8..<12].elementsEqual(le(UInt32(5))))
        let reopened = try FileStorage.open(at: path)
        #expect(try await reopened.entity(id) == entry)
        #expect(try await reopened.accessRequests(AccessRequestQuery()) == [Self.request(1, entry: 1)])
    }

    /// Each damage of the new bytes, with its exact reason; the file is left as it was.
    @Test func damagedPolicyOrRequestBytesAreRefused() async throws {
        defer { folder.remove() }
        let valid = try Self.file(requests: [Self.request(1, entry: 1)], counter: 1)
        // The entry's policy bytes (needJustify, needApproval, needsRotation), then the password's length.
        let policy = try #require(Self.offset(of: [1, 5, 1] + Self.le(UInt32(40)), in: valid))
        // The request's justification and minutes, then its state byte.
        let why = try #require(Self.offset(of: Self.str("why") + Self.le(Int64(30)), in: valid))
        let state = why + 7 + 8
        // The request count: before the request's identifier, entry, requester and name.
        let count = why - 8 - 8 - 8 - 7 - 4
        #expect(valid[count..<count + 4].elementsEqual(Self.le(UInt32(1))))
        #expect(valid[state] == 0)
        func edited(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = valid
            change(&bytes)
            return Self.resealed(bytes)
        }
        let prefix = "malformed payload: "
        let cases: [([UInt8], String)] = [
            (edited { $0[policy + 1] = 6 }, "entry 1 needs 6 approvals (at most 5)"),
            (edited { $0[policy] = 2 }, "2 is not a boolean"),
            (edited { $0[state] = 5 }, "access request 1 has an unknown state"),
            (
                try Self.file(requests: [Self.request(1, entry: 2)], counter: 1),
                "access request 1 names entry 2, which is not stored"
            ),
            (
                try Self.file(requests: [Self.request(3, entry: 1)], counter: 2),
                "access request 3 is above the last identifier handed out"
            ),
            (
                try Self.file(requests: [Self.request(1, entry: 1)], counter: -1),
                "negative last access request identifier"
            ),
            // The request count one larger: the audit head is read as a request.
            (edited { $0[count] = 2 }, "an access request identifier is not positive"),
        ]
        for (index, (bytes, reason)) in cases.enumerated() {
            let path = folder.file("damaged-\(index).pwvault")
            try writeFile(bytes, to: path)
            do {
                _ = try FileStorage.open(at: path)
                Issue.record("case \(index) was opened")
            } catch {
                guard case .corrupted(let why) = error else {
                    Issue.record("case \(index): \(error)")
                    continue
                }
                #expect(why.hasPrefix(prefix) && why.contains(reason), "case \(index): \(why)")
            }
            #expect(try fileBytes(path) == bytes, "case \(index): the file is left as it was")
        }
    }

    /// An entry whose need_approval no reader would accept is refused before anything is written.
    @Test func anUnstorablePolicyWritesNothing() async throws {
        defer { folder.remove() }
        let path = folder.file("v.pwvault")
        let storage = try FileStorage.create(at: path)
        let before = try fileBytes(path)
        await #expect(throws: StorageError.self) {
            try await storage.insert(headerGeneration: nil) { id in
                var entity = Self.entity(id.rawValue)
                entity.needApproval = 300
                return entity
            }
        }
        #expect(try fileBytes(path) == before)
        #expect(try await storage.entities(after: nil, limit: 10).isEmpty)
    }
}
