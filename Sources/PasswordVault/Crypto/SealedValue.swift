/// Opaque sealed bytes of one secret field of one entry, as storage keeps them.
///
/// Only a key ring holding the right data key opens them, and only for the entry and field
/// they were sealed for. The layout, version 1, for an `n`-byte secret (`45 + n` bytes):
///
/// | offset | bytes | content |
/// |---|---|---|
/// | 0  | 1  | format version, `0x01` |
/// | 1  | 4  | id of the data key, big-endian |
/// | 5  | 24 | nonce, fresh from the CSPRNG for every seal |
/// | 29 | 16 | Poly1305 tag |
/// | 45 | n  | XSalsa20 ciphertext |
///
/// Bytes 5 onwards are libsodium secretbox (XSalsa20-Poly1305) output, nonce ‖ tag ‖
/// ciphertext, under a subkey of the data key made for this entry and field alone.
/// The version and key id are not covered by the tag, but they cannot be altered unnoticed:
/// another version is refused, and another key id selects another key (or none), under which
/// the tag does not verify.
///
/// Its description shows only the length: `SealedValue(57 bytes)`.
public struct SealedValue: Sendable, Hashable {
    /// The sealed bytes.
    public let bytes: [UInt8]

    /// Wraps sealed bytes read back from storage; they are checked only when opened.
    public init(bytes: [UInt8]) { self.bytes = bytes }
}

extension SealedValue {
    /// Offsets and sizes of the layout above.
    enum Layout {
        static let version: UInt8 = 1
        static let keyID = 1..<5
        static let nonce = 5..<(5 + SecretBox.nonceBytes)
        /// Where the secretbox output, tag ‖ ciphertext, begins.
        static let sealed = nonce.upperBound
        /// The bytes around the secret itself.
        static let overhead = sealed + SecretBox.tagBytes
    }

    /// The data key id written in the bytes, or `nil` unless they have the layout's version and
    /// at least its minimum length.
    var keyID: UInt32? {
        guard bytes.count >= Layout.overhead, bytes[0] == Layout.version else { return nil }
        var reader = BigEndianReader(bytes[Layout.keyID])
        return reader.readBigEndian()
    }
}

extension SealedValue: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description that never shows secret material.
    public var description: String { "SealedValue(\(bytes.count) bytes)" }
    /// The same as `description`: no secret material.
    public var debugDescription: String { description }
    /// A mirror without children, so `dump` shows no secret material.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
