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
    public static func create(
        credential: VaultCredential, cost: KeyDerivationCost, historyDepth: Int = Vault.defaultHistoryDepth
    ) throws(CryptoError) -> (ring: KeyRing, header: [UInt8]) {
        guard Vault.historyDepthRange.contains(historyDepth) else {
            throw .operationFailed("a history depth of \(historyDepth) is outside 0 to 100")
        }
        let derivation = try KeyDerivation.fresh(for: credential, cost: cost)
        let kek = try derivation.keyEncryptionKey(from: credential)
        let ring = KeyRing(
            dataKeys: [1: try .random(count: SecretBox.keyBytes)], currentKeyID: 1, derivation: derivation,
            keyEncryptionKey: kek, historyDepth: historyDepth, auditKey: try .random())
        return (ring, try ring.header())
    }

    /// Unlocks the ring that `header` describes.
    /// - Throws: ``CryptoError/wrongPassphraseOrKey`` when `credential` does not open it;
    ///   ``CryptoError/headerCorrupted(reason:)`` when a bit of it changed;
    ///   ``CryptoError/unsupportedHeaderVersion(_:)``, ``CryptoError/invalidKeyLength(expected:actual:)``,
    ///   ``CryptoError/keyDerivationFailed``.
    ///   ``CryptoError/costTooHigh(stated:maximum:)`` when the header asks for more Argon2id work
    ///   than `maximumCost` (checked before any derivation runs).
    static func unlock(
        header bytes: [UInt8], credential: VaultCredential, maximumCost: KeyDerivationCost = .sensitive
    ) throws(CryptoError) -> KeyRing {
        let header = try VaultHeader(parsing: bytes)
        if case .argon2id(_, let cost) = header.derivation, !cost.isWithin(maximumCost) {
            throw .costTooHigh(stated: cost, maximum: maximumCost)
        }
        let kek = try header.derivation.keyEncryptionKey(from: credential)
        return KeyRing(
            dataKeys: try header.unwrapDataKeys(with: kek), currentKeyID: header.currentKeyID,
            derivation: header.derivation, keyEncryptionKey: kek, historyDepth: header.historyDepth,
            auditKey: try header.unwrapAuditKey(with: kek))
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
            keyEncryptionKey: try derivation.keyEncryptionKey(from: credential), historyDepth: historyDepth,
            auditKey: auditKey)
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
        // Ids only ever increase, never reused: a ring whose current id matches another header's
        // holds that header's current key (see `reopening(_:)`). 2^32 rotations are out of reach.
        let newest = dataKeys.keys.max()!
        guard newest < .max else { throw .operationFailed("no data key id is left for a rotation") }
        let id = newest + 1
        var keys = dataKeys
        keys[id] = try .random(count: SecretBox.keyBytes)
        let ring = KeyRing(
            dataKeys: keys, currentKeyID: id, derivation: derivation, keyEncryptionKey: keyEncryptionKey,
            historyDepth: historyDepth, auditKey: auditKey)
        return (ring, try ring.header())
    }

    /// Step 2 of a data key rotation: drops every data key but the current one. Call it only
    /// once every value is sealed under ``currentKeyID``: values under a dropped key no longer
    /// open (``CryptoError/unknownDataKey(entry:field:keyID:)``).
    func finishRotation() throws(CryptoError) -> (ring: KeyRing, header: [UInt8]) {
        let ring = KeyRing(
            dataKeys: [currentKeyID: dataKeys[currentKeyID]!], currentKeyID: currentKeyID, derivation: derivation,
            keyEncryptionKey: keyEncryptionKey, historyDepth: historyDepth, auditKey: auditKey)
        return (ring, try ring.header())
    }

    /// The same keys with another history depth (0 to 100), and its header.
    func changingHistoryDepth(to depth: Int) throws(CryptoError) -> (ring: KeyRing, header: [UInt8]) {
        guard Vault.historyDepthRange.contains(depth) else {
            throw .operationFailed("a history depth of \(depth) is outside 0 to 100")
        }
        let ring = KeyRing(
            dataKeys: dataKeys, currentKeyID: currentKeyID, derivation: derivation, keyEncryptionKey: keyEncryptionKey,
            historyDepth: depth, auditKey: auditKey)
        return (ring, try ring.header())
    }

    /// The same keys with a fresh random audit key, and its header: the upgrade of a vault whose
    /// header predates the audit trail (format 1 or 2) to format 3.
    func addingAuditKey() throws(CryptoError) -> (ring: KeyRing, header: [UInt8]) {
        let ring = KeyRing(
            dataKeys: dataKeys, currentKeyID: currentKeyID, derivation: derivation, keyEncryptionKey: keyEncryptionKey,
            historyDepth: historyDepth, auditKey: try .random())
        return (ring, try ring.header())
    }

    /// Header bytes describing this ring (fresh wrapping nonces each time).
    /// - Throws: ``CryptoError/operationFailed(_:)`` for a ring without an audit key: such a
    ///   vault gains one (``addingAuditKey()``) before its header is written again.
    func header() throws(CryptoError) -> [UInt8] {
        guard let auditKey else { throw .operationFailed("the vault's audit key is missing: upgrade it first") }
        return try VaultHeader.encode(
            derivation: derivation, dataKeys: dataKeys, currentKeyID: currentKeyID, historyDepth: historyDepth,
            auditKey: auditKey, kek: keyEncryptionKey)
    }
}

/// Adopting a header that another writer stored, with the KEK this ring holds: no Argon2id.
extension KeyRing {
    /// What a newer header means for this ring.
    enum Reopened {
        /// The header opens with this ring's KEK (a rotation step, or the same credential): its ring.
        case opened(KeyRing)
        /// The header does not open with this ring's KEK (the passphrase or key changed) but names
        /// the same current data key: this ring may go on sealing under the newer generation.
        case sameCurrentKey
        /// The header does not open with this KEK and another data key is current.
        case keysChanged
    }

    /// Reads `bytes`, a header newer than this ring's, with this ring's KEK.
    ///
    /// Why ``Reopened/sameCurrentKey`` is safe: a data key id names one key for the life of a
    /// vault. Ids only increase (``beginRotation()`` takes the newest id plus one, never a free
    /// lower one), every header write is compare-and-set on the header generation, so two
    /// different keys never get one id, and a credential change rewraps the same keys under the
    /// same ids. A header whose current id is this ring's current id therefore holds this ring's
    /// current key, and values sealed with it open under that header.
    /// - Throws: ``CryptoError/headerCorrupted(reason:)`` and the other parsing failures.
    func reopening(_ bytes: [UInt8]) throws(CryptoError) -> Reopened {
        let header = try VaultHeader(parsing: bytes)
        if header.derivation == derivation {
            do {
                let keys = try header.unwrapDataKeys(with: keyEncryptionKey)
                return .opened(
                    KeyRing(
                        dataKeys: keys, currentKeyID: header.currentKeyID, derivation: derivation,
                        keyEncryptionKey: keyEncryptionKey, historyDepth: header.historyDepth,
                        auditKey: try header.unwrapAuditKey(with: keyEncryptionKey)))
            } catch .wrongPassphraseOrKey {
                // Another raw key (same derivation, `.rawKey`): decided by the current id below.
            }
        }
        return header.currentKeyID == currentKeyID ? .sameCurrentKey : .keysChanged
    }
}
