/// Failures of the cryptographic layer: keys, sealing and the vault header.
///
/// Messages name what failed (an entry and a field, the header) and never
/// carry secret material.
public enum CryptoError: Error, Equatable, Sendable {
    /// libsodium could not be initialised.
    case libraryUnavailable
    /// The operating system's random source failed.
    case randomSourceFailed
    /// A key was not of the required length.
    case invalidKeyLength(expected: Int, actual: Int)
    /// A sealed value is malformed, was tampered with, was moved to another
    /// entry or field, or was sealed under another key.
    case sealedValueRejected(entry: String, field: String)
    /// A sealed value names a data key the vault header does not hold.
    case unknownDataKey(entry: String, field: String, keyID: UInt32)
    /// The vault header is malformed or was tampered with.
    case headerCorrupted(reason: String)
    /// The vault header was written by a newer, unknown format version.
    case unsupportedHeaderVersion(UInt8)
    /// The passphrase or raw key does not open the vault.
    case wrongPassphraseOrKey
    /// Argon2id could not run with the requested cost (out of memory, or limits out of range).
    case keyDerivationFailed
    /// libsodium reported a failure it should not have.
    case operationFailed(String)
    /// The vault header asks for more Argon2id work than the host allows; nothing was derived.
    case costTooHigh(stated: KeyDerivationCost, maximum: KeyDerivationCost)
}

extension CryptoError: CustomStringConvertible {
    /// A description that never shows secret material.
    public var description: String {
        switch self {
        case .libraryUnavailable: "libsodium could not be initialised"
        case .randomSourceFailed: "the system random source failed"
        case .invalidKeyLength(let expected, let actual):
            "a key must be \(expected) bytes, not \(actual)"
        case .sealedValueRejected(let entry, let field):
            "the sealed \(field) of entry \(entry) does not open: it was altered, moved, or sealed under another key"
        case .unknownDataKey(let entry, let field, let keyID):
            "the sealed \(field) of entry \(entry) names data key \(keyID), which the vault header does not hold"
        case .headerCorrupted(let reason): "the vault header is corrupted: \(reason)"
        case .unsupportedHeaderVersion(let version):
            "the vault header has format version \(version), which this library does not know"
        case .wrongPassphraseOrKey: "the passphrase or key does not open this vault"
        case .keyDerivationFailed: "Argon2id key derivation failed (not enough memory for the cost?)"
        case .operationFailed(let what): "libsodium failed: \(what)"
        case .costTooHigh(let stated, let maximum):
            "the vault header asks for Argon2id with \(stated.opsLimit) passes over \(stated.memLimit) bytes, "
                + "above the allowed maximum of \(maximum.opsLimit) passes over \(maximum.memLimit) bytes"
        }
    }
}
