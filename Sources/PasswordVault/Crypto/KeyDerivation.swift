internal import CSodium

/// How much work Argon2id (`crypto_pwhash`, ALG_ARGON2ID13) spends turning a passphrase into
/// the key-encryption key. The cost is stored in the vault header, so a vault keeps opening
/// with the cost it was created (or last rekeyed) with.
public struct KeyDerivationCost: Sendable, Equatable {
    /// Passes over memory (`opslimit`).
    public var opsLimit: UInt64
    /// Bytes of memory (`memlimit`).
    public var memLimit: UInt64

    /// A cost from libsodium's two limits; vault creation refuses values outside libsodium's range.
    public init(opsLimit: UInt64, memLimit: UInt64) {
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// libsodium's minimum (1 pass, 8 KiB): fast and weak, for tests only.
    public static let minimum = KeyDerivationCost(
        opsLimit: UInt64(crypto_pwhash_argon2id_OPSLIMIT_MIN), memLimit: UInt64(crypto_pwhash_argon2id_MEMLIMIT_MIN))
    /// libsodium's interactive preset (2 passes, 64 MiB; about 0.08 s here).
    public static let interactive = KeyDerivationCost(
        opsLimit: UInt64(crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE),
        memLimit: UInt64(crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE))
    /// libsodium's moderate preset (3 passes, 256 MiB; about 0.5 s here): the command line's default.
    public static let moderate = KeyDerivationCost(
        opsLimit: UInt64(crypto_pwhash_argon2id_OPSLIMIT_MODERATE),
        memLimit: UInt64(crypto_pwhash_argon2id_MEMLIMIT_MODERATE))
    /// libsodium's sensitive preset (4 passes, 1 GiB).
    public static let sensitive = KeyDerivationCost(
        opsLimit: UInt64(crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE),
        memLimit: UInt64(crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE))

    /// Whether neither limit is above `maximum`'s.
    func isWithin(_ maximum: KeyDerivationCost) -> Bool {
        opsLimit <= maximum.opsLimit && memLimit <= maximum.memLimit
    }

    /// Whether libsodium's Argon2id accepts both limits.
    var isSupported: Bool {
        (UInt64(crypto_pwhash_argon2id_OPSLIMIT_MIN)...UInt64(crypto_pwhash_argon2id_opslimit_max())).contains(opsLimit)
            && (UInt64(crypto_pwhash_argon2id_MEMLIMIT_MIN)...UInt64(crypto_pwhash_argon2id_memlimit_max()))
                .contains(memLimit)
    }
}

/// What opens a vault: a passphrase, stretched with Argon2id, or a raw 32-byte key that the
/// host program keeps (in a keychain, a hardware module…) and hands over as it is.
///
/// Its description never shows the secret: `VaultCredential.passphrase(<redacted>)`.
public enum VaultCredential: Sendable {
    /// A passphrase, any bytes (UTF-8 text, usually); an empty one is allowed.
    case passphrase(SecretBytes)
    /// A key of exactly 32 bytes.
    case rawKey(SecretBytes)
}

extension VaultCredential: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description that never shows secret material.
    public var description: String {
        switch self {
        case .passphrase: "VaultCredential.passphrase(<redacted>)"
        case .rawKey: "VaultCredential.rawKey(<redacted>)"
        }
    }
    /// The same as `description`: no secret material.
    public var debugDescription: String { description }
    /// A mirror without children, so `dump` shows no secret material.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
}

/// How the header's key-encryption key is obtained, as the header records it.
enum KeyDerivation: Sendable, Equatable {
    /// Argon2id over the passphrase with this salt and cost.
    case argon2id(salt: [UInt8], cost: KeyDerivationCost)
    /// The raw key is the key-encryption key.
    case rawKey

    /// Bytes of Argon2id salt (`crypto_pwhash_argon2id_SALTBYTES`).
    static let saltBytes = Int(crypto_pwhash_argon2id_SALTBYTES)
    /// The Argon2id algorithm number recorded in the header (`crypto_pwhash_ALG_ARGON2ID13`).
    static let argon2id13 = UInt8(crypto_pwhash_ALG_ARGON2ID13)

    /// A fresh derivation for `credential`: a new random salt for a passphrase.
    static func fresh(for credential: VaultCredential, cost: KeyDerivationCost) throws(CryptoError) -> KeyDerivation {
        switch credential {
        case .passphrase:
            return .argon2id(salt: try Sodium.randomBytes(count: saltBytes), cost: cost)
        case .rawKey:
            return .rawKey
        }
    }

    /// The key-encryption key this derivation makes from `credential`.
    /// - Throws: ``CryptoError/wrongPassphraseOrKey`` when the credential is of the other kind,
    ///   ``CryptoError/invalidKeyLength(expected:actual:)`` for a raw key that is not 32 bytes,
    ///   ``CryptoError/keyDerivationFailed`` when Argon2id cannot run with the cost.
    func keyEncryptionKey(from credential: VaultCredential) throws(CryptoError) -> SecretBytes {
        switch (self, credential) {
        case (.rawKey, .rawKey(let key)), (.argon2id, .rawKey(let key)):
            guard key.count == SecretBox.keyBytes else {
                throw .invalidKeyLength(expected: SecretBox.keyBytes, actual: key.count)
            }
            guard case .rawKey = self else { throw .wrongPassphraseOrKey }
            return key
        case (.rawKey, .passphrase):
            throw .wrongPassphraseOrKey
        case (.argon2id(let salt, let cost), .passphrase(let passphrase)):
            return try Self.argon2id(passphrase, salt: salt, cost: cost)
        }
    }

    private static func argon2id(_ passphrase: SecretBytes, salt: [UInt8], cost: KeyDerivationCost)
        throws(CryptoError) -> SecretBytes
    {
        try Sodium.ensureInitialized()
        guard cost.isSupported, salt.count == saltBytes, let memLimit = Int(exactly: cost.memLimit) else {
            throw .keyDerivationFailed
        }
        return try SecretBytes(count: SecretBox.keyBytes) { (key) throws(CryptoError) in
            let status = passphrase.withUnsafeBytes { p in
                salt.withUnsafeBytes { s in
                    // An empty passphrase still needs a non-null pointer: withNonNullBase gives one.
                    p.withNonNullBase { pBase in
                        UnsafeRawPointer(pBase).withMemoryRebound(to: CChar.self, capacity: max(p.count, 1)) { chars in
                            crypto_pwhash(
                                key.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(key.count), chars,
                                UInt64(p.count), s.uint8Base, cost.opsLimit, memLimit, crypto_pwhash_ALG_ARGON2ID13)
                        }
                    }
                }
            }
            guard status == 0 else { throw .keyDerivationFailed }
        }
    }
}
