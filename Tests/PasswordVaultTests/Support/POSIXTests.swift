import Foundation
import Testing

@testable import PasswordVault

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one POSIX helper both file-backed adapters use (Sources/PasswordVault/Support/POSIX.swift).
@Suite("POSIX helper")
struct POSIXTests {
    @Test func aCallInterruptedBySignalsIsMadeAgainUntilItAnswers() {
        var calls = 0
        let result = POSIX.retryingInterrupted {
            calls += 1
            if calls < 3 {
                errno = EINTR
                return -1
            }
            return 42
        }
        #expect(result == 42)
        #expect(calls == 3)
    }

    @Test func anyOtherFailureIsReturnedAtOnceWithItsErrno() {
        var calls = 0
        let result = POSIX.retryingInterrupted {
            calls += 1
            errno = EBADF
            return -1
        }
        #expect(result == -1)
        #expect(calls == 1)
        #expect(errno == EBADF)
    }

    @Test func theMessageNamesTheStepAndTheSystemsReason() {
        errno = ENOENT
        #expect(POSIX.message("cannot open /tmp/vault.db") == "cannot open /tmp/vault.db: No such file or directory")
    }

    @Test func aMissingFileHasNoSizeAndAnUnreachableOneNamesItsPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("posix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vault").path
        #expect(try POSIX.fileSize(at: file) == nil)
        try Data("12345".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try POSIX.fileSize(at: file) == 5)
        // A path through a regular file is ENOTDIR, not "no file": refused, naming the path.
        #expect(throws: StorageError.failure("cannot stat \(file)/x: Not a directory")) {
            try POSIX.fileSize(at: file + "/x")
        }
    }

    @Test func syncingAFolderRefusesAFileAndNamesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("posix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vault").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        try POSIX.sync(file)
        try POSIX.sync(folder.path, folder: true)
        #expect(throws: StorageError.failure("cannot open the folder \(file): Not a directory")) {
            try POSIX.sync(file, folder: true)
        }
        #expect(throws: StorageError.failure("cannot open \(folder.path)/none: No such file or directory")) {
            try POSIX.sync(folder.path + "/none")
        }
    }
}
