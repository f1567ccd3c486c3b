import Foundation

/// A time-based one-time password generator (RFC 6238), validated once at creation.
///
/// The counter is `T = floor((time - T0) / period)` (RFC 6238 §4.2) as a 64-bit value, so
/// times past 2038 (and RFC 6238's `T = 20000000000` vector) work; the code is HOTP of `T`.
///
/// ```swift
/// let totp = try TOTP(secret: Base32.decodeSecret("JBSWY3DPEHPK3PXP"))
/// let code = try totp.code(at: Date())                            // e.g. "282760"
/// if let step = try totp.verify(code, at: Date()) { /* refuse `step` next time */ }
/// ```
public struct TOTP: Sendable {
    /// The HOTP generator of the time-step counter.
    let generator: HOTP

    /// The periods accepted, in seconds: RFC 6238 §4.1 asks for a positive X; 2³²−1 is the most
    /// the vault stores, and the same range holds in the library, the wire, key URIs and
    /// `pwvault code` (docs/contract.md §5, §16).
    public static let allowedPeriods: ClosedRange<Int> = 1...Int(UInt32.max)

    /// The time step X in seconds (RFC 6238 §4.1).
    public let period: Int
    /// T0, the Unix time at which counting steps starts (RFC 6238 §4.1).
    public let t0: Int64

    /// The shared secret.
    public var secret: SecretBytes { generator.secret }
    /// The HMAC hash function.
    public var algorithm: OTPAlgorithm { generator.algorithm }
    /// The number of decimal digits in a code.
    public var digits: Int { generator.digits }

    /// Creates a generator.
    /// - Parameters:
    ///   - secret: The shared secret; at least one byte.
    ///   - algorithm: The HMAC hash; SHA-1 by default (RFC 6238 §1.2).
    ///   - digits: Code length, 6 to 10; 6 by default.
    ///   - period: The time step X in seconds, 1 to 2³²−1 (``allowedPeriods``); 30 by default (RFC 6238 §5.2).
    ///   - t0: The Unix time of the first step; 0 by default (RFC 6238 §4.1).
    /// - Throws: ``OTPError/emptySecret``, ``OTPError/digitsOutOfRange(_:)``, ``OTPError/nonPositivePeriod(_:)``
    ///   or ``OTPError/periodTooLong(_:)``.
    public init(
        secret: SecretBytes, algorithm: OTPAlgorithm = .sha1, digits: Int = 6, period: Int = 30, t0: Int64 = 0
    ) throws(OTPError) {
        generator = try HOTP(secret: secret, algorithm: algorithm, digits: digits)
        try Self.checkPeriod(period)
        self.period = period
        self.t0 = t0
    }

    /// Refuses a period outside ``allowedPeriods``.
    /// - Throws: ``OTPError/nonPositivePeriod(_:)`` or ``OTPError/periodTooLong(_:)``.
    static func checkPeriod(_ period: Int) throws(OTPError) {
        guard period >= allowedPeriods.lowerBound else { throw .nonPositivePeriod(period) }
        guard period <= allowedPeriods.upperBound else { throw .periodTooLong(period) }
    }

    /// The time-step counter T for a Unix time (RFC 6238 §4.2), rounded down.
    /// - Throws: ``OTPError/timeBeforeEpoch`` when `unixTime` is before ``t0``.
    public func counter(atUnixTime unixTime: Int64) throws(OTPError) -> UInt64 {
        guard unixTime >= t0 else { throw .timeBeforeEpoch }
        // The true difference lies in 0..<2^64: the wrapping subtraction read as unsigned is exact.
        let elapsed = UInt64(bitPattern: unixTime &- t0)
        return elapsed / UInt64(period)
    }

    /// The code at a Unix time.
    /// - Throws: ``OTPError/timeBeforeEpoch`` when `unixTime` is before ``t0``; nothing else.
    public func code(atUnixTime unixTime: Int64) throws(OTPError) -> String {
        generator.code(counter: try counter(atUnixTime: unixTime))
    }

    /// The code at a date, its time rounded down to the second.
    /// - Throws: ``OTPError/timeBeforeEpoch`` or ``OTPError/timeOutOfRange``.
    public func code(at date: Date) throws(OTPError) -> String {
        try code(atUnixTime: Self.unixTime(of: date))
    }

    /// Checks `code` against the steps from `window` before to `window` after the current one.
    ///
    /// Every step in the window is computed and compared in constant time, whichever
    /// matches; steps below 0 or above `UInt64.max` are left out. A code of the wrong
    /// length or with anything but ASCII digits is refused.
    /// - Parameters:
    ///   - code: The code a person typed.
    ///   - unixTime: The time of verification.
    ///   - window: Steps accepted either side of the current one (RFC 6238 §5.2 recommends at most 1).
    /// - Returns: The matching step counter closest to the current one, or `nil`. Store it and
    ///   refuse codes at or below it afterwards, so that a code is not accepted twice (RFC 6238 §5.2).
    /// - Throws: ``OTPError/timeBeforeEpoch`` or ``OTPError/negativeWindow(_:)``.
    public func verify(_ code: String, atUnixTime unixTime: Int64, window: Int = 1) throws(OTPError) -> UInt64? {
        guard window >= 0 else { throw .negativeWindow(window) }
        let current = try counter(atUnixTime: unixTime)
        let steps = UInt64(window)
        let low = current >= steps ? current - steps : 0
        let high = current <= .max - steps ? current + steps : .max
        return generator.match(code, in: low...high, closestTo: current)
    }

    /// Checks `code` at a date (rounded down to the second); see ``verify(_:atUnixTime:window:)``.
    /// - Throws: ``OTPError/timeBeforeEpoch``, ``OTPError/timeOutOfRange`` or ``OTPError/negativeWindow(_:)``.
    public func verify(_ code: String, at date: Date, window: Int = 1) throws(OTPError) -> UInt64? {
        try verify(code, atUnixTime: Self.unixTime(of: date), window: window)
    }

    /// The whole seconds since 1970 of `date`, rounded down.
    static func unixTime(of date: Date) throws(OTPError) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard let unixTime = Int64(exactly: seconds) else {
            throw seconds < 0 ? .timeBeforeEpoch : .timeOutOfRange
        }
        return unixTime
    }
}

extension TOTP: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The parameters, with the secret shown as `<redacted>`.
    public var description: String {
        "TOTP(\(algorithm.rawValue), \(digits) digits, period \(period) s, T0 \(t0), secret: <redacted>)"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The parameters only; the secret appears as its own redacted value.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["algorithm": algorithm, "digits": digits, "period": period, "t0": t0, "secret": secret],
            displayStyle: .struct)
    }
}
