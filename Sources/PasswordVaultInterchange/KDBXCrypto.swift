import CArgon2
import CLibcrypto
import CSodium
import Foundation

/// The primitives KDBX needs, each a call into a library (docs/contract.md §15): SHA-256,
/// SHA-512, AES-256-CBC and AES-256-ECB from OpenSSL's libcrypto, ChaCha20 and Salsa20 from
/// libsodium, Argon2 from libargon2. HMAC-SHA-256 is composed from libcrypto's hash states.
enum KDBXCrypto {
    static func sha256(_ parts: [UInt8]...) -> [UInt8] {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        for part in parts { part.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) } }
        var digest = [UInt8](repeating: 0, count: 32)
        SHA256_Final(&digest, &context)
        return digest
    }

    static func sha512(_ parts: [UInt8]...) -> [UInt8] {
        var context = SHA512_CTX()
        SHA512_Init(&context)
        for part in parts { part.withUnsafeBytes { _ = SHA512_Update(&context, $0.baseAddress, $0.count) } }
        var digest = [UInt8](repeating: 0, count: 64)
        SHA512_Final(&digest, &context)
        return digest
    }

    /// HMAC-SHA-256 (RFC 2104) over the concatenation of `parts`.
    static func hmacSHA256(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        var block = key.count > 64 ? sha256(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256_CTX()
        SHA256_Init(&inner)
        let ipad = block.map { $0 ^ 0x36 }
        let opad = block.map { $0 ^ 0x5c }
        ipad.withUnsafeBytes { _ = SHA256_Update(&inner, $0.baseAddress, 64) }
        for part in parts { part.withUnsafeBytes { _ = SHA256_Update(&inner, $0.baseAddress, $0.count) } }
        var innerDigest = [UInt8](repeating: 0, count: 32)
        SHA256_Final(&innerDigest, &inner)
        return sha256(opad, innerDigest)
    }

    /// Constant-time comparison of two digests.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    static func random(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        _ = sodium_init()
        randombytes_buf(&bytes, count)
        return bytes
    }

    /// AES-KDF: `rounds` AES-256-ECB encryptions of the 32-byte `key` under `seed`, then SHA-256.
    static func aesKDF(key: [UInt8], seed: [UInt8], rounds: UInt64) -> [UInt8]? {
        guard key.count == 32, seed.count == 32 else { return nil }
        var aesKey = AES_KEY()
        guard AES_set_encrypt_key(seed, 256, &aesKey) == 0 else { return nil }
        var state = key
        state.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var round: UInt64 = 0
            while round < rounds {
                AES_encrypt(base, base, &aesKey)
                AES_encrypt(base + 16, base + 16, &aesKey)
                round += 1
            }
        }
        return sha256(state)
    }

    /// Argon2d or Argon2id (libargon2's `argon2_ctx`), version 0x13 or 0x10, a 32-byte tag, with
    /// the optional secret key and associated data of RFC 9106 §3.1 (empty: none).
    static func argon2(
        password: [UInt8], salt: [UInt8], secret: [UInt8] = [], associatedData: [UInt8] = [], iterations: UInt32,
        memoryKiB: UInt32, parallelism: UInt32, version: UInt32, identified: Bool
    ) -> [UInt8]? {
        let lengths = [password.count, salt.count, secret.count, associatedData.count]
        guard lengths.allSatisfy({ $0 <= Int(UInt32.max) }) else { return nil }
        var output = [UInt8](repeating: 0, count: 32)
        // libargon2 takes mutable pointers (for its clear-password flag, which is not set).
        var (password, salt, secret, associatedData) = (password, salt, secret, associatedData)
        let status = output.withUnsafeMutableBufferPointer { out in
            password.withUnsafeMutableBufferPointer { pwd in
                salt.withUnsafeMutableBufferPointer { salt in
                    secret.withUnsafeMutableBufferPointer { secret in
                        associatedData.withUnsafeMutableBufferPointer { ad in
                            var context = argon2_context(
                                out: out.baseAddress, outlen: UInt32(out.count), pwd: pwd.baseAddress,
                                pwdlen: UInt32(pwd.count), salt: salt.baseAddress, saltlen: UInt32(salt.count),
                                secret: secret.baseAddress, secretlen: UInt32(secret.count), ad: ad.baseAddress,
                                adlen: UInt32(ad.count), t_cost: iterations, m_cost: memoryKiB, lanes: parallelism,
                                threads: parallelism, version: version, allocate_cbk: nil, free_cbk: nil,
                                flags: 0)  // ARGON2_DEFAULT_FLAGS
                            return argon2_ctx(&context, identified ? Argon2_id : Argon2_d)
                        }
                    }
                }
            }
        }
        return status == ARGON2_OK.rawValue ? output : nil
    }

    /// AES-256-CBC with PKCS#7 padding; `nil` when the padding is wrong (a wrong key or damage).
    static func aesCBC(_ input: [UInt8], key: [UInt8], iv: [UInt8], encrypt: Bool) -> [UInt8]? {
        guard key.count == 32, iv.count == 16, let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_CipherInit_ex(context, EVP_aes_256_cbc(), nil, key, iv, encrypt ? 1 : 0) == 1 else { return nil }
        var output = [UInt8](repeating: 0, count: input.count + 32)
        var written: Int32 = 0
        var total = 0
        var offset = 0
        // EVP takes an Int32 length: feed it in pieces.
        while offset < input.count {
            let piece = min(1 << 24, input.count - offset)
            let status = input.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    EVP_CipherUpdate(
                        context, outBuffer.baseAddress! + total, &written, inBuffer.baseAddress! + offset,
                        Int32(piece))
                }
            }
            guard status == 1 else { return nil }
            total += Int(written)
            offset += piece
        }
        let final = output.withUnsafeMutableBufferPointer { outBuffer in
            EVP_CipherFinal_ex(context, outBuffer.baseAddress! + total, &written)
        }
        guard final == 1 else { return nil }
        total += Int(written)
        return Array(output[0..<total])
    }

    /// ChaCha20 (IETF, 12-byte nonce), counter from 0: encrypts and decrypts.
    static func chaCha20(_ input: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8]? {
        guard key.count == 32, nonce.count == 12 else { return nil }
        var output = [UInt8](repeating: 0, count: input.count)
        guard !input.isEmpty else { return output }
        _ = crypto_stream_chacha20_ietf_xor_ic(&output, input, UInt64(input.count), nonce, 0, key)
        return output
    }
}

/// The inner random stream that masks protected values: one key stream over the whole document,
/// consumed in document order.
struct InnerStream {
    enum Algorithm: UInt32 {
        case salsa20 = 2
        case chaCha20 = 3
    }

    private let algorithm: Algorithm
    private let key: [UInt8]
    private let nonce: [UInt8]
    private var block: UInt64 = 0
    private var buffer: [UInt8] = []
    private var used = 0

    /// The stream KeePass defines for `algorithm` and the header's stream key.
    init?(algorithm: UInt32, key streamKey: [UInt8]) {
        guard let algorithm = Algorithm(rawValue: algorithm), !streamKey.isEmpty else { return nil }
        switch algorithm {
        case .salsa20:
            self.init(
                algorithm, key: KDBXCrypto.sha256(streamKey), nonce: [0xE8, 0x30, 0x09, 0x4B, 0x97, 0x20, 0x5D, 0x2A])
        case .chaCha20:
            let hash = KDBXCrypto.sha512(streamKey)
            self.init(algorithm, key: Array(hash[0..<32]), nonce: Array(hash[32..<44]))
        }
    }

    /// The raw stream: Salsa20 (32-byte key, 8-byte nonce) or IETF ChaCha20 (32, 12), from
    /// block 0 — what KeePass's derivation above feeds, and what the public vectors test.
    init(_ algorithm: Algorithm, key: [UInt8], nonce: [UInt8]) {
        precondition(key.count == 32 && nonce.count == (algorithm == .salsa20 ? 8 : 12), "stream key or nonce size")
        self.algorithm = algorithm
        self.key = key
        self.nonce = nonce
    }

    /// XORs `data` with the next bytes of the stream.
    mutating func apply(_ data: [UInt8]) -> [UInt8] {
        var output = data
        for index in output.indices {
            if used == buffer.count { refill() }
            output[index] ^= buffer[used]
            used += 1
        }
        return output
    }

    private mutating func refill() {
        let zeros = [UInt8](repeating: 0, count: 64 * 16)
        var stream = [UInt8](repeating: 0, count: zeros.count)
        switch algorithm {
        case .salsa20:
            _ = crypto_stream_salsa20_xor_ic(&stream, zeros, UInt64(zeros.count), nonce, block, key)
        case .chaCha20:
            _ = crypto_stream_chacha20_ietf_xor_ic(&stream, zeros, UInt64(zeros.count), nonce, UInt32(block), key)
        }
        block += 16
        buffer = stream
        used = 0
    }
}
