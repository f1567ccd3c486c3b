/// The plaintext layouts of a sealed `secret_key` (docs/format.md §5).
///
/// ```
/// version 1 (a bare seed):  0x01 ‖ algorithm(1) ‖ digits(1) ‖ period(UInt32 BE) ‖ t0(Int64 BE) ‖ seed
/// version 2 (a key URI):    0x02 ‖ algorithm(1) ‖ digits(1) ‖ period(UInt32 BE) ‖ t0(Int64 BE)
///                           ‖ seed length(UInt16 BE) ‖ seed ‖ the URI's UTF-8 text (to the end)
/// ```
/// Algorithm: 1 SHA-1, 2 SHA-256, 3 SHA-512. Version 1 is what the first release wrote, and what
/// a bare seed is still written as; version 2 keeps an otpauth URI's label, issuer and every
/// parameter, as ``OTPAuthURI/uriString`` writes it.
enum SecretKeyCoding {
    /// Version, algorithm, digits, period, T0.
    static let headerLength = 15

    static func encode(_ key: StoredSecretKey) throws(VaultError) -> SecretBytes {
        let totp = key.totp
        guard let period = UInt32(exactly: totp.period), let digits = UInt8(exactly: totp.digits) else {
            throw .invalidParameter(field: "secret_key", reason: "period or digits out of range")
        }
        let seed = totp.secret
        var uriText = Array((key.uri?.uriString ?? "").utf8)
        defer { uriText.withUnsafeMutableBytes { Sodium.wipe($0) } }
        guard let seedLength = UInt16(exactly: seed.count) else {
            throw .invalidParameter(field: "secret_key", reason: "the secret is too long")
        }
        let version: UInt8 = key.uri == nil ? 1 : 2
        let seedStart = version == 1 ? headerLength : headerLength + 2
        return SecretBytes(count: seedStart + seed.count + uriText.count) { buffer in
            buffer[0] = version
            buffer[1] = algorithmCode(totp.algorithm)
            buffer[2] = digits
            buffer.storeBytes(of: period.bigEndian, toByteOffset: 3, as: UInt32.self)
            buffer.storeBytes(of: totp.t0.bigEndian, toByteOffset: 7, as: Int64.self)
            if version == 2 { buffer.storeBytes(of: seedLength.bigEndian, toByteOffset: headerLength, as: UInt16.self) }
            seed.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[seedStart..<(seedStart + seed.count)])
                    .copyMemory(from: bytes)
            }
            uriText.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[(seedStart + seed.count)...]).copyMemory(from: bytes)
            }
        }
    }

    /// The key, or `nil` for a plaintext in neither layout, with parameters no generator accepts,
    /// or (version 2) whose URI is not a TOTP URI stating the same seed and parameters.
    static func decode(_ plain: SecretBytes) -> StoredSecretKey? {
        plain.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> StoredSecretKey? in
            guard bytes.count > headerLength, bytes[0] == 1 || bytes[0] == 2,
                let algorithm = algorithm(code: bytes[1])
            else { return nil }
            let digits = Int(bytes[2])
            let period = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 3, as: UInt32.self)))
            let t0 = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 7, as: Int64.self))
            let seedRange: Range<Int>
            if bytes[0] == 1 {
                seedRange = headerLength..<bytes.count
            } else {
                guard bytes.count > headerLength + 2 else { return nil }
                let length = Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: headerLength, as: UInt16.self)))
                seedRange = (headerLength + 2)..<(headerLength + 2 + length)
                // A version 2 value always holds a URI after a non-empty seed.
                guard length > 0, seedRange.upperBound < bytes.count else { return nil }
            }
            let seed = SecretBytes(copying: UnsafeRawBufferPointer(rebasing: bytes[seedRange]))
            guard let totp = try? TOTP(secret: seed, algorithm: algorithm, digits: digits, period: period, t0: t0)
            else { return nil }
            guard bytes[0] == 2 else { return StoredSecretKey(totp: totp) }
            guard let uri = uri(UnsafeRawBufferPointer(rebasing: bytes[seedRange.upperBound...])),
                uri.kind == .totp(period: period), uri.algorithm == algorithm, uri.digits == digits, t0 == 0,
                uri.secret == seed
            else { return nil }
            let key = StoredSecretKey(totp: totp, uri: uri)
            // A URI that says no more than a seed is written as version 1, never as version 2.
            return key.uri == nil ? nil : key
        }
    }

    /// The URI in `bytes` (UTF-8), parsed; the copy that held the secret is wiped.
    private static func uri(_ bytes: UnsafeRawBufferPointer) -> OTPAuthURI? {
        var copy = Array(bytes)
        defer { copy.withUnsafeMutableBytes { Sodium.wipe($0) } }
        guard let text = String(validating: copy, as: UTF8.self) else { return nil }
        return try? OTPAuthURI(parsing: text)
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
