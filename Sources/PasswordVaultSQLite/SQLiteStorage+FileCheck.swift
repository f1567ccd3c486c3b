import Foundation
import PasswordVault

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks the raw bytes of a database file before SQLite opens it, so that a file
/// that is not our vault is refused without a byte of it being changed (SQLite
/// would otherwise turn an empty file into a database, or set a foreign one to WAL).
///
/// See <https://www.sqlite.org/fileformat.html#the_database_header>.
enum FileCheck {
    static let sqliteMagic = Array("SQLite format 3\0".utf8)

    static func check(_ path: String) throws(StorageError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .notFound("no vault file at \(path)") }
            throw .failure(POSIX.message("cannot stat \(path)"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .failure("\(path) is not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else { throw .corrupted("the file is empty (0 bytes)") }
        let header = try readHeader(path)
        guard header.count >= sqliteMagic.count, header.prefix(sqliteMagic.count).elementsEqual(sqliteMagic) else {
            throw .corrupted("not an SQLite database (no SQLite header)")
        }
        guard header.count >= 100 else {
            throw .corrupted("truncated: \(size) bytes, shorter than SQLite's 100-byte header")
        }
        let raw = Int(bigEndian16(header, 16))
        let pageSize = raw == 1 ? 65_536 : raw
        guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
            throw .corrupted("damaged SQLite header (page size \(raw))")
        }
        let applicationID = Int32(bitPattern: bigEndian32(header, 68))
        guard applicationID == Schema.applicationID else {
            throw .corrupted(Schema.foreignApplicationID(applicationID))
        }
        // The page count in the header is valid when "version-valid-for" equals the
        // change counter. With a write-ahead log present the main file may lag the
        // log, so the size is only checked when there is none.
        let pages = Int(bigEndian32(header, 28))
        let valid = bigEndian32(header, 92) == bigEndian32(header, 24)
        if (try? POSIX.fileSize(at: path + "-wal")) ?? 0 == 0 {
            guard size % pageSize == 0 else {
                throw .corrupted("truncated: \(size) bytes is not a whole number of \(pageSize)-byte pages")
            }
            if valid, pages > 0, size < pages * pageSize {
                throw .corrupted(
                    "truncated: the header records \(pages) pages of \(pageSize) bytes, the file holds \(size / pageSize)"
                )
            }
        }
    }

    /// Whether this process may write the file and create files beside it (SQLite's log).
    static func isWritable(_ path: String) -> Bool {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return access(path, W_OK) == 0 && access(folder, W_OK) == 0
    }

    private static func readHeader(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .failure(POSIX.message("cannot open \(path)")) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 100)
        var count = 0
        while count < 100 {
            let n = POSIX.retryingInterrupted {
                bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + count, 100 - count, off_t(count)) }
            }
            guard n >= 0 else { throw .failure(POSIX.message("cannot read \(path)")) }
            if n == 0 { break }
            count += n
        }
        return Array(bytes[0..<count])
    }

    private static func bigEndian16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    private static func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
