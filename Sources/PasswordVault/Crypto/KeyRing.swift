/// The unlocked keys of a vault: its data keys by id, which one seals new values, and the
/// key-encryption key (with how it was derived) needed to write the header again.
///
/// A key ring is an immutable value. The operations that change keys (``create(credential:cost:)``,
/// ``changingCredential(to:cost:)``, ``beginRotation()``, ``finishRotation()``) return a new
/// ring with the header bytes that describe it; nothing changes until the caller stores those
/// bytes and adopts the new ring.
///
/// Secrets are sealed under the data key itself, with the entry and field they belong to
/// inside the authenticated plaintext (``SealedValue`` has the layout); opening checks both.
/// One key for every value is safe here because each seal draws a fresh 24-byte random nonce.
///
/// Internal to the library (keys never leave a ``Vault``); the benchmark suite alone reaches
/// ``create(credential:cost:)``, ``seal(_:entry:field:)`` and ``open(_:entry:field:)`` through
/// `@_spi(Benchmarks) import PasswordVault`, to measure sealing without a vault around it.
///
/// Its description names key ids only: `KeyRing(current data key 2 of [1, 2])`.
@_spi(Benchmarks)
public struct KeyRing: Sendable {
    /// The data keys by id, 32 bytes each; the current key is always among them.
    let dataKeys: [UInt32: SecretBytes]
    /// The data key that ``seal(_:entry:field:)`` uses.
    let currentKeyID: UInt32
    /// How the KEK was made from the credential; written back into every new header.
    let derivation: KeyDerivation
    /// The key-encryption key, which wraps the data keys in the header.
    let keyEncryptionKey: SecretBytes
    /// The current data key, `dataKeys[currentKeyID]`, kept at hand: no hashing per seal.
    let currentKey: SecretBytes
    /// The vault's history depth, a setting the header carries under its MAC (docs/contract.md §11).
    let historyDepth: Int
    /// The key that chains the audit trail (docs/contract.md §12), kept across rotation and
    /// passphrase change; `nil` for a vault whose header predates the trail, until its upgrade.
    let auditKey: AuditKey?

    init(
        dataKeys: [UInt32: SecretBytes], currentKeyID: UInt32, derivation: KeyDerivation, keyEncryptionKey: SecretBytes,
        historyDepth: Int, auditKey: AuditKey?
    ) {
        self.auditKey = auditKey
        self.dataKeys = dataKeys
        self.currentKeyID = currentKeyID
        self.derivation = derivation
        self.keyEncryptionKey = keyEncryptionKey
        self.historyDepth = historyDepth
        currentKey = dataKeys[currentKeyID]!
    }

    /// The ids of the data keys, in increasing order.
    var keyIDs: [UInt32] { dataKeys.keys.sorted() }

    /// Seals `secret` for `field` of `entry` under the current data key, with a fresh random nonce.
    ///
    /// The plaintext, binding ‖ secret, is written straight into the returned bytes, where its
    /// ciphertext goes, and encrypted there: the result is the only allocation.
    /// - Throws: ``CryptoError`` when the random source or libsodium fails.
    @_spi(Benchmarks)
    public func seal(_ secret: SecretBytes, entry: EntryID, field: SecretField) throws(CryptoError) -> SealedValue {
        typealias Layout = SealedValue.Layout
        let key = currentKey
        // Not `[UInt8](repeating:count:)`: its allocation is not inlinable, and on Linux it looks
        // up the array's generic metadata on every call (about 500 instructions, a sixth of this
        // call's overhead beside libsodium); from a collection it is specialised here.
        var bytes = Array(repeatElement(0 as UInt8, count: Layout.overhead + secret.count))
        try bytes.withTypedUnsafeMutableBytes { (out) throws(CryptoError) in
            out[0] = Layout.version
            out.storeBytes(of: currentKeyID.bigEndian, toByteOffset: Layout.keyID.lowerBound, as: UInt32.self)
            let nonce = UnsafeMutableRawBufferPointer(rebasing: out[Layout.nonce])
            try Sodium.randomFill(nonce)
            Layout.writeBinding(
                entry: entry, field: field, into: UnsafeMutableRawBufferPointer(rebasing: out[Layout.ciphertext...]))
            secret.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: out[Layout.overhead...]).copyMemory(from: $0)
            }
            do throws(CryptoError) {
                try key.withUnsafeBytes { (key) throws(CryptoError) in
                    try SecretBox.seal(
                        inPlace: UnsafeMutableRawBufferPointer(rebasing: out[Layout.sealed...]),
                        nonce: UnsafeRawBufferPointer(nonce), key: key)
                }
            } catch {
                Sodium.wipe(out)  // no plaintext left behind in the released array
                throw error
            }
        }
        return SealedValue(bytes: bytes)
    }

    /// Opens a value sealed for `field` of `entry`, with the data key its bytes name.
    ///
    /// The plaintext is decrypted straight into the returned secret's buffer, behind which the
    /// binding stays unseen; a refused value's plaintext is wiped before the error is thrown.
    /// - Throws: ``CryptoError/sealedValueRejected(entry:field:)`` when the bytes are malformed
    ///   or were altered (the tag fails), or were sealed for another entry or field (the tag
    ///   verifies, the binding does not match); ``CryptoError/unknownDataKey(entry:field:keyID:)``
    ///   when the ring lacks their key.
    @_spi(Benchmarks)
    public func open(_ sealed: SealedValue, entry: EntryID, field: SecretField) throws(CryptoError) -> SecretBytes {
        typealias Layout = SealedValue.Layout
        // Made on failure only: the entry's decimal text costs more than checking the binding.
        var rejected: CryptoError { .sealedValueRejected(entry: entry.description, field: field.name) }
        guard let keyID = keyID(of: sealed) else { throw rejected }
        guard let dataKey = keyID == currentKeyID ? currentKey : dataKeys[keyID] else {
            throw .unknownDataKey(entry: entry.description, field: field.name, keyID: keyID)
        }
        return try SecretBytes(count: sealed.bytes.count - Layout.overhead, behind: Layout.bindingBytes) {
            (plaintext) throws(CryptoError) in
            let verified = try sealed.bytes[...].withTypedUnsafeBytes { (bytes) throws(CryptoError) in
                try dataKey.withUnsafeBytes { (key) throws(CryptoError) in
                    try SecretBox.open(
                        into: plaintext, sealed: UnsafeRawBufferPointer(rebasing: bytes[Layout.sealed...]),
                        nonce: UnsafeRawBufferPointer(rebasing: bytes[Layout.nonce]), key: key)
                }
            }
            // Authentic, and sealed for this entry and field? Throwing wipes what was decrypted.
            guard verified, Layout.isBound(UnsafeRawBufferPointer(plaintext), to: entry, field: field) else {
                throw rejected
            }
        }
    }

    /// The id of the data key that sealed `sealed`, or `nil` when the bytes are not a sealed value.
    /// The engine uses it to find values still sealed under an old key during a rotation.
    func keyID(of sealed: SealedValue) -> UInt32? { sealed.keyID }
}

extension KeyRing: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key ids, never key material.
    public var description: String { "KeyRing(current data key \(currentKeyID) of \(keyIDs))" }
    /// The same as `description`.
    public var debugDescription: String { description }
    /// The current key id and the key ids, so `dump` shows no key material.
    public var customMirror: Mirror {
        Mirror(self, children: ["currentKeyID": currentKeyID, "keyIDs": keyIDs], displayStyle: .struct)
    }
}
