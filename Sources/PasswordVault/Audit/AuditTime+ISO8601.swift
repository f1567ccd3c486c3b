public import Foundation

/// ISO 8601 in UTC with milliseconds, `2026-12-01T21:26:40.123Z`: the only form audit exports
/// write and read (docs/contract.md §12). Computed with integer civil-calendar arithmetic, so it
/// does not depend on a locale, a time zone or a formatter's version.
extension AuditTime {
    /// The instant `date` falls in, rounded down to the millisecond.
    public init(_ date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        // Dates beyond ±292 million years saturate rather than trap.
        if milliseconds >= 9.2e18 {
            rawValue = .max
        } else if milliseconds <= -9.2e18 {
            rawValue = .min
        } else {
            rawValue = Int64(milliseconds)
        }
    }

    /// The instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(rawValue) / 1000) }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, years 0000 to 9999; `nil` outside them.
    public var iso8601: String? {
        let (days, msOfDay) = rawValue.floorDivided(by: 86_400_000)
        let (year, month, day) = Self.civil(fromDays: days)
        guard (0...9999).contains(year) else { return nil }
        let seconds = msOfDay / 1000
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(seconds / 3600, 2)):"
            + "\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    /// Reads exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (a real calendar date); `nil` for anything else.
    public init?(iso8601 text: String) {
        let chars = Array(text.utf8)
        guard chars.count == 24, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            chars[10] == UInt8(ascii: "T"), chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            chars[19] == UInt8(ascii: "."), chars[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let c = chars[index]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millisecond = number(20..<23), (1...12).contains(month), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        // A day past the month's end (2026-02-30) comes back as another date: refuse it.
        guard day >= 1, Self.civil(fromDays: days) == (year, month, day) else { return nil }
        rawValue = days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let (era, _) = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let (era, _) = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    /// Quotient rounded toward negative infinity, and the remainder that goes with it (0 ..< divisor).
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}
