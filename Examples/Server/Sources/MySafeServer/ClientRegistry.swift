import CSodiumServer
import Foundation

/// One OAuth 2.0 client: its id, the vault user it acts as, and its secret's Argon2id hash.
public struct RegisteredClient: Codable, Sendable, Equatable {
    /// The public client id (`client_id`).
    public var id: String
    /// The vault username the client acts as.
    public var username: String
    /// `crypto_pwhash_str` of the secret (Argon2id, libsodium's encoded form).
    public var secretHash: String
    /// When it was added.
    public var created: Date
    /// Revoked clients get no token; their tokens are refused.
    public var revoked: Bool
}

/// Why a registry operation failed. Messages never hold a secret.
public enum ClientRegistryError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case unknownClient(String)
    case hashingFailed

    /// The message, without any secret.
    public var description: String {
        switch self {
        case .unreadable(let why): "client registry unreadable: \(why)"
        case .unknownClient(let id): "unknown client \(id)"
        case .hashingFailed: "could not hash the client secret"
        }
    }
}

/// The OAuth clients, in a JSON file beside the vault (`<vault>.clients.json`, mode 0600,
/// replaced atomically on every change). Whoever can write this file can map a client to any
/// user: SECURITY.md states that limit.
public final class ClientRegistry: Sendable {
    /// The file.
    public let path: String

    /// The registry for the vault at `vaultPath`.
    public static func beside(vaultPath: String) -> ClientRegistry {
        ClientRegistry(path: vaultPath + ".clients.json")
    }

    /// The registry in the file at `path`.
    public init(path: String) { self.path = path }

    /// Every client, revoked ones included; none when the file does not exist.
    public func clients() throws(ClientRegistryError) -> [RegisteredClient] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode([RegisteredClient].self, from: data)
        } catch {
            throw .unreadable("not a client registry file")
        }
    }

    /// Adds a client for `username`; returns it and its secret (shown once, stored only hashed).
    public func add(username: String) throws(ClientRegistryError) -> (client: RegisteredClient, secret: String) {
        let id = "pwv_" + Self.randomHex(bytes: 12)
        let secret = Self.randomHex(bytes: 32)
        let client = RegisteredClient(
            id: id, username: username, secretHash: try Self.hash(secret), created: Date(), revoked: false)
        var all = try clients()
        all.append(client)
        try write(all)
        return (client, secret)
    }

    /// Revokes a client: it gets no new token, and the server refuses its tokens.
    public func revoke(id: String) throws(ClientRegistryError) {
        var all = try clients()
        guard let index = all.firstIndex(where: { $0.id == id }) else { throw .unknownClient(id) }
        all[index].revoked = true
        try write(all)
    }

    /// Removes a client.
    public func remove(id: String) throws(ClientRegistryError) {
        var all = try clients()
        guard let index = all.firstIndex(where: { $0.id == id }) else { throw .unknownClient(id) }
        all.remove(at: index)
        try write(all)
    }

    /// The active client with this id and secret, or nil (unknown, revoked or wrong secret).
    public func authenticate(id: String, secret: String) throws(ClientRegistryError) -> RegisteredClient? {
        guard let client = try clients().first(where: { $0.id == id }), !client.revoked else { return nil }
        let ok = secret.withCString { s in
            crypto_pwhash_str_verify(client.secretHash, s, UInt64(strlen(s))) == 0
        }
        return ok ? client : nil
    }

    /// Whether the client exists and is not revoked.
    public func isActive(id: String) -> Bool {
        ((try? clients()) ?? []).contains { $0.id == id && !$0.revoked }
    }

    /// Writes the whole registry to a temporary file (0600) and renames it over the old one.
    private func write(_ all: [RegisteredClient]) throws(ClientRegistryError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let data = try encoder.encode(all)
            let temporary = path + ".tmp-\(getpid())"
            guard
                FileManager.default.createFile(
                    atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw ClientRegistryError.unreadable("cannot write \(temporary)") }
            guard rename(temporary, path) == 0 else {
                unlink(temporary)
                throw ClientRegistryError.unreadable("cannot replace \(path)")
            }
        } catch let error as ClientRegistryError {
            throw error
        } catch {
            throw .unreadable("cannot encode")
        }
    }

    /// Argon2id (`crypto_pwhash_str`, interactive limits).
    static func hash(_ secret: String) throws(ClientRegistryError) -> String {
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let status = secret.withCString { s in
            crypto_pwhash_str(
                &out, s, UInt64(strlen(s)), UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                Int(crypto_pwhash_MEMLIMIT_INTERACTIVE))
        }
        guard status == 0 else { throw .hashingFailed }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `bytes` random bytes from libsodium, as lowercase hex.
    static func randomHex(bytes: Int) -> String {
        var buffer = [UInt8](repeating: 0, count: bytes)
        randombytes_buf(&buffer, bytes)
        return buffer.map { String(format: "%02x", $0) }.joined()
    }
}
