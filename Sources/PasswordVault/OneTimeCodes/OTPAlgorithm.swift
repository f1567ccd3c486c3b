/// The hash function behind a one-time code: HMAC-SHA-1 (RFC 4226 §5.2, the default),
/// HMAC-SHA-256 or HMAC-SHA-512 (RFC 6238 §1.2).
///
/// The raw values are the spellings of the Key Uri Format (`algorithm=SHA256`).
public enum OTPAlgorithm: String, Sendable, CaseIterable, Codable {
    /// HMAC-SHA-1, the RFC 4226 default and by far the most common.
    case sha1 = "SHA1"
    /// HMAC-SHA-256 (RFC 6238 §1.2).
    case sha256 = "SHA256"
    /// HMAC-SHA-512 (RFC 6238 §1.2).
    case sha512 = "SHA512"

    /// Parses an algorithm name leniently: any case, with or without `-`, `_`, spaces
    /// or an `HMAC` prefix.
    ///
    /// ```swift
    /// OTPAlgorithm(name: "sha-256")      // .sha256
    /// OTPAlgorithm(name: "HmacSHA1")     // .sha1
    /// OTPAlgorithm(name: "md5")          // nil
    /// ```
    /// - Parameter name: The name as written by a person or in a URI.
    public init?(name: String) {
        guard name.utf8.count <= 32 else { return nil }
        var normalized = String(name.uppercased().filter { $0 != "-" && $0 != "_" && $0 != " " })
        if normalized.hasPrefix("HMAC") { normalized.removeFirst(4) }
        self.init(rawValue: normalized)
    }

    /// The HMAC hash in the crypto layer.
    var hmacAlgorithm: HMACKey.Algorithm {
        switch self {
        case .sha1: .sha1
        case .sha256: .sha256
        case .sha512: .sha512
        }
    }
}
