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
