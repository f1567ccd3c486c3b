extension OTPAuthURI {
    /// Parses an `otpauth://totp/…` or `otpauth://hotp/…` key URI.
    ///
    /// See ``OTPAuthURI`` for what is accepted.
    /// - Parameter text: The URI, e.g. from a QR code.
    /// - Throws: ``OTPAuthURIError`` naming the first problem found; never the secret.
    public init(parsing text: String) throws(OTPAuthURIError) {
        var bytes = Array(text.utf8)
        // The copy holds the secret: wipe it however this initialiser ends.
        defer { bytes.withUnsafeMutableBytes { Sodium.wipe($0) } }
        let parts = try Self.split(bytes)
        let labelText = try Self.decodeText(bytes[parts.label])

        var secret: SecretBytes?
        var issuer: String?
        var algorithm = OTPAlgorithm.sha1
        var digits = 6
        var period = 30
        var counter: UInt64?
        var seen: Set<String> = []
        var extra: [Parameter] = []
        let known = Self.knownParameters(totp: parts.isTOTP)
        for field in bytes[parts.query].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = field.firstIndex(of: UInt8(ascii: "=")) ?? field.endIndex
            let name = try Self.decodeText(field[field.startIndex..<equals])
            let rawValue = equals < field.endIndex ? field[(equals + 1)...] : []
            let key = name.lowercased()
            guard known.contains(key) else {
                extra.append(Parameter(name: name, value: try Self.decodeText(rawValue)))
                continue
            }
            guard seen.insert(key).inserted else { throw .duplicateParameter(key) }
            if key == "secret" {
                secret = try Self.decodeSecret(rawValue)
                continue
            }
            let value = try Self.decodeText(rawValue)
            switch key {
            case "issuer": issuer = value.isEmpty ? nil : value
            case "algorithm":
                guard let parsed = OTPAlgorithm(name: value) else { throw .invalidValue(parameter: key) }
                algorithm = parsed
            case "digits":
                guard let parsed = Int(value) else { throw .invalidValue(parameter: key) }
                digits = parsed
            case "period":
                guard let parsed = Int(value) else { throw .invalidValue(parameter: key) }
                period = parsed
            default:
                guard let parsed = UInt64(value) else { throw .invalidValue(parameter: key) }
                counter = parsed
            }
        }

        guard let secret else { throw .missingSecret }
        let kind: Kind
        if parts.isTOTP {
            kind = .totp(period: period)
        } else {
            guard let counter else { throw .missingCounter }
            kind = .hotp(counter: counter)
        }
        let label = Self.splitLabel(labelText, issuerParameter: issuer)
        try self.init(
            kind: kind, account: label.account, issuer: issuer ?? label.issuer, secret: secret,
            algorithm: algorithm, digits: digits, extraParameters: extra)
    }
}

extension OTPAuthURI {
    /// Where the label and the query sit in the URI's bytes, and its type.
    private struct Parts {
        var isTOTP: Bool
        var label: Range<Int>
        var query: Range<Int>
    }

    /// Checks the scheme and type, and finds the label and query (a `#fragment` is dropped).
    private static func split(_ bytes: [UInt8]) throws(OTPAuthURIError) -> Parts {
        let end = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.endIndex
        let scheme = Array("otpauth://".utf8)
        guard end >= scheme.count, lowercased(bytes[0..<scheme.count]) == scheme else { throw .notOTPAuth }
        let typeStart = scheme.count
        let typeEnd =
            bytes[typeStart..<end].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? end
        let isTOTP: Bool
        switch lowercased(bytes[typeStart..<typeEnd]) {
        case Array("totp".utf8): isTOTP = true
        case Array("hotp".utf8): isTOTP = false
        default: throw .unsupportedType
        }
        let labelStart = typeEnd < end && bytes[typeEnd] == UInt8(ascii: "/") ? typeEnd + 1 : typeEnd
        let queryMark = bytes[labelStart..<end].firstIndex(of: UInt8(ascii: "?")) ?? end
        let queryStart = Swift.min(queryMark + 1, end)
        return Parts(isTOTP: isTOTP, label: labelStart..<queryMark, query: queryStart..<end)
    }

    /// Splits a decoded label into issuer prefix and account (Key Uri Format: `issuer ":" *" " account`).
    ///
    /// The separator and the spaces are looked for among Unicode scalars, not `Character`s: a
    /// `:` or a space followed by a combining mark is one `Character` with it, and was missed.
    /// (Found by fuzzing: an account starting with U+035B, written after `ISSUER:`, read back
    /// as `ISSUER:` plus the account.)
    private static func splitLabel(_ label: String, issuerParameter: String?) -> (issuer: String?, account: String) {
        let scalars = label.unicodeScalars
        // An issuer containing ':' is matched whole when the parameter names it.
        if let issuerParameter, !issuerParameter.isEmpty {
            let prefix = (issuerParameter + ":").unicodeScalars
            if scalars.starts(with: prefix) { return (nil, dropLeadingSpaces(scalars.dropFirst(prefix.count))) }
        }
        guard let colon = scalars.firstIndex(of: ":") else { return (nil, label) }
        let prefix = String(scalars[..<colon])
        return (prefix.isEmpty ? nil : prefix, dropLeadingSpaces(scalars[scalars.index(after: colon)...]))
    }

    private static func dropLeadingSpaces(_ scalars: Substring.UnicodeScalarView) -> String {
        String(scalars.drop { $0 == " " })
    }

    /// Percent-decodes a part of the URI as UTF-8 text.
    private static func decodeText(_ bytes: ArraySlice<UInt8>) throws(OTPAuthURIError) -> String {
        guard let text = PercentEncoding.decodeString(bytes) else { throw .invalidPercentEncoding }
        return text
    }

    /// Percent-decodes and base32-decodes the secret, wiping the intermediate bytes.
    private static func decodeSecret(_ bytes: ArraySlice<UInt8>) throws(OTPAuthURIError) -> SecretBytes {
        guard var decoded = PercentEncoding.decode(bytes) else { throw .invalidPercentEncoding }
        defer { decoded.withUnsafeMutableBytes { Sodium.wipe($0) } }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .invalidPercentEncoding }
        do {
            return try Base32.decodeSecret(text)
        } catch {
            throw .invalidSecret(error)
        }
    }

    /// ASCII letters lowercased, other bytes unchanged.
    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
    }
}
