internal import CSodium

/// libsodium's secretbox, XSalsa20-Poly1305, on raw buffers: it seals the secrets of entries
/// and wraps the data keys in the header.
///
/// The sealed form is `crypto_secretbox_easy`'s: the 16-byte Poly1305 tag, then the ciphertext,
/// as long as the message. The nonce is the caller's: 24 bytes, never reused under one key
/// (every caller in this library draws it at random).
enum SecretBox {
    /// Bytes in a key (`crypto_secretbox_KEYBYTES`).
    static let keyBytes = Int(crypto_secretbox_KEYBYTES)
    /// Bytes in a nonce (`crypto_secretbox_NONCEBYTES`).
    static let nonceBytes = Int(crypto_secretbox_NONCEBYTES)
    /// Bytes in the authentication tag (`crypto_secretbox_MACBYTES`).
    static let tagBytes = Int(crypto_secretbox_MACBYTES)

    /// Seals `message` into `output`, which must hold exactly `tagBytes + message.count` bytes.
    static func seal(
        into output: UnsafeMutableRawBufferPointer, message: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer
    ) throws(CryptoError) {
        try Sodium.ensureInitialized()
        precondition(output.count == tagBytes + message.count, "secretbox output of the wrong size")
        precondition(nonce.count == nonceBytes && key.count == keyBytes, "secretbox nonce or key of the wrong size")
        let status = message.withNonNullBase { m in
            crypto_secretbox_easy(
                output.baseAddress!.assumingMemoryBound(to: UInt8.self), m, UInt64(message.count),
                nonce.uint8Base, key.uint8Base)
        }
        guard status == 0 else { throw .operationFailed("crypto_secretbox_easy") }
    }

    /// Seals in place: `box` holds `tagBytes` of room, then the message; on return it holds
    /// tag ‖ ciphertext, the same bytes as ``seal(into:message:nonce:key:)`` writes. The message
    /// is encrypted where it lies (libsodium's secretbox may overlap input and output), so no
    /// other copy of it is made.
    static func seal(
        inPlace box: UnsafeMutableRawBufferPointer, nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer
    ) throws(CryptoError) {
        try Sodium.ensureInitialized()
        precondition(box.count >= tagBytes, "secretbox output of the wrong size")
        precondition(nonce.count == nonceBytes && key.count == keyBytes, "secretbox nonce or key of the wrong size")
        let base = box.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let status = crypto_secretbox_easy(
            base, base + tagBytes, UInt64(box.count - tagBytes), nonce.uint8Base, key.uint8Base)
        guard status == 0 else { throw .operationFailed("crypto_secretbox_easy") }
    }

    /// Opens `sealed` (tag ‖ ciphertext) into `output`, which must hold `sealed.count - tagBytes`
    /// bytes. Returns `false`, leaving `output` unspecified, when the tag does not verify: the
    /// bytes, the nonce or the key differ from the sealing ones.
    static func open(
        into output: UnsafeMutableRawBufferPointer, sealed: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer
    ) throws(CryptoError) -> Bool {
        try Sodium.ensureInitialized()
        precondition(sealed.count >= tagBytes && output.count == sealed.count - tagBytes, "secretbox sizes")
        precondition(nonce.count == nonceBytes && key.count == keyBytes, "secretbox nonce or key of the wrong size")
        let status = UnsafeRawBufferPointer(output).withNonNullBase { m in
            crypto_secretbox_open_easy(
                UnsafeMutablePointer(mutating: m), sealed.uint8Base, UInt64(sealed.count), nonce.uint8Base,
                key.uint8Base)
        }
        return status == 0
    }

    /// Seals `message`, returning tag ‖ ciphertext.
    static func seal(_ message: SecretBytes, nonce: [UInt8], key: SecretBytes) throws(CryptoError) -> [UInt8] {
        var sealed = [UInt8](repeating: 0, count: tagBytes + message.count)
        try sealed.withTypedUnsafeMutableBytes { (output) throws(CryptoError) in
            try message.withUnsafeBytes { (m) throws(CryptoError) in
                try key.withUnsafeBytes { (k) throws(CryptoError) in
                    try nonce[...].withTypedUnsafeBytes { (n) throws(CryptoError) in
                        try seal(into: output, message: m, nonce: n, key: k)
                    }
                }
            }
        }
        return sealed
    }

    /// Opens tag ‖ ciphertext straight into a secret buffer.
    /// - Throws: `rejection` when the bytes do not verify; the buffer is wiped, nothing of the
    ///   failed attempt survives.
    static func open(
        _ sealed: ArraySlice<UInt8>, nonce: ArraySlice<UInt8>, key: SecretBytes, orThrow rejection: CryptoError
    ) throws(CryptoError) -> SecretBytes {
        guard sealed.count >= tagBytes, nonce.count == nonceBytes, key.count == keyBytes else { throw rejection }
        return try SecretBytes(count: sealed.count - tagBytes) { (output) throws(CryptoError) in
            let verified = try sealed.withTypedUnsafeBytes { (s) throws(CryptoError) in
                try nonce.withTypedUnsafeBytes { (n) throws(CryptoError) in
                    try key.withUnsafeBytes { (k) throws(CryptoError) in
                        try open(into: output, sealed: s, nonce: n, key: k)
                    }
                }
            }
            guard verified else { throw rejection }
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The first byte's address; only for buffers known to be non-empty.
    var uint8Base: UnsafePointer<UInt8> { baseAddress!.assumingMemoryBound(to: UInt8.self) }

    /// Calls `body` with the first byte's address, or with a one-byte dummy's when the buffer
    /// has none: libsodium wants non-null pointers even for zero lengths (an empty passphrase,
    /// an empty secret).
    func withNonNullBase<R, E: Error>(_ body: (UnsafePointer<UInt8>) throws(E) -> R) throws(E) -> R {
        if let base = baseAddress { return try body(base.assumingMemoryBound(to: UInt8.self)) }
        let dummy: UInt8 = 0
        return try withUnsafePointer(to: dummy) { (pointer) throws(E) in try body(pointer) }
    }
}
