import Foundation
import Testing

@testable import PasswordVaultInterchange

/// KDBX `Times/LastModificationTime` (docs/contract.md §15): KDBX 4's base64 of the
/// little-endian seconds since 0001-01-01T00:00:00Z and KDBX 3.1's ISO 8601 text, read exactly;
/// anything else reported and left out.
@Suite("KDBX times")
struct KDBXTimeTests {
    static let fast = KDBXFormatTests.fast

    /// A KDBX 4 document whose one entry has the given time and older versions at theirs.
    static func file(current: String, history: [String]) -> [UInt8] {
        KDBXWriter.seal(passphrase: "p", options: fast) { _ in
            func entry(_ password: String, _ time: String, _ inner: String = "") -> String {
                "<Entry><UUID>AAAAAAAAAAAAAAAAAAAAAA==</UUID><Times><LastModificationTime>\(time)"
                    + "</LastModificationTime></Times><String><Key>Title</Key><Value>E</Value></String>"
                    + "<String><Key>UserName</Key><Value>u</Value></String>"
                    + "<String><Key>Password</Key><Value>\(password)</Value></String>\(inner)</Entry>"
            }
            let older = history.enumerated().map { entry("v\($0.offset + 1)", $0.element) }.joined()
            return "<KeePassFile><Root><Group><Name>Root</Name>"
                + entry("now", current, history.isEmpty ? "" : "<History>\(older)</History>")
                + "</Group></Root></KeePassFile>"
        }
    }

    /// Exact instants, both forms, in current and older versions; a .NET fraction is dropped.
    @Test func bothFormsAreReadExactly() throws {
        // 2021-03-04T05:06:07Z is 63,750,431,167 s after 0001-01-01 = 0x0E_D7D2_61BF.
        let file = Self.file(
            current: "v2HS1w4AAAA=",
            history: ["2019-12-31T23:59:59Z", "2020-06-01T12:00:00.1234567Z", "AAAAAAAAAAA=", "fziGd0kAAAA="])
        let entry = try #require(try KDBXReader.read(file, passphrase: "p").entries.first)
        #expect(entry.changedAt == Date(timeIntervalSince1970: 1_614_834_367))
        #expect(
            entry.history.map(\.changedAt) == [
                Date(timeIntervalSince1970: 1_577_836_799), Date(timeIntervalSince1970: 1_591_012_800),
                Date(timeIntervalSince1970: -62_135_596_800),  // 0001-01-01T00:00:00Z
                Date(timeIntervalSince1970: 253_402_300_799),  // 9999-12-31T23:59:59Z
            ])
        #expect(entry.history.map(\.password) == ["v1", "v2", "v3", "v4"])
        #expect(entry.unmapped.isEmpty)
    }

    /// A time outside KDBX's range, of the wrong length, not a calendar date, with an offset or a
    /// space: the entry imports, the time is left out and reported — for that version.
    @Test(arguments: [
        "gDiGd0kAAAA=",  // 9999-12-31T23:59:59Z + 1 s
        "//////////8=",  // -1
        "AQID",  // 3 bytes
        "AAAAAAAAAAAAAAAA",  // 12 bytes
        "2021-02-29T00:00:00Z", "2021-03-04T24:00:00Z", "2021-03-04T05:06:07+01:00", "2021-03-04 05:06:07Z",
        "2021-03-04T05:06:07", "0000-01-01T00:00:00Z", "2021-03-04T05:06:07.Z", "2021-03-04T05:06:07.12345678Z",
        "", "now",
    ])
    func badTimesAreReportedAndLeftOut(bad: String) throws {
        let current = try #require(
            try KDBXReader.read(Self.file(current: bad, history: []), passphrase: "p").entries.first)
        #expect(current.changedAt == nil)
        #expect(current.unmapped == ["unreadable LastModificationTime (the import time is used)"])
        let older = try #require(
            try KDBXReader.read(Self.file(current: "v2HS1w4AAAA=", history: ["AAAAAAAAAAA=", bad]), passphrase: "p")
                .entries.first)
        #expect(older.changedAt == Date(timeIntervalSince1970: 1_614_834_367))
        #expect(older.history.map(\.changedAt) == [Date(timeIntervalSince1970: -62_135_596_800), nil])
        #expect(older.unmapped == ["older version 2: unreadable LastModificationTime (the import time is used)"])
    }

    /// What we write is KDBX 4's form, whole seconds, clamped to KDBX's range.
    @Test func writtenTimesAreKDBX4Seconds() {
        #expect(KDBXTime.binary(Date(timeIntervalSince1970: 1_614_834_367.999)) == "v2HS1w4AAAA=")
        #expect(KDBXTime.binary(Date(timeIntervalSince1970: -1e12)) == "AAAAAAAAAAA=")
        #expect(KDBXTime.binary(Date.distantFuture.addingTimeInterval(1e12)) == "fziGd0kAAAA=")
    }
}
