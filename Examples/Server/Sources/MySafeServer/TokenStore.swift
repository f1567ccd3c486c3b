import Foundation
import PasswordVaultClients

/// What an access token stands for.
public struct IssuedToken: Sendable, Equatable {
    /// The client it was issued to.
    public var clientID: String
    /// The vault user it acts as.
    public var username: String
    /// When it stops being valid.
    public var expires: Date
}

/// Bearer tokens: 256-bit random, valid for ``lifetime`` (one hour), kept in memory only
/// (a restart revokes every token), revocable one by one or per client.
public actor TokenStore {
    /// How long a token is valid.
    public static let lifetime: TimeInterval = 3600

    private var tokens: [String: IssuedToken] = [:]
    private let now: @Sendable () -> Date

    /// A store reading the time from `now` (tests inject a clock).
    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }

    /// A new token for `client`.
    public func issue(clientID: String, username: String) -> String {
        purgeExpired()
        let token = ClientRegistry.randomHex(bytes: 32)
        tokens[token] = IssuedToken(clientID: clientID, username: username, expires: now() + Self.lifetime)
        return token
    }

    /// What the token stands for, or nil: unknown, expired or revoked.
    public func resolve(_ token: String) -> IssuedToken? {
        guard let issued = tokens[token] else { return nil }
        guard issued.expires > now() else {
            tokens[token] = nil
            return nil
        }
        return issued
    }

    /// Revokes one token.
    public func revoke(_ token: String) { tokens[token] = nil }

    /// Revokes every token of a client.
    public func revokeAll(clientID: String) { tokens = tokens.filter { $0.value.clientID != clientID } }

    private func purgeExpired() {
        let time = now()
        tokens = tokens.filter { $0.value.expires > time }
    }
}
