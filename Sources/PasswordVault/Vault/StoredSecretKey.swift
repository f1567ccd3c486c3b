/// A `secret_key` as the vault keeps it: the TOTP generator that gives its codes and, for an
/// `otpauth://totp/…` URI that is more than a bare seed, the URI itself (docs/contract.md §8, §16).
struct StoredSecretKey: Sendable {
    /// The seed with its algorithm, digits, period and T0.
    let totp: TOTP
    /// The key URI with its label, issuer and every parameter; `nil` for a bare base32 seed, or a
    /// URI that says no more than one (SHA-1, 6 digits, 30 s, no label, issuer or other parameter).
    let uri: OTPAuthURI?

    init(totp: TOTP, uri: OTPAuthURI? = nil) {
        self.totp = totp
        self.uri = uri.flatMap { Self.saysMoreThanASeed($0) ? $0 : nil }
    }

    /// The text GET one and `pwvault reveal --field secret-key` show: the canonical base32 seed
    /// (upper case, no padding) for the defaults, else the URI as ``OTPAuthURI/uriString`` writes
    /// it. A seed the first release stored from a URI (layout 1: its parameters without the label
    /// or issuer) is written as a URI with an empty label, so that its parameters are not lost.
    var text: SecretBytes {
        if let uri { return SecretBytes(utf8: uri.uriString) }
        let defaults = totp.algorithm == .sha1 && totp.digits == 6 && totp.period == 30
        guard !defaults,
            let rebuilt = try? OTPAuthURI(
                kind: .totp(period: totp.period), account: "", secret: totp.secret, algorithm: totp.algorithm,
                digits: totp.digits)
        else { return SecretBytes(utf8: Base32.encode(totp.secret)) }
        return SecretBytes(utf8: rebuilt.uriString)
    }

    /// Whether `uri` holds anything a bare base32 seed does not.
    private static func saysMoreThanASeed(_ uri: OTPAuthURI) -> Bool {
        uri.kind != .totp(period: 30) || uri.algorithm != .sha1 || uri.digits != 6 || uri.issuer != nil
            || !uri.account.isEmpty || !uri.extraParameters.isEmpty
    }
}
