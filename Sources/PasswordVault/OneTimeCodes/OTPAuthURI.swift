/// A key URI in the Key Uri Format of authenticator apps:
/// `otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`.
///
/// Parsed with ``init(parsing:)``, written with ``uriString``. Parsing is lenient where
/// apps differ and never crashes: any input either parses or throws ``OTPAuthURIError``.
/// - The scheme and type (`totp`, `hotp`) are case-insensitive; a `#fragment` is ignored.
/// - The label is `ISSUER:ACCOUNT` or `ACCOUNT`, percent-encoded; the separator may be `:`
///   or `%3A`, and spaces after it are dropped. The `issuer` parameter wins over the label's
///   prefix when both are given.
/// - `secret` is required and decoded with ``Base32`` (its leniencies included).
/// - `algorithm` in any case (``OTPAlgorithm/init(name:)``); `digits` 6…10 (default 6);
///   `period` > 0 (default 30) for `totp`; `counter` required for `hotp`.
/// - Parameter names are matched case-insensitively; `+` is a plus sign, not a space.
/// - Other parameters (`image`, a `period` on an `hotp` URI…) are kept, in order, and written back.
///
/// ```swift
/// let uri = try OTPAuthURI(parsing: "otpauth://totp/ACME%20Co:john@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co")
/// uri.account                     // "john@example.com"
/// let code = try uri.makeTOTP().code(at: Date())
/// print(uri)                      // the URI with secret=<redacted>
/// ```
public struct OTPAuthURI: Sendable, Equatable {
    /// The type of one-time code and its moving factor's parameter.
    public enum Kind: Sendable, Equatable {
        /// Time-based (RFC 6238), with the time step in seconds.
        case totp(period: Int)
        /// Counter-based (RFC 4226), with the next counter.
        case hotp(counter: UInt64)

        /// Whether this is ``totp(period:)``.
        var isTOTP: Bool {
            if case .totp = self { true } else { false }
        }
    }

    /// A query parameter this library does not interpret, kept as decoded text.
    public struct Parameter: Sendable, Equatable {
        /// The parameter name.
        public let name: String
        /// The parameter value.
        public let value: String

        /// A parameter to write after the known ones.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `totp` with its period or `hotp` with its counter.
    public let kind: Kind
    /// The provider or service, if given (never empty).
    public let issuer: String?
    /// The account name (often an e-mail address); may be empty.
    public let account: String
    /// The shared secret.
    public let secret: SecretBytes
    /// The HMAC hash function.
    public let algorithm: OTPAlgorithm
    /// The number of digits in a code.
    public let digits: Int
    /// Parameters this library does not interpret, in their original order.
    public let extraParameters: [Parameter]

    /// The parameter names this type reads and writes itself for a kind of URI
    /// (`counter` on a `totp` URI, or `period` on an `hotp` URI, is an extra parameter).
    static func knownParameters(totp: Bool) -> Set<String> {
        ["secret", "issuer", "algorithm", "digits", totp ? "period" : "counter"]
    }

    /// Creates a key URI from its parts, validated like a generator.
    /// - Parameters:
    ///   - kind: `totp` with its period or `hotp` with its counter.
    ///   - account: The account name.
    ///   - issuer: The provider; an empty string means none.
    ///   - secret: The shared secret; at least one byte.
    ///   - algorithm: The HMAC hash; SHA-1 by default.
    ///   - digits: Code length, 6 to 10; 6 by default.
    ///   - extraParameters: Further parameters to write; none may be named (in any case) like one
    ///     the URI writes itself: `secret`, `issuer`, `algorithm`, `digits`, and `period` or `counter`.
    /// - Throws: ``OTPAuthURIError/invalidParameters(_:)`` for values no generator accepts,
    ///   ``OTPAuthURIError/duplicateParameter(_:)`` for an extra parameter named like a known one.
    public init(
        kind: Kind, account: String, issuer: String? = nil, secret: SecretBytes, algorithm: OTPAlgorithm = .sha1,
        digits: Int = 6, extraParameters: [Parameter] = []
    ) throws(OTPAuthURIError) {
        guard !secret.isEmpty else { throw .invalidParameters(.emptySecret) }
        guard HOTP.allowedDigits.contains(digits) else { throw .invalidParameters(.digitsOutOfRange(digits)) }
        if case .totp(let period) = kind {
            do throws(OTPError) { try TOTP.checkPeriod(period) } catch { throw .invalidParameters(error) }
        }
        let known = Self.knownParameters(totp: kind.isTOTP)
        if let clash = extraParameters.first(where: { known.contains($0.name.lowercased()) }) {
            throw .duplicateParameter(clash.name)
        }
        self.kind = kind
        self.account = account
        self.issuer = issuer?.isEmpty == false ? issuer : nil
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.extraParameters = extraParameters
    }

    /// A TOTP generator for this key.
    /// - Throws: ``OTPAuthURIError/notTOTP`` for an `hotp` URI.
    public func makeTOTP() throws(OTPAuthURIError) -> TOTP {
        guard case .totp(let period) = kind else { throw .notTOTP }
        do {
            return try TOTP(secret: secret, algorithm: algorithm, digits: digits, period: period)
        } catch {
            throw .invalidParameters(error)
        }
    }

    /// An HOTP generator for this key; its next counter is in ``kind``.
    /// - Throws: ``OTPAuthURIError/notHOTP`` for a `totp` URI.
    public func makeHOTP() throws(OTPAuthURIError) -> HOTP {
        guard case .hotp = kind else { throw .notHOTP }
        do {
            return try HOTP(secret: secret, algorithm: algorithm, digits: digits)
        } catch {
            throw .invalidParameters(error)
        }
    }

    /// The URI text, percent-encoded, with the secret in base32 (uppercase, unpadded).
    ///
    /// It holds the secret in a plain `String`: show it (as a QR code) and drop it.
    public var uriString: String { render(secret: Base32.encode(secret)) }

    /// The URI with `value` in place of the secret.
    ///
    /// Parsing drops the spaces after a label's `ISSUER:` prefix, so an account that starts with
    /// a space is written without the prefix (the `issuer` parameter still names the issuer): it
    /// then reads back unchanged. (The fuzz harness's round-trip oracle caught it:
    /// `otpauth://totp/%20x?secret=…&issuer=I` was written as `I:%20x` and read back as account
    /// `x`.) An account that starts with a space *and* holds a `:` has no label form that reads
    /// back; parsing never makes one. Spaces and colons are Unicode scalars here, as in parsing.
    func render(secret value: String) -> String {
        var text = "otpauth://"
        switch kind {
        case .totp: text += "totp/"
        case .hotp: text += "hotp/"
        }
        if let issuer, account.unicodeScalars.first != " " {
            text += PercentEncoding.encode(issuer) + ":"
        } else if account.unicodeScalars.contains(":") {
            // An empty issuer prefix keeps a colon in the account from reading as a separator.
            text += ":"
        }
        text += PercentEncoding.encode(account)
        text += "?secret=" + value
        if let issuer { text += "&issuer=" + PercentEncoding.encode(issuer) }
        text += "&algorithm=" + algorithm.rawValue + "&digits=\(digits)"
        switch kind {
        case .totp(let period): text += "&period=\(period)"
        case .hotp(let counter): text += "&counter=\(counter)"
        }
        for parameter in extraParameters {
            text += "&" + PercentEncoding.encode(parameter.name) + "=" + PercentEncoding.encode(parameter.value)
        }
        return text
    }
}

extension OTPAuthURI: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URI with `secret=<redacted>`.
    public var description: String { render(secret: "<redacted>") }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// The parts; the secret appears as its own redacted value.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "kind": kind, "issuer": issuer as Any, "account": account, "secret": secret,
                "algorithm": algorithm, "digits": digits, "extraParameters": extraParameters,
            ], displayStyle: .struct)
    }
}
