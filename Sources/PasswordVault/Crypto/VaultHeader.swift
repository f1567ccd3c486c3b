/// The vault header: how to make the key-encryption key (KEK) from the credential, the data
/// keys wrapped under it, and which data key seals new values.
///
/// Layout, format version 3; integers big-endian; `n` wrapped keys, `182 + 76·n` bytes. Version 2
/// lacks the audit key (`110 + 76·n`), version 1 the history depth as well (`109 + 76·n`); both
/// are still read, and the first write with the credential upgrades them (docs/contract.md §12):
///
/// | offset | bytes | content |
/// |---|---|---|
/// | 0 | 4 | magic `PWVH` |
/// | 4 | 1 | format version, `0x03` |
/// | 5 | 1 | KDF kind: `0x01` Argon2id over a passphrase, `0x02` a raw 32-byte key |
/// | 6 | 16 | Argon2id salt (zeros for a raw key) |
/// | 22 | 8 | Argon2id opslimit (0 for a raw key) |
/// | 30 | 8 | Argon2id memlimit in bytes (0 for a raw key) |
/// | 38 | 1 | algorithm, `crypto_pwhash_ALG_ARGON2ID13` = 2 (0 for a raw key) |
/// | 39 | 2 | `n`, the number of wrapped data keys, at least 1 |
/// | 41 | 76·n | each: key id (4) ‖ nonce (24) ‖ tag (16) ‖ data key sealed with secretbox (32) |
/// | 41+76n | 4 | id of the current data key, one of the above |
/// | 45+76n | 1 | history depth: old versions kept per entry, 0 to 100 (docs/contract.md §11) |
/// | 46+76n | 72 | audit key: nonce (24) ‖ tag (16) ‖ key sealed with secretbox (32), as a data key |
/// | 118+76n | 32 | MAC: BLAKE2b-256 keyed with a subkey of the KEK, of every byte before it |
/// | 150+76n | 32 | checksum: unkeyed BLAKE2b-256 of every byte before it |
///
/// The vault's settings live here, under the MAC, so that only a holder of the credential can
/// change them: nobody with write access to the storage alone can set the depth to 0 and have
/// the next write purge every entry's history.
///
/// Data keys and the audit key are wrapped under subkey 1 of the KEK, and the MAC keyed with subkey 2
/// (`crypto_kdf`, context `PWVHEADR`). A raw key is the KEK itself.
///
/// Reading checks, in order: the magic; the checksum, so any accidental change anywhere is
/// refused as ``CryptoError/headerCorrupted(reason:)`` before anything is read; the version
/// (``CryptoError/unsupportedHeaderVersion(_:)``); the structure. Then, with the credential:
/// unwrapping the current data key (``CryptoError/wrongPassphraseOrKey`` when it fails); the
/// MAC, which catches a deliberate change whose author recomputed the checksum. Magic, version
/// and trailing checksum stay where they are in every later version.
///
/// The Argon2id cost is read before anything can authenticate it; it is only checked to be
/// within libsodium's limits, so a forged header can make unlocking slow, never succeed.
struct VaultHeader {
    static let magic: [UInt8] = Array("PWVH".utf8)
    /// The version written.
    static let version: UInt8 = 3
    /// The versions read: 1 has no history depth (it reads as the default), 1 and 2 no audit key.
    static let readableVersions: ClosedRange<UInt8> = 1...3
    static let kindArgon2id: UInt8 = 1
    static let kindRawKey: UInt8 = 2
    /// Bytes of one wrapped data key entry: id, nonce, tag, key.
    static let wrappedKeyBytes = 4 + SecretBox.nonceBytes + SecretBox.tagBytes + SecretBox.keyBytes

    /// One data key, sealed under the KEK's wrapping subkey.
    struct WrappedKey {
        let id: UInt32
        let nonce: ArraySlice<UInt8>
        let sealed: ArraySlice<UInt8>
    }

    let derivation: KeyDerivation
    let wrappedKeys: [WrappedKey]
    let currentKeyID: UInt32
    /// Old versions kept per entry (``Vault/defaultHistoryDepth`` for a version 1 header).
    let historyDepth: Int
    /// The wrapped audit key (`nil` in a version 1 or 2 header: the vault predates the trail).
    let wrappedAuditKey: WrappedKey?
    /// The bytes the MAC covers, and the MAC read from the header.
    private let authenticated: ArraySlice<UInt8>
    private let mac: ArraySlice<UInt8>

    /// Reads header bytes without any key: checksum, version and structure.
    /// - Throws: ``CryptoError/headerCorrupted(reason:)``, ``CryptoError/unsupportedHeaderVersion(_:)``.
    init(parsing bytes: [UInt8]) throws(CryptoError) {
        let digest = Sodium.digestBytes
        guard bytes.count >= Self.magic.count + 1 + digest else { throw .headerCorrupted(reason: "too short") }
        guard bytes.starts(with: Self.magic) else { throw .headerCorrupted(reason: "not a PasswordVault header") }
        let body = bytes.dropLast(digest)
        guard try Sodium.blake2b(body) == Array(bytes.suffix(digest)) else {
            throw .headerCorrupted(reason: "checksum mismatch")
        }
        let version = bytes[Self.magic.count]
        guard Self.readableVersions.contains(version) else { throw .unsupportedHeaderVersion(version) }

        var reader = BigEndianReader(body.dropFirst(Self.magic.count + 1))
        guard let kind = reader.read(1)?.first, let salt = reader.read(KeyDerivation.saltBytes),
            let opsLimit = reader.readBigEndian(UInt64.self), let memLimit = reader.readBigEndian(UInt64.self),
            let algorithm = reader.read(1)?.first, let count = reader.readBigEndian(UInt16.self)
        else { throw .headerCorrupted(reason: "truncated") }

        switch kind {
        case Self.kindArgon2id:
            let cost = KeyDerivationCost(opsLimit: opsLimit, memLimit: memLimit)
            guard algorithm == KeyDerivation.argon2id13, cost.isSupported else {
                throw .headerCorrupted(reason: "unsupported key derivation parameters")
            }
            derivation = .argon2id(salt: Array(salt), cost: cost)
        case Self.kindRawKey:
            guard salt.allSatisfy({ $0 == 0 }), opsLimit == 0, memLimit == 0, algorithm == 0 else {
                throw .headerCorrupted(reason: "key derivation parameters in a raw-key header")
            }
            derivation = .rawKey
        default:
            throw .headerCorrupted(reason: "unknown key derivation kind \(kind)")
        }

        var keys: [WrappedKey] = []
        for _ in 0..<count {
            guard let id = reader.readBigEndian(UInt32.self), let nonce = reader.read(SecretBox.nonceBytes),
                let sealed = reader.read(SecretBox.tagBytes + SecretBox.keyBytes)
            else { throw .headerCorrupted(reason: "truncated") }
            keys.append(WrappedKey(id: id, nonce: nonce, sealed: sealed))
        }
        guard let current = reader.readBigEndian(UInt32.self) else { throw .headerCorrupted(reason: "wrong length") }
        var depth = Vault.defaultHistoryDepth
        if version >= 2 {
            guard let byte = reader.read(1)?.first else { throw .headerCorrupted(reason: "wrong length") }
            depth = Int(byte)
        }
        var auditKey: WrappedKey?
        if version >= 3 {
            guard let nonce = reader.read(SecretBox.nonceBytes),
                let sealed = reader.read(SecretBox.tagBytes + AuditKey.byteCount)
            else { throw .headerCorrupted(reason: "wrong length") }
            auditKey = WrappedKey(id: 0, nonce: nonce, sealed: sealed)
        }
        guard let mac = reader.read(digest), reader.isAtEnd else { throw .headerCorrupted(reason: "wrong length") }
        guard Vault.historyDepthRange.contains(depth) else {
            throw .headerCorrupted(reason: "a history depth of \(depth) is outside 0 to 100")
        }
        guard !keys.isEmpty else { throw .headerCorrupted(reason: "no data key") }
        guard Set(keys.map(\.id)).count == keys.count else { throw .headerCorrupted(reason: "a data key id repeats") }
        guard keys.contains(where: { $0.id == current }) else {
            throw .headerCorrupted(reason: "the current data key is missing")
        }
        wrappedKeys = keys
        currentKeyID = current
        historyDepth = depth
        wrappedAuditKey = auditKey
        self.mac = mac
        authenticated = body.dropLast(digest)
    }

    /// Unwraps every data key with the KEK and checks the MAC.
    /// - Throws: ``CryptoError/wrongPassphraseOrKey`` when the current key does not unwrap,
    ///   ``CryptoError/headerCorrupted(reason:)`` when the MAC or another key fails after it.
    func unwrapDataKeys(with kek: SecretBytes) throws(CryptoError) -> [UInt32: SecretBytes] {
        let wrappingKey = try Self.wrappingKey(of: kek)
        let current = wrappedKeys.first { $0.id == currentKeyID }!
        var keys = [
            current.id: try SecretBox.open(
                current.sealed, nonce: current.nonce, key: wrappingKey, orThrow: .wrongPassphraseOrKey)
        ]
        let expected = try Sodium.blake2b(authenticated, key: Self.macKey(of: kek))
        let authentic = expected.withUnsafeBytes { a in mac.withUnsafeBytes { b in Sodium.constantTimeEqual(a, b) } }
        guard authentic else { throw .headerCorrupted(reason: "authentication failed") }
        for wrapped in wrappedKeys where wrapped.id != currentKeyID {
            keys[wrapped.id] = try SecretBox.open(
                wrapped.sealed, nonce: wrapped.nonce, key: wrappingKey,
                orThrow: .headerCorrupted(reason: "data key \(wrapped.id) does not unwrap"))
        }
        return keys
    }

    /// Unwraps the audit key with the KEK; `nil` for a header older than version 3. Call it after
    /// ``unwrapDataKeys(with:)``, which checks the credential and the MAC.
    func unwrapAuditKey(with kek: SecretBytes) throws(CryptoError) -> AuditKey? {
        guard let wrapped = wrappedAuditKey else { return nil }
        return try AuditKey(
            SecretBox.open(
                wrapped.sealed, nonce: wrapped.nonce, key: try Self.wrappingKey(of: kek),
                orThrow: .headerCorrupted(reason: "the audit key does not unwrap")))
    }

    /// Header bytes wrapping `dataKeys` and `auditKey` under `kek`, each with a fresh nonce.
    static func encode(
        derivation: KeyDerivation, dataKeys: [UInt32: SecretBytes], currentKeyID: UInt32, historyDepth: Int,
        auditKey: AuditKey, kek: SecretBytes
    ) throws(CryptoError) -> [UInt8] {
        precondition(dataKeys[currentKeyID] != nil && dataKeys.count <= Int(UInt16.max), "a key ring's invariants")
        precondition(Vault.historyDepthRange.contains(historyDepth), "a key ring's invariants")
        var bytes = magic + [version]
        switch derivation {
        case .argon2id(let salt, let cost):
            bytes.append(kindArgon2id)
            bytes += salt
            bytes.appendBigEndian(cost.opsLimit)
            bytes.appendBigEndian(cost.memLimit)
            bytes.append(KeyDerivation.argon2id13)
        case .rawKey:
            bytes.append(kindRawKey)
            bytes += [UInt8](repeating: 0, count: KeyDerivation.saltBytes + 8 + 8 + 1)
        }
        bytes.appendBigEndian(UInt16(dataKeys.count))
        let wrappingKey = try wrappingKey(of: kek)
        for (id, key) in dataKeys.sorted(by: { $0.key < $1.key }) {
            let nonce = try Sodium.randomBytes(count: SecretBox.nonceBytes)
            bytes.appendBigEndian(id)
            bytes += nonce
            bytes += try SecretBox.seal(key, nonce: nonce, key: wrappingKey)
        }
        bytes.appendBigEndian(currentKeyID)
        bytes.append(UInt8(historyDepth))
        let nonce = try Sodium.randomBytes(count: SecretBox.nonceBytes)
        bytes += nonce
        bytes += try SecretBox.seal(auditKey.secret, nonce: nonce, key: wrappingKey)
        bytes += try Sodium.blake2b(bytes[...], key: macKey(of: kek))
        bytes += try Sodium.blake2b(bytes[...])
        return bytes
    }

    private static func wrappingKey(of kek: SecretBytes) throws(CryptoError) -> SecretBytes {
        try Sodium.deriveSubkey(of: kek, id: 1, context: "PWVHEADR")
    }

    static func macKey(of kek: SecretBytes) throws(CryptoError) -> SecretBytes {
        try Sodium.deriveSubkey(of: kek, id: 2, context: "PWVHEADR")
    }
}
