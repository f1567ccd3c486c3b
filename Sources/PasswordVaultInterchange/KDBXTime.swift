import Foundation
import PasswordVault

/// KDBX's times (docs/contract.md §15): KDBX 4 writes the seconds since 0001-01-01T00:00:00Z
/// (proleptic Gregorian, UTC) as 8 bytes little-endian, base64; KDBX 3.1 writes ISO 8601 text in
/// UTC (`2021-03-04T05:06:07Z`). Either form is read in either version, as KeePassXC does; any
/// other text is refused, so the caller can report it.
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

    /// KDBX 3.1's form: `YYYY-MM-DDTHH:MM:SSZ`, optionally with a fraction of 1 to 7 digits
    /// before the `Z` (KeePass 2's .NET writer), which is dropped: KDBX 4 holds whole seconds.
    /// A real calendar date, years 0001 to 9999; no offset other than `Z`.
    private static func isoDate(_ text: String) -> Date? {
        var chars = Array(text.utf8)
        guard chars.count >= 20, chars.last == UInt8(ascii: "Z") else { return nil }
        if chars.count > 20 {
            let fraction = chars[19..<(chars.count - 1)]
            guard fraction.count >= 2, fraction.count <= 8, fraction.first == UInt8(ascii: "."),
                fraction.dropFirst().allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
            chars = Array(chars[0..<19]) + [UInt8(ascii: "Z")]
        }
        guard chars.count == 20, !text.hasPrefix("0000") else { return nil }
        // The vault's own strict ISO 8601 reader checks the separators, the digits and the
        // calendar (no 2021-02-30); it wants milliseconds, which are zero here.
        let normalized = String(decoding: chars[0..<19], as: UTF8.self) + ".000Z"
        return AuditTime(iso8601: normalized)?.date
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
