/// The layout of a ``SealedValue``, version 2, for an `n`-byte secret (`54 + n` bytes):
///
/// | offset | bytes | content |
/// |---|---|---|
/// | 0  | 1     | format version, `0x02` |
/// | 1  | 4     | id of the data key, big-endian |
/// | 5  | 24    | nonce, fresh from the CSPRNG for every seal |
/// | 29 | 16    | Poly1305 tag |
/// | 45 | 9 + n | XSalsa20 ciphertext of the plaintext below |
///
/// The plaintext, `9 + n` bytes, binds the secret to its place:
///
/// | offset | bytes | content |
/// |---|---|---|
/// | 0 | 8 | the entry's id, big-endian (ids are positive 64-bit integers: every one fits) |
/// | 8 | 1 | the field's raw value (``SecretField``: 1 password, 2 notes, 3 secret key) |
/// | 9 | n | the secret |
///
/// Bytes 5 onwards are libsodium secretbox (XSalsa20-Poly1305) output, nonce ‖ tag ‖
/// ciphertext, under the data key itself. Opening checks the tag first, then that the
/// plaintext begins with the entry and field it is opened for; only the secret is returned.
/// A value copied to another entry or field authenticates but fails that check, and is refused
/// exactly like an altered one. The binding is inside the authenticated plaintext, so it cannot
/// be changed without the tag failing. The version and key id are not covered by the tag, but
/// they cannot be altered unnoticed: another version is refused, and another key id selects
/// another key (or none), under which the tag does not verify.
///
/// Version 1 (until this layout) sealed the bare secret under a `crypto_kdf` subkey of the data
/// key for each entry and field; it is refused, as any other version.
extension SealedValue {
    /// Offsets and sizes of the layout above.
    enum Layout {
        static let version: UInt8 = 2
        static let keyID = 1..<5
        static let nonce = 5..<(5 + SecretBox.nonceBytes)
        /// Where the secretbox output, tag ‖ ciphertext, begins.
        static let sealed = nonce.upperBound
        /// Where the ciphertext of the plaintext, binding ‖ secret, begins.
        static let ciphertext = sealed + SecretBox.tagBytes
        /// Bytes of the binding at the start of the plaintext: entry id (8), field (1).
        static let bindingBytes = 9
        /// The bytes around the secret itself.
        static let overhead = ciphertext + bindingBytes

        /// Writes the binding of `entry` and `field` into the first ``bindingBytes`` of `plaintext`.
        static func writeBinding(entry: EntryID, field: SecretField, into plaintext: UnsafeMutableRawBufferPointer) {
            plaintext.storeBytes(of: UInt64(entry.rawValue).bigEndian, toByteOffset: 0, as: UInt64.self)
            plaintext[8] = field.rawValue
        }

        /// Whether `plaintext` begins with the binding of `entry` and `field`. Neither is secret,
        /// so the comparison need not be constant-time.
        static func isBound(_ plaintext: UnsafeRawBufferPointer, to entry: EntryID, field: SecretField) -> Bool {
            plaintext.count >= bindingBytes
                && UInt64(bigEndian: plaintext.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
                    == UInt64(entry.rawValue)
                && plaintext[8] == field.rawValue
        }
    }

    /// The data key id written in the bytes, or `nil` unless they have the layout's version and
    /// at least its minimum length.
    var keyID: UInt32? {
        guard bytes.count >= Layout.overhead, bytes[0] == Layout.version else { return nil }
        var reader = BigEndianReader(bytes[Layout.keyID])
        return reader.readBigEndian()
    }
}
