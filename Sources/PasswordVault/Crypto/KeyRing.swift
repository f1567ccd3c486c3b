/// The unlocked keys of a vault: its data keys by id, which one seals new values, and the
/// key-encryption key (with how it was derived) needed to write the header again.
///
/// A key ring is an immutable value. The operations that change keys (``create(credential:cost:)``,
/// ``changingCredential(to:cost:)``, ``beginRotation()``, ``finishRotation()``) return a new
/// ring with the header bytes that describe it; nothing changes until the caller stores those
/// bytes and adopts the new ring.
///
/// Its description names key ids only: `KeyRing(current data key 2 of [1, 2])`.
struct KeyRing: Sendable {
    /// The data keys by id, 32 bytes each; the current key is always among them.
    let dataKeys: [UInt32: SecretBytes]
    /// The data key that ``seal(_:entry:field:)`` uses.
    let currentKeyID: UInt32
    /// How the KEK was made from the credential; written back into every new header.
    let derivation: KeyDerivation
    /// The key-encryption key, which wraps the data keys in the header.
    let keyEncryptionKey: SecretBytes

    /// The ids of the data keys, in increasing order.
    var keyIDs: [UInt32] { dataKeys.keys.sorted() }

    /// Seals `secret` for `field` of `entry` under the current data key, with a fresh random nonce.
    /// - Throws: ``CryptoError/entryOutOfRange(entry:)`` for an entry id of 2^62 or more;
    ///   ``CryptoError`` when the random source or libsodium fails.
    func seal(_ secret: SecretBytes, entry: EntryID, field: SecretField) throws(CryptoError) -> SealedValue {
        guard Self.bindableEntries.contains(entry.rawValue) else { throw .entryOutOfRange(entry: entry.description) }
        let fieldKey = try Self.fieldKey(of: dataKeys[currentKeyID]!, entry: entry, field: field)
        var bytes = [SealedValue.Layout.version]
        bytes.appendBigEndian(currentKeyID)
        bytes += [UInt8](repeating: 0, count: SealedValue.Layout.overhead - bytes.count + secret.count)
        try bytes.withTypedUnsafeMutableBytes { (out) throws(CryptoError) in
            let nonce = UnsafeMutableRawBufferPointer(rebasing: out[SealedValue.Layout.nonce])
            try Sodium.randomFill(nonce)
            try secret.withUnsafeBytes { (message) throws(CryptoError) in
                try fieldKey.withUnsafeBytes { (key) throws(CryptoError) in
                    try SecretBox.seal(
                        into: UnsafeMutableRawBufferPointer(rebasing: out[SealedValue.Layout.sealed...]),
                        message: message, nonce: UnsafeRawBufferPointer(nonce), key: key)
                }
            }
        }
        return SealedValue(bytes: bytes)
    }

    /// Opens a value sealed for `field` of `entry`, with the data key its bytes name.
    /// - Throws: ``CryptoError/sealedValueRejected(entry:field:)`` when the bytes are malformed
    ///   or were altered, or were sealed for another entry or field;
    ///   ``CryptoError/unknownDataKey(entry:field:keyID:)`` when the ring lacks their key.
    func open(_ sealed: SealedValue, entry: EntryID, field: SecretField) throws(CryptoError) -> SecretBytes {
        let rejected = CryptoError.sealedValueRejected(entry: entry.description, field: field.name)
        guard let keyID = keyID(of: sealed) else { throw rejected }
        guard let dataKey = dataKeys[keyID] else {
            throw .unknownDataKey(entry: entry.description, field: field.name, keyID: keyID)
        }
        guard Self.bindableEntries.contains(entry.rawValue) else { throw rejected }
        let fieldKey = try Self.fieldKey(of: dataKey, entry: entry, field: field)
        return try SecretBox.open(
            sealed.bytes[SealedValue.Layout.sealed...], nonce: sealed.bytes[SealedValue.Layout.nonce], key: fieldKey,
            orThrow: rejected)
    }

    /// The id of the data key that sealed `sealed`, or `nil` when the bytes are not a sealed value.
    /// The engine uses it to find values still sealed under an old key during a rotation.
    func keyID(of sealed: SealedValue) -> UInt32? { sealed.keyID }

    /// Entry ids that a field key can be bound to: the subkey id keeps the entry id in its top
    /// 62 bits, so 2^62 and above would collide with smaller ids. Storage hands out ids from 1
    /// upwards; they never get there.
    static let bindableEntries: ClosedRange<Int64> = 1...((1 << 62) - 1)

    /// The subkey that seals `field` of `entry`: binding a value to its entry and field.
    ///
    /// `crypto_kdf_derive_from_key(dataKey, id: entry << 2 | field, context: "PWVAULT1")`.
    /// An entry id is positive and below 2^62 (``bindableEntries``) and a field's raw value
    /// takes 2 bits, so every (entry, field) pair has its own 64-bit subkey id and its own key.
    /// A value copied to another entry or field is opened with another key, and its tag fails.
    static func fieldKey(of dataKey: SecretBytes, entry: EntryID, field: SecretField) throws(CryptoError)
        -> SecretBytes
    {
        let subkeyID = UInt64(entry.rawValue) << 2 | UInt64(field.rawValue)
        return try Sodium.deriveSubkey(of: dataKey, id: subkeyID, context: "PWVAULT1")
    }
}

extension KeyRing: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "KeyRing(current data key \(currentKeyID) of \(keyIDs))" }
    var debugDescription: String { description }
    var customMirror: Mirror {
        Mirror(self, children: ["currentKeyID": currentKeyID, "keyIDs": keyIDs], displayStyle: .struct)
    }
}
