import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The vault file version this process has read, held open.
///
/// Holding the descriptor pins the inode: while it is open the file system cannot
/// hand the same inode number to a new file, so (device, inode) names exactly this
/// version. Commits never modify a file in place; they rename a new one over it.
struct PinnedFile: ~Copyable {
    let descriptor: Int32
    let device: UInt64
    let inode: UInt64
    /// The file's size in bytes.
    let size: Int

    deinit { close(descriptor) }

    /// Whether `path` still names this version.
    func isCurrent(at path: String) throws(StorageError) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .failure("the vault file \(path) has disappeared") }
            throw .failure(POSIX.message("cannot stat \(path)"))
        }
        return UInt64(truncatingIfNeeded: info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}

/// The cross-process writer lock: `flock(LOCK_EX)` on `<vault>.lock`, a file that is
/// created once and never removed (removing a lock file races with its users).
struct LockFile: ~Copyable {
    let descriptor: Int32

    /// Opens (creating if needed) the lock file.
    init(path: String) throws(StorageError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw .failure(POSIX.message("cannot open the lock file \(path)")) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Takes the lock, polling without blocking so that a stuck holder ends in
    /// ``StorageError/busy(_:)`` after `timeout` rather than a hang.
    func acquire(timeout: Duration) throws(StorageError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: UInt32 = 100
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw .failure(POSIX.message("cannot lock the vault"))
            }
            guard clock.now < deadline else { throw .busy("another process has held the vault's lock for \(timeout)") }
            usleep(pause)
            pause = min(pause * 2, 2_000)
        }
    }

    func release() { flock(descriptor, LOCK_UN) }
}

/// A file read and decoded.
struct LoadedFile: ~Copyable {
    var file: PinnedFile
    var store: StoreState
}

enum VaultFile {
    /// Opens, reads and checks the file at `path`. Never writes anything.
    static func load(at path: String) throws(StorageError) -> LoadedFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound("no vault file at \(path)") }
            throw .failure(POSIX.message("cannot open \(path)"))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let message = POSIX.message("cannot stat \(path)")
            close(fd)
            throw .failure(message)
        }
        let file = PinnedFile(
            descriptor: fd, device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(info.st_ino),
            size: Int(info.st_size))
        guard info.st_mode & S_IFMT == S_IFREG else { throw .failure("\(path) is not a regular file") }
        let bytes = try readAll(fd, sizeHint: Int(info.st_size), path: path)
        return LoadedFile(file: file, store: try FileFormat.decode(bytes))
    }

    /// Writes `store` crash-safely: a complete temporary file, fsynced, renamed over
    /// `path`, then the folder fsynced. A crash at any instant leaves the old or the
    /// new file. Returns the new version, pinned.
    static func save(_ store: StoreState, at path: String, sizeHint: Int) throws(StorageError)
        -> PinnedFile
    {
        let bytes = try FileFormat.encode(store, capacity: sizeHint)
        // A random name, created exclusively and never through a symbolic link, with mode 0600
        // from the start: a file or a link planted beside the vault is neither followed nor reused.
        let temporary = "\(path).tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw .failure(POSIX.message("cannot create \(temporary)")) }
        var info = stat()
        do throws(StorageError) {
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw StorageError.failure(POSIX.message("cannot fsync \(temporary)")) }
            guard fstat(fd, &info) == 0 else { throw StorageError.failure(POSIX.message("cannot stat \(temporary)")) }
            guard rename(temporary, path) == 0 else {
                throw StorageError.failure(POSIX.message("cannot rename \(temporary) to \(path)"))
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        let file = PinnedFile(
            descriptor: fd, device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(info.st_ino),
            size: bytes.count)
        try syncFolder(of: path)
        return file
    }

    /// The size of the file at `path`, or `nil` when there is none.
    static func size(at path: String) throws(StorageError) -> Int? {
        try POSIX.fileSize(at: path)
    }

    /// Removes `<vault>.tmp-*` files left by writers that died mid-commit. Only
    /// called under the writer lock, when no live writer can be writing one.
    static func removeTemporaries(of path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            unlink(URL(fileURLWithPath: folder).appendingPathComponent(name).path)
        }
    }

    private static func readAll(_ fd: Int32, sizeHint: Int, path: String) throws(StorageError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(sizeHint, 0) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(count, 4096))) }
            let n = POSIX.retryingInterrupted {
                bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            }
            guard n >= 0 else { throw .failure(POSIX.message("cannot read \(path)")) }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StorageError) {
        var written = 0
        while written < bytes.count {
            let n = POSIX.retryingInterrupted {
                bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            }
            guard n > 0 else { throw .failure(POSIX.message("cannot write \(path)")) }
            written += n
        }
    }

    private static func syncFolder(of path: String) throws(StorageError) {
        try POSIX.sync(URL(fileURLWithPath: path).deletingLastPathComponent().path, folder: true)
    }
}
