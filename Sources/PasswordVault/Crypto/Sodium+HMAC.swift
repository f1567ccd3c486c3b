internal import CSodium

/// libsodium's own HMAC-SHA-256 and HMAC-SHA-512, kept as an independent reference
/// for ``HMACKey`` (the tests check that both agree). Not used on any hot path.
extension Sodium {
    /// HMAC-SHA-256 of `message` under `key` (any length) with libsodium's streaming API.
    static func referenceHMACSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var state = crypto_auth_hmacsha256_state()
        var digest = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &digest)
        return digest
    }

    /// HMAC-SHA-512 of `message` under `key` (any length) with libsodium's streaming API.
    static func referenceHMACSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var state = crypto_auth_hmacsha512_state()
        var digest = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha512_BYTES))
        _ = crypto_auth_hmacsha512_init(&state, key, key.count)
        _ = crypto_auth_hmacsha512_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha512_final(&state, &digest)
        return digest
    }
}
