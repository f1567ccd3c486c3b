import CSodium
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
    /// The file cannot be read, written or decoded.
    case unreadable(String)
    /// No client has this id.
    case unknownClient(String)
    /// libsodium could not hash the secret.
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

/// The OAuth 2.0 clients of an HTTP host of the vault (`Examples/Server`), shared with
/// `pwvault client`: in a JSON file beside the vault (`<vault>.clients.json`, mode 0600,
/// replaced atomically on every change: written to a temporary file, synced, renamed, the
/// directory synced). The server reads it once and again only when the file changes (its
/// inode, size, modification or change time differ), so a request costs one `stat`, not a
/// read and a decode. Changes (`add`, `revoke`, `remove`) hold an exclusive lock on
/// `<vault>.clients.json.lock`, so two `client add` at once both land. Whoever can write this
/// file can map a client to any user: SECURITY.md states that limit.
public final class ClientRegistry: Sendable {
    /// The file.
    public let path: String

    /// What identifies one content of the file: a rename makes a new inode.
    struct Stamp: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec
        var changed: timespec

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    /// The clients last decoded and the file they came from; how many times it was decoded.
    private let cache = Mutex<(stamp: Stamp?, clients: [RegisteredClient], loads: Int)>((nil, [], 0))

    /// The registry for the vault at `vaultPath`.
    public static func beside(vaultPath: String) -> ClientRegistry {
        ClientRegistry(path: vaultPath + ".clients.json")
    }

    /// The registry in the file at `path`.
    public init(path: String) { self.path = path }

    /// How many times the file has been read and decoded since this instance was made.
    public var loads: Int { cache.withLock { $0.loads } }

    /// The file's stamp, or nil when it does not exist.
    private func stamp() throws(ClientRegistryError) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .unreadable("cannot stat the file")
        }
        #if canImport(Darwin)
            let (modified, changed) = (info.st_mtimespec, info.st_ctimespec)
        #else
            let (modified, changed) = (info.st_mtim, info.st_ctim)
        #endif
        return Stamp(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size), modified: modified,
            changed: changed)
    }

    /// Every client, revoked ones included; none when the file does not exist. Decoded again
    /// only when the file changed since the last call.
    public func clients() throws(ClientRegistryError) -> [RegisteredClient] {
        guard let current = try stamp() else {
            cache.withLock { $0 = (nil, [], $0.loads) }
            return []
        }
        if let cached = cache.withLock({ $0.stamp == current ? $0.clients : nil }) { return cached }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable("cannot read the file")
        }
        let decoded: [RegisteredClient]
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            decoded = try decoder.decode([RegisteredClient].self, from: data)
        } catch {
            throw .unreadable("not a client registry file")
        }
        // The stamp taken before the read: a change during it makes the next call read again.
        cache.withLock { $0 = (current, decoded, $0.loads + 1) }
        return decoded
    }

    /// Adds a client for `username`; returns it and its secret (shown once, stored only hashed).
    public func add(username: String) throws(ClientRegistryError) -> (client: RegisteredClient, secret: String) {
        let id = "pwv_" + Self.randomHex(bytes: 12)
        let secret = Self.randomHex(bytes: 32)
        let client = RegisteredClient(
            id: id, username: username, secretHash: try Self.hash(secret), created: Date(), revoked: false)
        try changing { all in all.append(client) }
        return (client, secret)
    }

    /// Revokes a client: it gets no new token, and the server refuses its tokens.
    public func revoke(id: String) throws(ClientRegistryError) {
        try changing { (all) throws(ClientRegistryError) in
            guard let index = all.firstIndex(where: { $0.id == id }) else { throw .unknownClient(id) }
            all[index].revoked = true
        }
    }

    /// Removes a client.
    public func remove(id: String) throws(ClientRegistryError) {
        try changing { (all) throws(ClientRegistryError) in
            guard let index = all.firstIndex(where: { $0.id == id }) else { throw .unknownClient(id) }
            all.remove(at: index)
        }
    }

    /// Reads, changes and writes the registry under an exclusive lock on `<path>.lock`, so that
    /// concurrent changes from several processes are not lost.
    private func changing(
        _ change: (inout [RegisteredClient]) throws(ClientRegistryError) -> Void
    ) throws(ClientRegistryError) {
        let lock = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .unreadable("cannot open the lock file") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw .unreadable("cannot lock the registry") }
        defer { flock(lock, LOCK_UN) }
        var all = try clients()
        try change(&all)
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

    /// Writes the whole registry to a new temporary file (0600) in the same directory, syncs it,
    /// renames it over the old one and syncs the directory: a crash leaves the old registry or
    /// the new one, never a part of either. On failure the temporary file is removed and the
    /// registry is unchanged.
    private func write(_ all: [RegisteredClient]) throws(ClientRegistryError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(all)
        } catch {
            throw .unreadable("cannot encode")
        }
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unreadable("cannot create \(temporary)") }
        let bytes = Array(data)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                Foundation.write(descriptor, $0.baseAddress! + written, bytes.count - written)
            }
            guard result > 0 else {
                if result < 0 && errno == EINTR { continue }
                close(descriptor)
                unlink(temporary)
                throw .unreadable("cannot write \(temporary)")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            close(descriptor)
            unlink(temporary)
            throw .unreadable("cannot sync \(temporary)")
        }
        guard close(descriptor) == 0 else {
            unlink(temporary)
            throw .unreadable("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw .unreadable("cannot replace \(path)")
        }
        // The rename itself is durable once the directory is synced.
        let directory = open(
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
            O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw .unreadable("cannot sync the registry's directory") }
        defer { close(directory) }
        guard fsync(directory) == 0 else { throw .unreadable("cannot sync the registry's directory") }
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
    public static func randomHex(bytes: Int) -> String {
        var buffer = [UInt8](repeating: 0, count: bytes)
        randombytes_buf(&buffer, bytes)
        return buffer.map { String(format: "%02x", $0) }.joined()
    }
}
