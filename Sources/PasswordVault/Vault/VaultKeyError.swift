/// Why creating, opening or re-keying a vault failed: the one error of ``Vault/create(storage:directory:credential:cost:historyDepth:clock:)``,
/// ``Vault/open(storage:directory:credential:maximumCost:clock:)``, ``Vault/changeCredential(to:cost:)`` and
/// ``Vault/rotateDataKey(batchSize:progress:)``. Nothing is changed when one is thrown (a rotation
/// interrupted midway leaves every entry readable, and running it again finishes it).
///
/// Messages never carry secret material.
public enum VaultKeyError: Error, Equatable, Sendable {
    /// The passphrase or raw key does not open the vault.
    case wrongPassphraseOrKey
    /// A raw key is not 32 bytes.
    case invalidKeyLength(expected: Int, actual: Int)
    /// The vault header is damaged or was tampered with.
    case headerCorrupted(reason: String)
    /// The vault header has a format version this library does not know.
    case unsupportedHeaderVersion(UInt8)
    /// The header asks for more Argon2id work than the host allows (refused before any derivation).
    case costTooHigh(stated: KeyDerivationCost, maximum: KeyDerivationCost)
    /// Argon2id could not run with the cost asked for (out of memory, or limits out of range).
    case keyDerivationFailed
    /// The storage holds no vault (no header).
    case noVault
    /// The storage already holds a vault.
    case vaultExists
    /// Another writer changed the vault's keys or an entry meanwhile (a passphrase change, a
    /// rotation): nothing was changed. Open the vault again with its current credential and retry.
    case conflict
    /// A stored secret does not open (a rotation stops on it): the entry and field are named.
    case entryUnreadable(CryptoError)
    /// The cryptographic library or the random source failed.
    case cryptoFailure(CryptoError)
    /// The storage failed, with its cause.
    case storage(StorageError)
    /// A vault setting outside its range (the history depth, 0 to 100).
    case invalidSetting(String)
}

extension VaultKeyError: CustomStringConvertible {
    /// A description that never shows secret material.
    public var description: String {
        switch self {
        case .wrongPassphraseOrKey: "the passphrase or key does not open this vault"
        case .invalidKeyLength(let expected, let actual): "a key must be \(expected) bytes, not \(actual)"
        case .headerCorrupted(let reason): "the vault header is corrupted: \(reason)"
        case .unsupportedHeaderVersion(let version):
            "the vault header has format version \(version), which this library does not know"
        case .costTooHigh(let stated, let maximum):
            CryptoError.costTooHigh(stated: stated, maximum: maximum).description
        case .keyDerivationFailed: "Argon2id key derivation failed (not enough memory for the cost?)"
        case .noVault: "the storage holds no vault"
        case .vaultExists: "the storage already holds a vault"
        case .conflict:
            "the vault was changed by another writer meanwhile (its passphrase or keys); nothing was changed: "
                + "open it again and retry"
        case .entryUnreadable(let cause): cause.description
        case .cryptoFailure(let cause): cause.description
        case .storage(let cause): cause.description
        case .invalidSetting(let reason): reason
        }
    }
}

extension VaultKeyError {
    /// The error for a failure of the crypto layer.
    init(_ error: CryptoError) {
        switch error {
        case .wrongPassphraseOrKey: self = .wrongPassphraseOrKey
        case .invalidKeyLength(let expected, let actual): self = .invalidKeyLength(expected: expected, actual: actual)
        case .headerCorrupted(let reason): self = .headerCorrupted(reason: reason)
        case .unsupportedHeaderVersion(let version): self = .unsupportedHeaderVersion(version)
        case .costTooHigh(let stated, let maximum): self = .costTooHigh(stated: stated, maximum: maximum)
        case .keyDerivationFailed: self = .keyDerivationFailed
        case .sealedValueRejected, .unknownDataKey: self = .entryUnreadable(error)
        case .libraryUnavailable, .randomSourceFailed, .operationFailed: self = .cryptoFailure(error)
        }
    }

    /// The error for a failure of the storage: a lost race is a conflict.
    init(_ error: StorageError) {
        switch error {
        case .conflict, .staleHeader: self = .conflict
        default: self = .storage(error)
        }
    }
}
