import Foundation
import PasswordVault

/// KDBX's times (docs/contract.md §15): KDBX 4 writes the seconds since 0001-01-01T00:00:00Z
/// (proleptic Gregorian, UTC) as 8 bytes little-endian, base64; KDBX 3.1 writes ISO 8601 text in
/// UTC (`2021-03-04T05:06:07Z`). Either form is read in either version, as KeePassXC does; any
/// other text is refused, so the caller can report it. Bitwarden's `revisionDate` is the ISO
/// form with milliseconds.
enum KDBXTime {
    /// Seconds from 0001-01-01T00:00:00Z to the Unix epoch: 719,162 days.
    static let epochOffset: Int64 = 62_135_596_800
    /// The last second KDBX can hold, 9999-12-31T23:59:59Z, counted from 0001-01-01.
    static let maximumSeconds: Int64 = 315_537_897_599

    /// The instant `text` names, whole seconds; `nil` for anything but the two forms, or a time
    /// outside 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z.
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let seconds = binarySeconds(trimmed) {
            return Date(timeIntervalSince1970: Double(seconds - epochOffset))
        }
        return isoDate(trimmed)
    }

    /// KDBX 4's form: base64 of exactly 8 bytes, a non-negative count within KDBX's range.
    private static func binarySeconds(_ text: String) -> Int64? {
        guard text.utf8.count == 12, let data = Data(base64Encoded: text), data.count == 8 else { return nil }
        let raw = data.reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        guard raw <= UInt64(maximumSeconds) else { return nil }
        return Int64(raw)
    }

    /// KDBX 3.1's form, read by ``iso8601(_:)`` and rounded down to the second: KDBX 4 holds
    /// whole seconds, so a round trip through either form gives the same instant.
    private static func isoDate(_ text: String) -> Date? {
        guard let date = iso8601(text) else { return nil }
        return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// ISO 8601 in UTC as KeePass, KeePassXC and Bitwarden write it: `YYYY-MM-DDTHH:MM:SSZ`,
    /// optionally with a fraction of 1 to 7 digits before the `Z` (.NET writes 7, JavaScript 3),
    /// kept to the millisecond. A real calendar date, years 0001 to 9999; no offset but `Z`.
    static func iso8601(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, chars.last == UInt8(ascii: "Z"), !text.hasPrefix("0000") else { return nil }
        var milliseconds = [UInt8]("000".utf8)
        if chars.count > 20 {
            let fraction = chars[19..<(chars.count - 1)]
            guard fraction.count >= 2, fraction.count <= 8, fraction.first == UInt8(ascii: "."),
                fraction.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
            for (index, digit) in fraction.dropFirst().prefix(3).enumerated() { milliseconds[index] = digit }
        }
        // The vault's own strict ISO 8601 reader checks the separators, the digits and the
        // calendar (no 2021-02-30); it wants exactly milliseconds.
        let normalized =
            String(decoding: chars[0..<19], as: UTF8.self) + "." + String(decoding: milliseconds, as: UTF8.self)
        return AuditTime(iso8601: normalized + "Z")?.date
    }

    /// KDBX 4's form of `date`, rounded down to the second and kept within KDBX's range.
    static func binary(_ date: Date) -> String {
        let unix = date.timeIntervalSince1970.rounded(.down)
        let seconds: Int64
        if unix.isNaN || unix <= Double(-epochOffset) {
            seconds = 0
        } else if unix >= Double(maximumSeconds - epochOffset) {
            seconds = maximumSeconds
        } else {
            seconds = Int64(unix) + epochOffset
        }
        return Data(littleEndian(seconds)).base64EncodedString()
    }
}
