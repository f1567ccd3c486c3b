/// An HMAC-based one-time password generator (RFC 4226), validated once at creation.
///
/// ```swift
/// let hotp = try HOTP(secret: SecretBytes(utf8: "12345678901234567890"))
/// hotp.code(counter: 0)                                   // "755224" (RFC 4226 Appendix D)
/// hotp.verify("287082", counter: 0, window: 5)            // 1: the next counter to expect is 2
/// ```
///
/// The key's HMAC pads are hashed once here (RFC 2104 §4); each code then costs two
/// hash-block compressions and allocates nothing but the returned `String`.
public struct HOTP: Sendable {
    /// The digit counts allowed: RFC 4226 §5.3 asks for at least 6; the 31-bit truncated value has at most 10.
    public static let allowedDigits: ClosedRange<Int> = 6...10

    /// The shared secret K (RFC 4226 §5.1).
    public let secret: SecretBytes
    /// The HMAC hash function.
    public let algorithm: OTPAlgorithm
    /// The number of decimal digits in a code (Digit, RFC 4226 §5.1).
    public let digits: Int

    /// The prepared HMAC key.
    let key: HMACKey
    /// 10^digits, computed with integers (no floating-point `pow`).
    let modulus: UInt64

    /// Creates a generator.
    ///
    /// Secrets shorter than RFC 4226 §4's recommended 160 bits are accepted: authenticator
    /// apps accept them and existing seeds use them (`3DPEHPK3PXPGHODADA` is 88 bits).
    /// - Parameters:
    ///   - secret: The shared secret; at least one byte.
    ///   - algorithm: The HMAC hash; SHA-1 by default.
    ///   - digits: Code length, 6 to 10; 6 by default.
    /// - Throws: ``OTPError/emptySecret`` or ``OTPError/digitsOutOfRange(_:)``.
    public init(secret: SecretBytes, algorithm: OTPAlgorithm = .sha1, digits: Int = 6) throws(OTPError) {
        guard !secret.isEmpty else { throw .emptySecret }
        guard Self.allowedDigits.contains(digits) else { throw .digitsOutOfRange(digits) }
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        var modulus: UInt64 = 1
        for _ in 0..<digits { modulus *= 10 }
        self.modulus = modulus
        key = HMACKey(algorithm.hmacAlgorithm, key: secret)
    }

    /// The code for `counter`, zero-padded to ``digits`` digits.
    ///
    /// - Parameter counter: The moving factor C (RFC 4226 §5.1), any 64-bit value.
    public func code(counter: UInt64) -> String {
        let value = truncatedValue(counter: counter)
        let digits = digits
        return String(unsafeUninitializedCapacity: digits) { buffer in
            Self.writeDigits(value, into: UnsafeMutableRawBufferPointer(buffer))
            return digits
        }
    }

    /// Checks `code` against the counters `counter…counter + window` (RFC 4226 §7.4, look-ahead).
    ///
    /// Every counter in the window is computed and compared in constant time, whichever
    /// matches; the counters stop at `UInt64.max`. A code of the wrong length or with
    /// anything but ASCII digits is refused at once.
    /// - Parameters:
    ///   - code: The code a person typed.
    ///   - counter: The next counter the server expects.
    ///   - window: How many further counters to accept (0: only `counter`); negative accepts none.
    /// - Returns: The lowest matching counter (store it plus one, so the code is not replayed), or `nil`.
    public func verify(_ code: String, counter: UInt64, window: Int) -> UInt64? {
        guard window >= 0 else { return nil }
        let (end, overflow) = counter.addingReportingOverflow(UInt64(window))
        return match(code, in: counter...(overflow ? .max : end), closestTo: counter)
    }
}

extension HOTP {
    /// HOTP(K, C) before the modulo: HMAC of the 8-byte big-endian counter (RFC 4226 §5.2),
    /// dynamic truncation (§5.3), then reduction modulo 10^Digit.
    @inline(__always)
    func truncatedValue(counter: UInt64) -> UInt64 {
        let modulus = modulus
        return withUnsafeBytes(of: counter.bigEndian) { message in
            key.withAuthenticationCode(for: message) { mac in
                // RFC 4226 §5.3: the low 4 bits of the last byte give the offset of 4 bytes,
                // read big-endian with the top bit masked. RFC 6238 §1.2 keeps this for SHA-256/512.
                let offset = Int(mac[mac.count - 1] & 0x0F)
                let word = UInt32(bigEndian: mac.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                // For 10 digits the 31-bit value is below 10^10 and stays as it is.
                return UInt64(word & 0x7FFF_FFFF) % modulus
            }
        }
    }

    /// Writes `value` as `buffer.count` ASCII digits, zero-padded on the left.
    @inline(__always)
    static func writeDigits(_ value: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        var rest = value
        var index = buffer.count
        while index > 0 {
            index -= 1
            buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
    }

    /// Compares `code` with the code of every counter in `range`, in constant time per counter,
    /// and returns the matching counter closest to `center` (the earlier one on a tie).
    func match(_ code: String, in range: ClosedRange<UInt64>, closestTo center: UInt64) -> UInt64? {
        let digits = digits
        // RFC 4226 §5.3 / §7.2: a code is exactly Digit decimal digits.
        guard code.utf8.count == digits,
            code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return withUnsafeTemporaryAllocation(byteCount: 2 * Self.allowedDigits.upperBound, alignment: 8) { scratch in
            let given = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<digits])
            let expected = UnsafeMutableRawBufferPointer(rebasing: scratch[digits..<2 * digits])
            _ = given.initializeMemory(as: UInt8.self, from: code.utf8)
            var best: (counter: UInt64, distance: UInt64)?
            for counter in range {
                Self.writeDigits(truncatedValue(counter: counter), into: expected)
                let equal = Sodium.constantTimeEqual(UnsafeRawBufferPointer(given), UnsafeRawBufferPointer(expected))
                let distance = counter >= center ? counter - center : center - counter
                if equal, best.map({ distance < $0.distance }) ?? true { best = (counter, distance) }
            }
            return best?.counter
        }
    }
}

extension HOTP: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The parameters, with the secret shown as `<redacted>`.
    public var description: String { "HOTP(\(algorithm.rawValue), \(digits) digits, secret: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The parameters only; the secret appears as its own redacted value.
    public var customMirror: Mirror {
        Mirror(self, children: ["algorithm": algorithm, "digits": digits, "secret": secret], displayStyle: .struct)
    }
}
