#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX calls both file-backed adapters make (`FileStorage` here, `SQLiteStorage` in the
/// PasswordVaultSQLite target): the `EINTR` retry and the error messages, written once.
///
/// `package`, not public: the adapters of this package share it, users of the library never
/// see it. Every message names the file or folder and the call's reason (`strerror`), never a
/// byte of what was read or written.
package enum POSIX {
    /// `what: strerror(errno)`, for example `cannot open /var/vault.db: Permission denied`.
    ///
    /// - Parameter what: the failed step and the path it concerned; never a value.
    package static func message(_ what: String) -> String {
        "\(what): \(String(cString: strerror(errno)))"
    }

    /// `call`'s result, calling it again for as long as it fails with `EINTR` (a signal arrived
    /// before any byte moved). Any other failure is returned as it is, `errno` set.
    package static func retryingInterrupted(_ call: () -> Int) -> Int {
        while true {
            let result = call()
            if result < 0, errno == EINTR { continue }
            return result
        }
    }

    /// The size in bytes of the file at `path`, or `nil` when there is none.
    ///
    /// - Throws: `StorageError/failure(_:)` naming `path` when it cannot be examined.
    package static func fileSize(at path: String) throws(StorageError) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .failure(message("cannot stat \(path)"))
        }
        return Int(info.st_size)
    }

    /// Opens `path` read-only and fsyncs it: a file, or a folder after a rename in it.
    ///
    /// - Parameters:
    ///   - path: the file or folder.
    ///   - folder: opens with `O_DIRECTORY` (refusing anything else) and names it "the folder …".
    /// - Throws: `StorageError/failure(_:)` naming it when it cannot be opened or synced.
    package static func sync(_ path: String, folder: Bool = false) throws(StorageError) {
        let name = folder ? "the folder \(path)" : path
        let fd = open(path, O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0))
        guard fd >= 0 else { throw .failure(message("cannot open \(name)")) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .failure(message("cannot fsync \(name)")) }
    }
}
