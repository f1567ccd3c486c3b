import Foundation
import Testing

@testable import PasswordVault

/// JSON Lines export of audit records and the ISO 8601 times in it (docs/contract.md §12).
@Suite struct AuditExportTests {
    @Test func aRecordIsOneLineWithTheFieldsInOrder() throws {
        let record = try AuditChain.append(AuditChainTests.sample, after: .empty, key: AuditChainTests.key).record
        #expect(
            try record.jsonLine()
                == #"{"seq":1,"time":"2023-11-14T22:13:20.123Z","actor":{"id":7,"username":"ana"},"action":"reveal","entry":"312","outcome":"ok","fields":["password"],"justification":"ticket 42","mac":"ca05beaccb2ae9194008d4f91d8f3cbb6bf8c60ef4a7f88151d1f5d9cd0d2831"}"#
        )
        let vaultRecord = AuditRecord(
            seq: 2,
            event: AuditEvent(
                time: AuditTime(rawValue: 0), actor: .vault, action: .keyRotation, outcome: .refused(code: 1006)),
            mac: .genesis)
        #expect(
            try vaultRecord.jsonLine()
                == #"{"seq":2,"time":"1970-01-01T00:00:00.000Z","actor":"vault","action":"key_rotation","entry":null,"outcome":"1006","fields":[],"justification":null,"mac":""#
                + String(repeating: "0", count: 64) + #""}"#)
    }

    @Test func everyLineReadsBackAsTheSameRecordAndStillVerifies() throws {
        var (records, head) = try AuditChainTests.trail(40)
        var event = records[3].event
        event.actor = .user(id: UserID(rawValue: -5), username: "zoë \"q\" \\ \u{1}\u{85}\u{2028} 🛡️")
        event.justification = "line\nbreak\ttab"
        // Re-chain from record 4 on so that the trail stays intact with the odd strings in it.
        var chained = Array(records[..<3])
        var current = AuditHead(seq: 3, mac: records[2].mac)
        for (offset, original) in records[3...].enumerated() {
            let next = try AuditChain.append(
                offset == 0 ? event : original.event, after: current, key: AuditChainTests.key)
            chained.append(next.record)
            current = next.head
        }
        records = chained
        head = current
        let lines = try records.map { try $0.jsonLine() }
        #expect(lines.allSatisfy { !$0.contains("\n") })
        let read = try lines.enumerated().map { try AuditRecord(jsonLine: $0.element, number: $0.offset + 1) }
        #expect(read == records)
        #expect(AuditChain.verify(read, head: head, key: AuditChainTests.key) == .intact(records: 40))
    }

    @Test(arguments: [
        ("[1]", "not a JSON object"),
        ("{", "not JSON"),
        (#"{"seq":1}"#, "missing key 'action'"),
        (Self.line(replacing: "\"seq\":1", with: "\"seq\":0"), "'seq' is not a positive integer"),
        (Self.line(replacing: "\"seq\":1", with: "\"seq\":1.5"), "'seq' is not a positive integer"),
        (Self.line(replacing: "\"seq\":1", with: "\"seq\":\"1\""), "'seq' is not a positive integer"),
        (Self.line(replacing: ".123Z", with: "Z"), "'time' is not YYYY-MM-DDTHH:MM:SS.mmmZ"),
        (Self.line(replacing: "2023-11-14", with: "2023-02-30"), "'time' is not YYYY-MM-DDTHH:MM:SS.mmmZ"),
        (Self.line(replacing: "\"reveal\"", with: "\"peek\""), "'action' is not one of the audit actions"),
        (Self.line(replacing: "\"312\"", with: "312"), "'entry' is neither null nor an identifier"),
        (Self.line(replacing: "\"ok\"", with: "\"OK\""), "'outcome' is neither \"ok\" nor a code"),
        (Self.line(replacing: "[\"password\"]", with: "[1]"), "'fields' is not an array of strings"),
        (Self.line(replacing: "\"ticket 42\"", with: "42"), "'justification' is neither null nor a string"),
        (Self.line(replacing: "\"mac\":\"ca05", with: "\"mac\":\"zz05"), "'mac' is not 64 hexadecimal digits"),
        (Self.line(replacing: "\"seq\":1,", with: "\"seq\":1,\"extra\":true,"), "unknown key 'extra'"),
        (
            Self.line(replacing: "{\"id\":7,", with: "{\"id\":7,\"x\":1,"),
            "'actor' is neither \"vault\" nor {\"id\", \"username\"}"
        ),
    ])
    func aMalformedLineIsRefusedNamingTheLineAndKey(line: String, reason: String) throws {
        #expect(throws: AuditError.malformedExport(line: 9, reason: reason)) {
            try AuditRecord(jsonLine: line, number: 9)
        }
    }

    @Test func aRefusalNeverRepeatsTheLinesText() throws {
        let line = Self.line(replacing: "\"ticket 42\"", with: "[\"hunter2\"]")
        do {
            _ = try AuditRecord(jsonLine: line, number: 3)
            Issue.record("a malformed line was read")
        } catch {
            #expect(!String(describing: error).contains("hunter2"))
            #expect(String(describing: error).hasPrefix("line 3 of the audit export is not a record"))
        }
    }

    static func line(replacing target: String, with replacement: String) -> String {
        let record = try! AuditChain.append(AuditChainTests.sample, after: .empty, key: AuditChainTests.key).record
        let line = try! record.jsonLine()
        precondition(line.contains(target), "the sample line lacks \(target)")
        return line.replacingOccurrences(of: target, with: replacement)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
        (Int64(1_796_162_400_999), "2026-12-01T22:00:00.999Z"),
        (Int64(253_402_300_799_999), "9999-12-31T23:59:59.999Z"),
        (Int64(-62_167_219_200_000), "0000-01-01T00:00:00.000Z"),
    ])
    func timesWriteAndReadAsISO8601(milliseconds: Int64, text: String) throws {
        #expect(AuditTime(rawValue: milliseconds).iso8601 == text)
        #expect(AuditTime(iso8601: text) == AuditTime(rawValue: milliseconds))
    }

    @Test func timesOutsideFourDigitYearsAreNotWritten() {
        #expect(AuditTime(rawValue: 253_402_300_800_000).iso8601 == nil)
        #expect(AuditTime(rawValue: -62_167_219_200_001).iso8601 == nil)
        #expect(AuditTime(rawValue: .max).iso8601 == nil)
        #expect(AuditTime(rawValue: .min).iso8601 == nil)
    }

    @Test(arguments: [
        "2023-02-29T00:00:00.000Z", "2023-13-01T00:00:00.000Z", "2023-00-10T00:00:00.000Z",
        "2023-01-00T00:00:00.000Z", "2023-01-01T24:00:00.000Z", "2023-01-01T00:60:00.000Z",
        "2023-01-01T00:00:60.000Z", "2023-01-01 00:00:00.000Z", "2023-01-01T00:00:00.000+00:00",
        "2023-01-01T00:00:00.00Z", "+023-01-01T00:00:00.000Z", "٢٠٢٣-01-01T00:00:00.000Z",
    ])
    func malformedTimesAreRefused(text: String) {
        #expect(AuditTime(iso8601: text) == nil)
    }

    @Test func everyMillisecondOfSampledDaysRoundTrips() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let value = Int64.random(in: -62_167_219_200_000...253_402_300_799_999, using: &generator)
            let time = AuditTime(rawValue: value)
            #expect(time.iso8601.flatMap(AuditTime.init(iso8601:)) == time)
        }
    }

    @Test func datesRoundDownToTheMillisecond() {
        #expect(AuditTime(Date(timeIntervalSince1970: 1.0019)) == AuditTime(rawValue: 1001))
        #expect(AuditTime(Date(timeIntervalSince1970: -0.0001)) == AuditTime(rawValue: -1))
        #expect(AuditTime(Date(timeIntervalSince1970: 1e300)) == AuditTime(rawValue: .max))
    }
}
