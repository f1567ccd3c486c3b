import Testing

@testable import PasswordVault

/// `AuditRecord(canonicalEncoding:mac:)` reads back exactly what `canonicalEncoding()` wrote
/// (docs/format.md §8) and refuses everything else with `corrupted`, naming the seq, never a value.
@Suite("AuditRecord decoding")
struct AuditRecordDecodingTests {
    static let mac = AuditMAC([UInt8](0..<32))!

    /// One event of each kind: the vault or a user (non-ASCII username), an entry or none, ok or
    /// refused, no field or several (with commas and quotes), a justification or none (or empty).
    static let events: [AuditEvent] = [
        AuditEvent(time: AuditTime(rawValue: 1_764_620_000_123), actor: .vault, action: .keyRotation),
        AuditEvent(
            time: AuditTime(rawValue: -86_400_001), actor: .user(id: UserID(rawValue: 7), username: "Zoë 日本 ünï"),
            action: .revealVersion, entry: EntryID(rawValue: 312), outcome: .refused(code: 1006),
            fields: ["password", "a,b", "say \"hi\"", ""], justification: "ticket, \"42\" — ok"),
        AuditEvent(
            time: AuditTime(rawValue: 0), actor: .user(id: UserID(rawValue: -5), username: ""), action: .update,
            entry: EntryID(rawValue: .max), outcome: .refused(code: 65535), fields: ["notes"], justification: ""),
        AuditEvent(
            time: AuditTime(rawValue: .max), actor: .vault, action: .userAdd, outcome: .ok, fields: ["alice"],
            justification: nil),
    ]

    /// Words of the events above that no message may contain.
    static let values = ["Zoë", "日本", "ticket", "say", "a,b", "alice", "notes", "password"]

    static func encoding(_ index: Int, seq: UInt64 = 2) throws -> [UInt8] {
        try AuditRecord(seq: seq, event: events[index], mac: mac).canonicalEncoding()
    }

    /// The `corrupted` message decoding `bytes` fails with; records an issue if it decodes.
    static func refusal(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            _ = try AuditRecord(canonicalEncoding: bytes[...], mac: mac)
            Issue.record("decoded \(bytes.count) malformed bytes", sourceLocation: sourceLocation)
            return nil
        } catch {
            guard case .corrupted(let why) = error else {
                Issue.record("not corrupted: \(error)", sourceLocation: sourceLocation)
                return nil
            }
            for value in values {
                #expect(!why.contains(value), "the message shows a value: \(why)", sourceLocation: sourceLocation)
            }
            return why
        }
    }

    @Test(arguments: 0..<events.count)
    func everyFieldKindRoundTrips(_ index: Int) throws {
        let record = AuditRecord(seq: 2, event: Self.events[index], mac: Self.mac)
        let bytes = try record.canonicalEncoding()
        let decoded = try AuditRecord(canonicalEncoding: bytes[...], mac: Self.mac)
        #expect(decoded == record)
        #expect(try decoded.canonicalEncoding() == bytes)
    }

    @Test func everyActionRoundTripsAndASliceIsReadInPlace() throws {
        for action in AuditAction.allCases {
            var event = Self.events[1]
            event.action = action
            let record = AuditRecord(seq: 9, event: event, mac: Self.mac)
            let framed = [0xEE] + (try record.canonicalEncoding()) + [0xEE]
            #expect(try AuditRecord(canonicalEncoding: framed[1..<framed.count - 1], mac: Self.mac) == record)
        }
    }

    @Test(arguments: 0..<events.count)
    func aRecordTruncatedAtAnyByteIsCorrupted(_ index: Int) throws {
        let bytes = try Self.encoding(index)
        for count in 0..<bytes.count {
            let why = Self.refusal(Array(bytes.prefix(count)))
            switch count {
            case 0: #expect(why == "an audit record is empty")
            case 1..<9: #expect(why == "an audit record is truncated before its seq")
            default: #expect(why?.hasPrefix("audit record 2: truncated in its ") == true, "\(count): \(why ?? "")")
            }
        }
    }

    /// Offsets into the encoding of event 1 (docs/format.md §8): version 0, seq 1, time 9,
    /// actor kind 17, user id 18, username length 26, username 28.
    @Test func eachMalformedVariantIsRefusedByName() throws {
        let good = try Self.encoding(1)
        let username = Array("Zoë 日本 ünï".utf8)
        let action = 28 + username.count  // the action's length byte
        let entryFlag = action + 1 + "reveal_version".utf8.count
        func variant(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = good
            change(&bytes)
            return bytes
        }
        let cases: [([UInt8], String)] = [
            (variant { $0[0] = 2 }, "an audit record has an unknown encoding version"),
            (variant { $0[0] = 0 }, "an audit record has an unknown encoding version"),
            (variant { $0[17] = 2 }, "audit record 2: unknown actor kind"),
            (variant { $0[17] = 0xFF }, "audit record 2: unknown actor kind"),
            (variant { $0[action + 1] = UInt8(ascii: "R") }, "audit record 2: unknown action"),
            (variant { $0[action + 14] = UInt8(ascii: "X") }, "audit record 2: unknown action"),
            (variant { $0[action] -= 1 }, "audit record 2: unknown action"),
            (variant { $0[entryFlag] = 2 }, "audit record 2: its entry flag is neither 0 nor 1"),
            (
                variant { $0.replaceSubrange(entryFlag + 1..<entryFlag + 9, with: [UInt8](repeating: 0, count: 8)) },
                "audit record 2: its entry identifier is not positive"
            ),
            (variant { $0[28] = 0xFF }, "audit record 2: its username is not UTF-8"),
            (
                variant { $0[$0.count - 1 - "ticket, \"42\" — ok".utf8.count - 2] = 7 },
                "audit record 2: its justification flag is neither 0 nor 1"
            ),
            (good + [0], "audit record 2: bytes follow its justification"),
            (good + Array("x".utf8), "audit record 2: bytes follow its justification"),
        ]
        for (bytes, message) in cases { #expect(Self.refusal(bytes) == message) }
        #expect(Self.refusal(try Self.encoding(0) + [1]) == "audit record 2: bytes follow its justification")
    }

    /// Whatever the bytes, decoding either refuses them with `corrupted` or gives a record whose
    /// encoding is exactly those bytes: it never traps and never reads two encodings as one record.
    @Test func arbitraryBytesAreRefusedOrReadExactly() throws {
        var generator = SystemRandomNumberGenerator()
        let seeds = try (0..<Self.events.count).map { try Self.encoding($0) }
        for round in 0..<4000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<(1 + round % 3) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[at] = UInt8.random(in: 0...255, using: &generator)
            }
            if round % 5 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator))) }
            let record: AuditRecord
            do throws(StorageError) {
                record = try AuditRecord(canonicalEncoding: bytes[...], mac: Self.mac)
            } catch {
                guard case .corrupted = error else {
                    Issue.record("not corrupted: \(error)")
                    continue
                }
                continue
            }
            #expect(try record.canonicalEncoding() == bytes)
        }
    }
}
