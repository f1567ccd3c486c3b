/// The plaintext layout of a sealed `secret_key`: the TOTP seed with its parameters.
///
/// ```
/// version(1) = 0x01 ‖ algorithm(1: 1 SHA-1, 2 SHA-256, 3 SHA-512) ‖ digits(1)
///   ‖ period(UInt32, big-endian) ‖ t0(Int64, big-endian) ‖ seed bytes
/// ```
enum SecretKeyCoding {
    static let headerLength = 15

    static func encode(_ totp: TOTP) throws(VaultError) -> SecretBytes {
        let seed = totp.secret
        guard let period = UInt32(exactly: totp.period), let digits = UInt8(exactly: totp.digits) else {
            throw .invalidParameter(field: "secret_key", reason: "period or digits out of range")
        }
        return SecretBytes(count: headerLength + seed.count) { buffer in
            buffer[0] = 1
            buffer[1] = algorithmCode(totp.algorithm)
            buffer[2] = digits
            buffer.storeBytes(of: period.bigEndian, toByteOffset: 3, as: UInt32.self)
            buffer.storeBytes(of: totp.t0.bigEndian, toByteOffset: 7, as: Int64.self)
            seed.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength...]).copyMemory(from: bytes)
            }
        }
    }

    static func decode(_ plain: SecretBytes) -> TOTP? {
        plain.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> TOTP? in
            guard bytes.count > headerLength, bytes[0] == 1, let algorithm = algorithm(code: bytes[1]) else {
                return nil
            }
            let digits = Int(bytes[2])
            let period = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 3, as: UInt32.self)))
            let t0 = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 7, as: Int64.self))
            let seed = SecretBytes(copying: UnsafeRawBufferPointer(rebasing: bytes[headerLength...]))
            return try? TOTP(secret: seed, algorithm: algorithm, digits: digits, period: period, t0: t0)
        }
    }

    private static func algorithmCode(_ algorithm: OTPAlgorithm) -> UInt8 {
        switch algorithm {
        case .sha1: 1
        case .sha256: 2
        case .sha512: 3
        }
    }

    private static func algorithm(code: UInt8) -> OTPAlgorithm? {
        switch code {
        case 1: .sha1
        case 2: .sha256
        case 3: .sha512
        default: nil
        }
    }
}
