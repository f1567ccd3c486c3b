/// Creating, unlocking and re-keying a ``KeyRing``: pure functions from bytes to bytes.
///
/// Each operation returns the new ring with the header bytes that describe it; the caller
/// persists the bytes (compare-and-set through storage) and only then adopts the ring. A failure
/// leaves nothing changed, so a wrong passphrase or a crash never harms the stored header.
extension KeyRing {
    /// A new ring and its header: one fresh random data key (id 1), wrapped under a KEK from
    /// `credential` — Argon2id with a new random salt at `cost` for a passphrase (a raw key
    /// ignores `cost`).
    /// - Throws: ``CryptoError/invalidKeyLength(expected:actual:)`` for a raw key that is not
    ///   32 bytes; ``CryptoError/keyDerivationFailed`` for a cost outside libsodium's limits or
    ///   more memory than there is.
    @_spi(Benchmarks)
    public static func create(credential: VaultCredential, cost: KeyDerivationCost) throws(CryptoError) -> (
        ring: KeyRing, header: [UInt8]
    ) {
        let derivation = try KeyDerivation.fresh(for: credential, cost: cost)
        let kek = try derivation.keyEncryptionKey(from: credential)
        let ring = KeyRing(
            dataKeys: [1: try .random(count: SecretBox.keyBytes)], currentKeyID: 1, derivation: derivation,
            keyEncryptionKey: kek)
        return (ring, try ring.header())
    }

    /// Unlocks the ring that `header` describes.
    /// - Throws: ``CryptoError/wrongPassphraseOrKey`` when `credential` does not open it;
    ///   ``CryptoError/headerCorrupted(reason:)`` when a bit of it changed;
    ///   ``CryptoError/unsupportedHeaderVersion(_:)``, ``CryptoError/invalidKeyLength(expected:actual:)``,
    ///   ``CryptoError/keyDerivationFailed``.
    static func unlock(header bytes: [UInt8], credential: VaultCredential) throws(CryptoError) -> KeyRing {
        let header = try VaultHeader(parsing: bytes)
        let kek = try header.derivation.keyEncryptionKey(from: credential)
        return KeyRing(
            dataKeys: try header.unwrapDataKeys(with: kek), currentKeyID: header.currentKeyID,
            derivation: header.derivation, keyEncryptionKey: kek)
    }

    /// The same data keys wrapped under a KEK from `credential`: a passphrase change, or a move
    /// between passphrase and raw key. Costs O(1) in entries — no secret is resealed. A
    /// passphrase gets a new random salt; `cost` defaults to the present cost, or
    /// ``KeyDerivationCost/moderate`` when the ring had a raw key.
    /// - Throws: as ``create(credential:cost:)``.
    func changingCredential(to credential: VaultCredential, cost: KeyDerivationCost? = nil) throws(CryptoError) -> (
        ring: KeyRing, header: [UInt8]
    ) {
        var newCost = KeyDerivationCost.moderate
        if let cost { newCost = cost } else if case .argon2id(_, let present) = derivation { newCost = present }
        let derivation = try KeyDerivation.fresh(for: credential, cost: newCost)
        let ring = KeyRing(
            dataKeys: dataKeys, currentKeyID: currentKeyID, derivation: derivation,
            keyEncryptionKey: try derivation.keyEncryptionKey(from: credential))
        return (ring, try ring.header())
    }

    /// Whether a rotation has begun and not finished: the ring holds more than one data key,
    /// and values sealed under the older ones remain to be resealed.
    var isRotationPending: Bool { dataKeys.count > 1 }

    /// Step 1 of a data key rotation: adds a fresh random data key and makes it current; the
    /// old keys stay, so every stored value still opens.
    ///
    /// After storing the header, the engine reseals each value whose ``keyID(of:)`` is not
    /// ``currentKeyID``, then calls ``finishRotation()``. If a rotation is already pending (a
    /// crash interrupted one), this returns the ring as it is, with its header: resume resealing.
    func beginRotation() throws(CryptoError) -> (ring: KeyRing, header: [UInt8]) {
        if isRotationPending { return (self, try header()) }
        let newest = dataKeys.keys.max()!
        let id = newest < .max ? newest + 1 : (1...UInt32.max).first { dataKeys[$0] == nil }!
        var keys = dataKeys
        keys[id] = try .random(count: SecretBox.keyBytes)
        let ring = KeyRing(dataKeys: keys, currentKeyID: id, derivation: derivation, keyEncryptionKey: keyEncryptionKey)
        return (ring, try ring.header())
    }

    /// Step 2 of a data key rotation: drops every data key but the current one. Call it only
    /// once every value is sealed under ``currentKeyID``: values under a dropped key no longer
    /// open (``CryptoError/unknownDataKey(entry:field:keyID:)``).
    func finishRotation() throws(CryptoError) -> (ring: KeyRing, header: [UInt8]) {
        let ring = KeyRing(
            dataKeys: [currentKeyID: dataKeys[currentKeyID]!], currentKeyID: currentKeyID, derivation: derivation,
            keyEncryptionKey: keyEncryptionKey)
        return (ring, try ring.header())
    }

    /// Header bytes describing this ring (fresh wrapping nonces each time).
    func header() throws(CryptoError) -> [UInt8] {
        try VaultHeader.encode(
            derivation: derivation, dataKeys: dataKeys, currentKeyID: currentKeyID, kek: keyEncryptionKey)
    }
}
