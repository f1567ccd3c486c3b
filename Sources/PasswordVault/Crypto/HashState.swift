internal import COpenSSL

/// A plain hash state from OpenSSL's libcrypto (`SHA_CTX`, `SHA256_CTX`, `SHA512_CTX`),
/// the building block of ``HMACKey``.
///
/// Only the one-shot-per-block functions are used (`*_Init`, `*_Update`, `*_Final`);
/// they work on caller-owned memory and never allocate. Their return values are
/// always 1 for these algorithms, so they are not checked.
protocol HashState {
    /// The compression function's block size in bytes (B in RFC 2104 §2).
    static var blockSize: Int { get }
    /// The digest size in bytes (L in RFC 2104 §2).
    static var digestSize: Int { get }
    /// Resets `state` to the algorithm's initial value.
    static func start(_ state: UnsafeMutablePointer<Self>)
    /// Hashes `bytes` into `state`.
    static func update(_ state: UnsafeMutablePointer<Self>, _ bytes: UnsafeRawBufferPointer)
    /// Writes the digest (``digestSize`` bytes) to `digest`; `state` is spent afterwards.
    static func finish(_ state: UnsafeMutablePointer<Self>, into digest: UnsafeMutablePointer<UInt8>)
}

extension SHA_CTX: HashState {
    static var blockSize: Int { 64 }
    static var digestSize: Int { 20 }

    static func start(_ state: UnsafeMutablePointer<Self>) { _ = SHA1_Init(state) }

    static func update(_ state: UnsafeMutablePointer<Self>, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = SHA1_Update(state, base, bytes.count)
    }

    static func finish(_ state: UnsafeMutablePointer<Self>, into digest: UnsafeMutablePointer<UInt8>) {
        _ = SHA1_Final(digest, state)
    }
}

extension SHA256_CTX: HashState {
    static var blockSize: Int { 64 }
    static var digestSize: Int { 32 }

    static func start(_ state: UnsafeMutablePointer<Self>) { _ = SHA256_Init(state) }

    static func update(_ state: UnsafeMutablePointer<Self>, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = SHA256_Update(state, base, bytes.count)
    }

    static func finish(_ state: UnsafeMutablePointer<Self>, into digest: UnsafeMutablePointer<UInt8>) {
        _ = SHA256_Final(digest, state)
    }
}

extension SHA512_CTX: HashState {
    static var blockSize: Int { 128 }
    static var digestSize: Int { 64 }

    static func start(_ state: UnsafeMutablePointer<Self>) { _ = SHA512_Init(state) }

    static func update(_ state: UnsafeMutablePointer<Self>, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = SHA512_Update(state, base, bytes.count)
    }

    static func finish(_ state: UnsafeMutablePointer<Self>, into digest: UnsafeMutablePointer<UInt8>) {
        _ = SHA512_Final(digest, state)
    }
}
