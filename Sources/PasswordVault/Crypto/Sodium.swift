internal import CSodium

/// The one place libsodium is initialised and its plain helpers are reached.
///
/// Every function in this folder that calls libsodium for randomness or
/// cryptography first calls ``Sodium/ensureInitialized()``; `sodium_init` runs
/// once, through a lazily initialised static.
enum Sodium {
    /// `sodium_init` returns 0 on success, 1 when already initialised, -1 on failure.
    private static let initialized: Bool = sodium_init() >= 0

    /// Makes sure libsodium is initialised.
    /// - Throws: ``CryptoError/libraryUnavailable`` when `sodium_init` failed.
    static func ensureInitialized() throws(CryptoError) {
        guard initialized else { throw .libraryUnavailable }
    }

    /// Fills `buffer` with random bytes from libsodium's CSPRNG.
    static func randomFill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        try ensureInitialized()
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    /// A uniformly distributed random integer in `0..<upperBound` (no modulo bias).
    static func randomUniform(_ upperBound: UInt32) throws(CryptoError) -> UInt32 {
        try ensureInitialized()
        return randombytes_uniform(upperBound)
    }

    /// Overwrites `buffer` with zeros in a way the optimiser cannot remove.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Constant-time comparison of two buffers of equal length.
    static func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
        return sodium_memcmp(pa, pb, a.count) == 0
    }
}

extension Sodium {
    /// Bytes in a key for ``deriveSubkey(of:id:context:)`` and in every subkey it makes.
    static let subkeyBytes = Int(crypto_kdf_KEYBYTES)
    /// Bytes in a BLAKE2b digest as this library uses it (`crypto_generichash_BYTES`, 32).
    static let digestBytes = Int(crypto_generichash_BYTES)

    /// `crypto_kdf_derive_from_key`: the 32-byte subkey number `id` of a 32-byte `key` in an
    /// 8-character `context`. Different ids or contexts give independent keys.
    static func deriveSubkey(of key: SecretBytes, id: UInt64, context: StaticString) throws(CryptoError)
        -> SecretBytes
    {
        try ensureInitialized()
        precondition(context.utf8CodeUnitCount == Int(crypto_kdf_CONTEXTBYTES), "a kdf context has 8 bytes")
        precondition(key.count == subkeyBytes, "a kdf master key has 32 bytes")
        let ctx = UnsafeRawPointer(context.utf8Start).assumingMemoryBound(to: CChar.self)
        return try SecretBytes(count: subkeyBytes) { (subkey) throws(CryptoError) in
            let status = key.withUnsafeBytes { k in
                crypto_kdf_derive_from_key(
                    subkey.baseAddress!.assumingMemoryBound(to: UInt8.self), subkey.count, id, ctx, k.uint8Base)
            }
            guard status == 0 else { throw .operationFailed("crypto_kdf_derive_from_key") }
        }
    }

    /// BLAKE2b-256 (`crypto_generichash`) of `message`: keyed with a 32-byte `key` it is a
    /// MAC, without one a checksum.
    static func blake2b(_ message: ArraySlice<UInt8>, key: SecretBytes? = nil) throws(CryptoError) -> [UInt8] {
        try ensureInitialized()
        var digest = [UInt8](repeating: 0, count: digestBytes)
        let status = digest.withUnsafeMutableBytes { out in
            message.withUnsafeBytes { m in
                m.withNonNullBase { mBase in
                    func hash(_ keyBase: UnsafePointer<UInt8>?, _ keyCount: Int) -> Int32 {
                        crypto_generichash(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, mBase, UInt64(m.count),
                            keyBase, keyCount)
                    }
                    guard let key else { return hash(nil, 0) }
                    return key.withUnsafeBytes { k in hash(k.uint8Base, k.count) }
                }
            }
        }
        guard status == 0 else { throw .operationFailed("crypto_generichash") }
        return digest
    }

    /// Whether the keyed BLAKE2b-256 of `message` is `expected`, compared in constant time; the
    /// digest is made on the stack, so nothing is allocated (the audit verifier's check).
    static func blake2bMatches(
        _ message: [UInt8], key: SecretBytes, expected: [UInt8]
    ) throws(CryptoError) -> Bool {
        try ensureInitialized()
        guard expected.count == digestBytes else { return false }
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let (status, equal) = withUnsafeMutableBytes(of: &digest) { out in
            let status = message.withUnsafeBytes { m in
                m.withNonNullBase { mBase in
                    key.withUnsafeBytes { k in
                        crypto_generichash(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self), digestBytes, mBase, UInt64(m.count),
                            k.uint8Base, k.count)
                    }
                }
            }
            let equal = expected.withUnsafeBytes { e in constantTimeEqual(UnsafeRawBufferPointer(out), e) }
            return (status, equal)
        }
        guard status == 0 else { throw .operationFailed("crypto_generichash") }
        return equal
    }
}

extension Sodium {
    /// `count` random bytes that are not secret (a nonce, a salt).
    static func randomBytes(count: Int) throws(CryptoError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withTypedUnsafeMutableBytes { (buffer) throws(CryptoError) in try randomFill(buffer) }
        return bytes
    }
}
