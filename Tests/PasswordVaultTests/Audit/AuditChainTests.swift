import Foundation
import Testing

@testable import PasswordVault

/// The keyed chain of audit records (docs/contract.md §12; the encoding in docs/format.md).
@Suite struct AuditChainTests {
    static let key = try! AuditKey(SecretBytes(Array(0..<32)))

    static let sample = AuditEvent(
        time: AuditTime(rawValue: 1_700_000_000_123), actor: .user(id: UserID(rawValue: 7), username: "ana"),
        action: .reveal, entry: EntryID(rawValue: 312), outcome: .ok, fields: ["password"],
        justification: "ticket 42")

    /// A trail of `count` varied records chained under `key`, with its head.
    static func trail(_ count: Int, key: AuditKey = key) throws -> ([AuditRecord], AuditHead) {
        var head = AuditHead.empty
        var records: [AuditRecord] = []
        for index in 0..<count {
            let event = AuditEvent(
                time: AuditTime(rawValue: 1_700_000_000_000 + Int64(index) * 1_500),
                actor: index % 5 == 0
                    ? .vault : .user(id: UserID(rawValue: Int64(index % 3)), username: "user\(index % 3)"),
                action: AuditAction.allCases[index % AuditAction.allCases.count],
                entry: index % 4 == 0 ? nil : EntryID(rawValue: Int64(index)),
                outcome: index % 7 == 3 ? .refused(code: 1006) : .ok,
                fields: index % 2 == 0 ? ["password", "notes"] : [],
                justification: index % 6 == 1 ? "case \(index)" : nil)
            let appended = try AuditChain.append(event, after: head, key: key)
            records.append(appended.record)
            head = appended.head
        }
        return (records, head)
    }

    @Test func theCanonicalEncodingIsTheDocumentedBytes() throws {
        let record = try AuditChain.append(Self.sample, after: .empty, key: Self.key).record
        // docs/format.md, "Audit records": version, seq, time, actor, action, entry, outcome, fields, justification.
        let expected = [UInt8](
            hex: "01" + "0000000000000001" + "0000018bcfe5687b" + "01" + "0000000000000007" + "0003" + "616e61"
                + "06" + "72657665616c" + "01" + "0000000000000138" + "0000" + "0001" + "0008"
                + "70617373776f7264" + "01" + "0009" + "7469636b6574203432")
        #expect(try record.canonicalEncoding() == expected)
    }

    @Test func theFirstMACIsKeyedBLAKE2bOverZerosAndTheEncoding() throws {
        // Computed outside Swift: Python's hashlib.blake2b(bytes(32) + encoding, digest_size=32, key=bytes(range(32))).
        let record = try AuditChain.append(Self.sample, after: .empty, key: Self.key).record
        #expect(record.seq == 1)
        #expect(record.mac.hex == "ca05beaccb2ae9194008d4f91d8f3cbb6bf8c60ef4a7f88151d1f5d9cd0d2831")
    }

    @Test func eachMACCoversThePreviousOne() throws {
        let (records, _) = try Self.trail(3)
        var message = records[1].mac.bytes
        message += try records[2].canonicalEncoding()
        #expect(try Sodium.blake2b(message[...], key: Self.key.secret) == records[2].mac.bytes)
        #expect(records.map(\.seq) == [1, 2, 3])
    }

    @Test func anUntouchedTrailIsIntact() throws {
        let (records, head) = try Self.trail(60)
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .intact(records: 60))
        #expect(AuditChain.verify([], head: .empty, key: Self.key) == .intact(records: 0))
    }

    @Test(arguments: 1...6)
    func anEditedRecordBreaksAtItsSeq(kind: Int) throws {
        var (records, head) = try Self.trail(30)
        let index = 11
        var event = records[index].event
        switch kind {
        case 1: event.time = AuditTime(rawValue: event.time.rawValue + 1)
        case 2: event.actor = .user(id: UserID(rawValue: 99), username: "mallory")
        case 3: event.outcome = event.outcome == .ok ? .refused(code: 1005) : .ok
        case 4: event.fields.append("secret_key")
        case 5: event.entry = EntryID(rawValue: 4242)
        default: event.justification = "nothing to see"
        }
        records[index] = AuditRecord(seq: records[index].seq, event: event, mac: records[index].mac)
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .broken(seq: 12, reason: .macMismatch))
    }

    @Test func aRemovedRecordBreaksAtItsSeq() throws {
        var (records, head) = try Self.trail(30)
        records.remove(at: 9)
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .broken(seq: 10, reason: .outOfSequence))
    }

    @Test func aRemovedRecordWithTheRestRenumberedBreaksOnTheMAC() throws {
        var (records, head) = try Self.trail(30)
        records.remove(at: 9)
        records = records.enumerated().map {
            AuditRecord(seq: UInt64($0.offset + 1), event: $0.element.event, mac: $0.element.mac)
        }
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .broken(seq: 10, reason: .macMismatch))
    }

    @Test func anInsertedRecordBreaksWhereItStands() throws {
        var (records, head) = try Self.trail(30)
        // A forger without the key chains a plausible record after record 14 and renumbers the rest.
        let forged = try AuditChain.append(
            Self.sample, after: AuditHead(seq: 14, mac: records[13].mac), key: try AuditKey.random()
        ).record
        records.insert(forged, at: 14)
        records = records.enumerated().map {
            AuditRecord(seq: UInt64($0.offset + 1), event: $0.element.event, mac: $0.element.mac)
        }
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .broken(seq: 15, reason: .macMismatch))
        // Left with its own seq (a second 15), it is out of sequence at 16.
        var (again, _) = try Self.trail(30)
        again.insert(forged, at: 15)
        #expect(AuditChain.verify(again, head: head, key: Self.key) == .broken(seq: 16, reason: .outOfSequence))
    }

    @Test func swappedRecordsBreakAtTheFirst() throws {
        var (records, head) = try Self.trail(30)
        records.swapAt(20, 21)
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .broken(seq: 21, reason: .outOfSequence))
        // Swapped and renumbered: the MAC of the first moved record fails.
        records = records.enumerated().map {
            AuditRecord(seq: UInt64($0.offset + 1), event: $0.element.event, mac: $0.element.mac)
        }
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .broken(seq: 21, reason: .macMismatch))
    }

    @Test func aCutOffTailBreaksAfterTheLastRecordLeft() throws {
        let (records, head) = try Self.trail(30)
        #expect(
            AuditChain.verify(records.prefix(27), head: head, key: Self.key) == .broken(seq: 28, reason: .truncated))
        #expect(AuditChain.verify([], head: head, key: Self.key) == .broken(seq: 1, reason: .truncated))
    }

    @Test func aHeadThatIsNotTheLastRecordBreaks() throws {
        let (records, head) = try Self.trail(30)
        let older = AuditHead(seq: 29, mac: records[28].mac)
        #expect(AuditChain.verify(records, head: older, key: Self.key) == .broken(seq: 30, reason: .headMismatch))
        let forgedHead = AuditHead(seq: 30, mac: records[28].mac)
        #expect(AuditChain.verify(records, head: forgedHead, key: Self.key) == .broken(seq: 30, reason: .headMismatch))
        #expect(AuditChain.verify(records, head: head, key: Self.key) == .intact(records: 30))
    }

    @Test func anotherKeyVerifiesNothing() throws {
        let (records, head) = try Self.trail(5)
        #expect(
            AuditChain.verify(records, head: head, key: try AuditKey.random()) == .broken(seq: 1, reason: .macMismatch))
    }

    @Test func aVerifierFedInPagesAgreesWithTheWholeWalk() throws {
        let (records, head) = try Self.trail(100)
        var verifier = AuditVerifier(key: Self.key)
        for page in stride(from: 0, to: records.count, by: 7) {
            for record in records[page..<min(page + 7, records.count)] { #expect(verifier.check(record) == nil) }
        }
        #expect(verifier.checked == 100)
        #expect(verifier.finish(head: head) == .intact(records: 100))
    }

    @Test func stringsLongerThanTheirLengthFieldAreRefusedNotCut() throws {
        var event = Self.sample
        event.justification = String(repeating: "é", count: 40_000)  // 80,000 bytes
        #expect(throws: AuditError.unencodable(seq: 1, reason: "justification longer than 65535 bytes")) {
            try AuditChain.append(event, after: .empty, key: Self.key)
        }
    }

    @Test func theKeyNeverDescribesItself() throws {
        #expect(String(describing: Self.key) == "<redacted>")
        #expect(String(reflecting: Self.key) == "<redacted>")
        var dumped = ""
        dump(Self.key, to: &dumped)
        #expect(!dumped.contains("0, 1, 2"))
        #expect(throws: CryptoError.invalidKeyLength(expected: 32, actual: 31)) {
            try AuditKey(SecretBytes(Array(repeating: 1, count: 31)))
        }
    }

    @Test func aLongTrailStaysLinked() throws {
        // Not a timing test (benchmarks measure that): a long trail chains and verifies record by record.
        let key = try AuditKey.random()
        var head = AuditHead.empty
        var verifier = AuditVerifier(key: key)
        let event = Self.sample
        for _ in 0..<20_000 {
            let next = try AuditChain.append(event, after: head, key: key)
            #expect(verifier.check(next.record) == nil)
            head = next.head
        }
        #expect(verifier.finish(head: head) == .intact(records: 20_000))
    }

    /// Random tampering, one kind at a time, at a random place: `verify` names exactly the first
    /// seq the tampering touches, with the reason that kind must give.
    @Test func randomTamperingIsFoundAtItsFirstSeq() throws {
        let (trail, head) = try Self.trail(40)
        Property.forAll(2000) { gen in
            var records = trail
            let n = records.count
            let expected: AuditVerification
            let kind = gen.int(0...5)
            switch kind {
            case 0:  // edit one field of one record, keeping its MAC
                let index = gen.int(0...n - 1)
                var event = records[index].event
                switch gen.int(0...3) {
                case 0: event.time = AuditTime(rawValue: event.time.rawValue &+ Int64(gen.int(1...1_000_000)))
                case 1: event.action = gen.element(AuditAction.allCases.filter { $0 != event.action })
                case 2: event.fields = event.fields.isEmpty ? ["password"] : []
                default: event.entry = EntryID(rawValue: Int64(gen.int(10_000...20_000)))
                }
                records[index] = AuditRecord(seq: records[index].seq, event: event, mac: records[index].mac)
                expected = .broken(seq: UInt64(index + 1), reason: .macMismatch)
            case 1:  // remove one record
                let index = gen.int(0...n - 1)
                records.remove(at: index)
                expected = .broken(seq: UInt64(index + 1), reason: index == n - 1 ? .truncated : .outOfSequence)
            case 2:  // insert a forged record taking the seq of the place it is put in
                let index = gen.int(0...n - 1)
                let forged = AuditRecord(
                    seq: UInt64(index + 1), event: Self.sample, mac: AuditMAC(gen.bytes(32...32))!)
                records.insert(forged, at: index)
                expected = .broken(seq: UInt64(index + 1), reason: .macMismatch)
            case 3:  // swap two records
                let first = gen.int(0...n - 2)
                let second = gen.int(first + 1...n - 1)
                records.swapAt(first, second)
                expected = .broken(seq: UInt64(first + 1), reason: .outOfSequence)
            case 4:  // cut the tail
                let kept = gen.int(0...n - 1)
                records.removeLast(n - kept)
                expected = .broken(seq: UInt64(kept + 1), reason: .truncated)
            default:  // recompute nothing but flip one bit of one MAC
                let index = gen.int(0...n - 1)
                var mac = records[index].mac.bytes
                mac[gen.int(0...31)] ^= UInt8(1) << UInt8(gen.int(0...7))
                records[index] = AuditRecord(seq: records[index].seq, event: records[index].event, mac: AuditMAC(mac)!)
                expected = .broken(seq: UInt64(index + 1), reason: .macMismatch)
            }
            let got = AuditChain.verify(records, head: head, key: Self.key)
            return got == expected ? nil : "kind \(kind): expected \(expected), got \(got)"
        }
    }
}
