/// `secret_key` (docs/contract.md §5): a base32 seed (RFC 4648 §6, lenient) decoding to
/// at least one byte, with the defaults SHA-1, 6 digits, 30 s; or an
/// `otpauth://totp/…` URI carrying its own parameters, kept whole (its label, issuer and every
/// parameter, docs/contract.md §16). An `hotp` URI is refused: the vault gives TOTP codes (§5).
enum SecretKeyRule {
    static func parse(_ text: String) throws(VaultError) -> StoredSecretKey {
        if text.utf8.count >= 10, text.prefix(10).lowercased() == "otpauth://" {
            do {
                let uri = try OTPAuthURI(parsing: text)
                return StoredSecretKey(totp: try uri.makeTOTP(), uri: uri)
            } catch {
                throw .invalidParameter(field: "secret_key", reason: "not a usable otpauth URI: \(error)")
            }
        }
        let seed: SecretBytes
        do {
            seed = try Base32.decodeSecret(text)
        } catch {
            throw .invalidParameter(field: "secret_key", reason: "not base32: \(error)")
        }
        do {
            return StoredSecretKey(totp: try TOTP(secret: seed))
        } catch {
            throw .invalidParameter(field: "secret_key", reason: "\(error)")
        }
    }
}
