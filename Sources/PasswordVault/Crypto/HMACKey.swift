internal import COpenSSL

/// An HMAC key (RFC 2104) on libcrypto's plain hash states, with the key pads hashed once.
///
/// RFC 2104 §2: `HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m))`, where `K'` is the key
/// zero-padded to the block size B, or first hashed when it is longer than B. The
/// initialiser hashes the single blocks `K' ⊕ ipad` and `K' ⊕ opad` into an inner and an
/// outer state and keeps only those two states (RFC 2104 §4, "Implementation Note").
/// Each MAC then copies the two states onto the stack, hashes the message into the inner
/// one and its digest into the outer one: no heap allocation and no rehashing of the key.
///
/// - The stored states are key-equivalent: they are wiped (`sodium_memzero`) in `deinit`,
///   and so are the pads and any hashed key while the key is prepared.
/// - The stack copies are not wiped per MAC: once finalised they hold the message's inner
///   digest and the MAC, from which the key states cannot be recovered.
/// - The value is immutable after `init`; see the `Sendable` extension below.
final class HMACKey {
    /// The hash function behind the MAC.
    enum Algorithm: Sendable, CaseIterable {
        case sha1, sha256, sha512

        /// The MAC size in bytes.
        var digestSize: Int {
            switch self {
            case .sha1: SHA_CTX.digestSize
            case .sha256: SHA256_CTX.digestSize
            case .sha512: SHA512_CTX.digestSize
            }
        }
    }

    /// The largest ``Algorithm/digestSize`` (SHA-512).
    static let maximumDigestSize = 64

    /// The hash function.
    let algorithm: Algorithm

    /// Two hash states, inner then outer, each after hashing one padded key block.
    private let states: UnsafeMutableRawBufferPointer

    /// Prepares the inner and outer states for `key` (any length, empty included).
    init(_ algorithm: Algorithm, key: UnsafeRawBufferPointer) {
        self.algorithm = algorithm
        states = Self.prepareStates(algorithm, key: key)
    }

    /// Prepares the inner and outer states for a secret key.
    init(_ algorithm: Algorithm, key: SecretBytes) {
        self.algorithm = algorithm
        states = key.withUnsafeBytes { Self.prepareStates(algorithm, key: $0) }
    }

    deinit {
        Sodium.wipe(states)
        states.deallocate()
    }

    /// The MAC size in bytes.
    var digestSize: Int { algorithm.digestSize }

    /// Writes the MAC of `message` to the first ``digestSize`` bytes of `digest`.
    ///
    /// - Precondition: `digest` holds at least ``digestSize`` bytes.
    @inline(__always)
    func authenticate(_ message: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= digestSize, "the digest buffer is too small")
        let output = digest.baseAddress!.assumingMemoryBound(to: UInt8.self)
        switch algorithm {
        case .sha1: Self.mac(SHA_CTX.self, states: states, message: message, digest: output)
        case .sha256: Self.mac(SHA256_CTX.self, states: states, message: message, digest: output)
        case .sha512: Self.mac(SHA512_CTX.self, states: states, message: message, digest: output)
        }
    }

    /// Calls `body` with the MAC of `message`, held in a stack buffer for the call only.
    @inline(__always)
    func withAuthenticationCode<R>(for message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: Self.maximumDigestSize, alignment: 8) { digest in
            authenticate(message, into: digest)
            return body(UnsafeRawBufferPointer(rebasing: digest[0..<digestSize]))
        }
    }

    /// The MAC of `message` as an array (convenient in tests; allocates).
    func authenticationCode(for message: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(message)
        return bytes.withUnsafeBytes { message in withAuthenticationCode(for: message) { Array($0) } }
    }
}

// The states are written once, in `init`, then only read (copied onto the stack per MAC)
// until `deinit`; concurrent MACs therefore never touch shared mutable memory.
extension HMACKey: @unchecked Sendable {}

extension HMACKey {
    private static func prepareStates(_ algorithm: Algorithm, key: UnsafeRawBufferPointer)
        -> UnsafeMutableRawBufferPointer
    {
        switch algorithm {
        case .sha1: prepareStates(SHA_CTX.self, key: key)
        case .sha256: prepareStates(SHA256_CTX.self, key: key)
        case .sha512: prepareStates(SHA512_CTX.self, key: key)
        }
    }

    /// Allocates the two states and hashes `K' ⊕ ipad` and `K' ⊕ opad` into them (RFC 2104 §2).
    private static func prepareStates<State: HashState>(
        _: State.Type, key: UnsafeRawBufferPointer
    ) -> UnsafeMutableRawBufferPointer {
        let stride = MemoryLayout<State>.stride
        let storage = UnsafeMutableRawBufferPointer.allocate(
            byteCount: 2 * stride, alignment: Swift.max(MemoryLayout<State>.alignment, 16))
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        let inner = storage.baseAddress!.bindMemory(to: State.self, capacity: 2)
        let outer = inner + 1

        withUnsafeTemporaryAllocation(byteCount: State.blockSize, alignment: 16) { pad in
            pad.initializeMemory(as: UInt8.self, repeating: 0)
            if key.count > State.blockSize {
                // RFC 2104 §2: a key longer than B is replaced by H(K), L bytes.
                withUnsafeTemporaryAllocation(byteCount: stride, alignment: MemoryLayout<State>.alignment) { raw in
                    raw.initializeMemory(as: UInt8.self, repeating: 0)
                    let hasher = raw.baseAddress!.bindMemory(to: State.self, capacity: 1)
                    State.start(hasher)
                    State.update(hasher, key)
                    State.finish(hasher, into: pad.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    Sodium.wipe(raw)
                }
            } else if key.count > 0 {
                pad.copyMemory(from: key)
            }
            // RFC 2104 §2: ipad = 0x36 repeated B times, opad = 0x5C repeated B times.
            for index in pad.indices { pad[index] ^= 0x36 }
            State.start(inner)
            State.update(inner, UnsafeRawBufferPointer(pad))
            for index in pad.indices { pad[index] ^= 0x36 ^ 0x5C }
            State.start(outer)
            State.update(outer, UnsafeRawBufferPointer(pad))
            Sodium.wipe(pad)
        }
        return storage
    }

    /// One MAC: copies both states, hashes the message, then the inner digest (RFC 2104 §2).
    @inline(__always)
    private static func mac<State: HashState>(
        _: State.Type, states: UnsafeMutableRawBufferPointer, message: UnsafeRawBufferPointer,
        digest: UnsafeMutablePointer<UInt8>
    ) {
        let saved = states.baseAddress!.assumingMemoryBound(to: State.self)
        var inner = saved[0]
        State.update(&inner, message)
        State.finish(&inner, into: digest)
        var outer = saved[1]
        State.update(&outer, UnsafeRawBufferPointer(start: digest, count: State.digestSize))
        State.finish(&outer, into: digest)
    }
}
