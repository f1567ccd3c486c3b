import Foundation
import PasswordVault

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The writer side of ``CrashHarness`` and ``AuditCrashHarness``: the loop each writer process
/// runs until the harness kills it with SIGKILL. An adapter in another package gets the crash
/// checks by building a small executable of its own whose whole program is
///
/// ```swift
/// import StorageConformance
/// await CrashWriter.main(CommandLine.arguments) { kind, path in try MyStorage.open(at: path) }
/// ```
///
/// and passing that executable's URL as the harness's `writer` (``CrashHarness/writerBinary(named:)``
/// finds it beside the test runner). The harnesses write every argument; an adapter only opens
/// its store at a path (docs/contract.md §7: the store outlives the process).
///
/// The modes, by the first argument:
/// - `KIND PATH TAG [audit]` (``CrashHarness``): insert `CrashRecord.entity(ID, writer: TAG)`
///   (the storage hands out the identifier) and print `done ID`; every fifth entry also add a
///   user and print `user ID`. With `audit`, every write carries its audit record in the same
///   change set, chained after the stored head under the test key.
/// - `vault-KIND PATH TAG [ITERATIONS]` (``AuditCrashHarness``): open the vault as the user TAG
///   and loop — create (`created ID`), reveal (`revealed ID`), update (`updated ID`); with
///   ITERATIONS, start once the file `PATH.go` exists and exit 0 after that many loops.
///
/// Each line is written straight to the file descriptor once the storage or the vault returned:
/// a line the harness reads was acknowledged. `KIND` is the adapter's own name for its store,
/// passed to `open` unchanged (without `vault-`).
public enum CrashWriter {
    /// Runs the writer that `arguments` (the program's `CommandLine.arguments`) name, on the
    /// store `open` opens; never returns: it is killed, or exits 0 at the end of its iterations,
    /// 1 on an error (printed on standard error), 2 on a usage error.
    public static func main(
        _ arguments: [String],
        open: @escaping @Sendable (_ kind: String, _ path: String) async throws -> any VaultStorage
    ) async -> Never {
        let vaultMode = arguments.count >= 2 && arguments[1].hasPrefix("vault-")
        // The fifth argument: `audit` for a store writer, a count of loops (at least 1) for a vault writer.
        let fifthIsValid = arguments.count == 5 && (vaultMode ? (Int(arguments[4]) ?? 0) > 0 : arguments[4] == "audit")
        guard arguments.count == 4 || fifthIsValid else {
            say(
                "usage: \(arguments.first ?? "crash-writer") KIND PATH TAG [audit] | vault-KIND PATH TAG [ITERATIONS]",
                to: 2)
            exit(2)
        }
        let (kind, path, tag) = (arguments[1], arguments[2], arguments[3])
        do {
            if vaultMode {
                let iterations = arguments.count == 5 ? Int(arguments[4]) : nil
                try await runVault(
                    try await open(String(kind.dropFirst("vault-".count)), path), tag: tag, path: path,
                    iterations: iterations)
            } else {
                try await runStore(try await open(kind, path), tag: tag, audited: arguments.count == 5)
            }
        } catch {
            say("error \(error)", to: 2)
            exit(1)
        }
    }

    private static func runStore(_ storage: any VaultStorage, tag: String, audited: Bool) async throws -> Never {
        say("ready")
        var count = 0
        while true {
            let id: EntryID
            if audited {
                let inserted = try await CrashRecord.commitAudited(
                    ChangeSet(entry: .insert { CrashRecord.entity($0, writer: tag) }), to: storage
                ) { CrashRecord.created($0!, writer: tag) }.inserted
                guard let inserted else { throw StorageError.failure("the storage did not return the new entry") }
                id = inserted.identifier
            } else {
                id = try await storage.insert(headerGeneration: nil) { CrashRecord.entity($0, writer: tag) }.identifier
            }
            say("done \(id)")
            count += 1
            if count % 5 == 0 {
                let user = CrashRecord.user(after: id, writer: tag)
                if audited {
                    try await CrashRecord.commitAudited(ChangeSet(directory: .addUser(user)), to: storage) { _ in
                        CrashRecord.userAdded(user)
                    }
                } else {
                    try await storage.addUser(user)
                }
                say("user \(user.id)")
            }
        }
    }

    private static func runVault(
        _ storage: any VaultStorage, tag: String, path: String, iterations: Int?
    ) async throws -> Never {
        let vault = try await Vault.open(storage: storage, credential: AuditCrashHarness.credential)
        guard let user = try await vault.user(named: tag) else {
            say("error no user \(tag)", to: 2)
            exit(1)
        }
        say("ready")
        if iterations != nil {
            while !FileManager.default.fileExists(atPath: path + ".go") { usleep(1_000) }
        }
        var count = 0
        while iterations.map({ count < $0 }) ?? true {
            let request = PasswordRequest(
                name: .value("\(tag) \(count)"), username: .value(tag), password: .value("first \(count)"))
            let id = try await vault.create(request, as: user).entity.identifier
            say("created \(id)")
            _ = try await vault.reveal(id, as: user)
            say("revealed \(id)")
            var change = PasswordRequest()
            change.password = .value("second \(count)")
            _ = try await vault.update(id, change, as: user)
            say("updated \(id)")
            count += 1
        }
        exit(0)
    }

    /// One line, written whole to `fd` before returning; a failed write ends the process (3).
    private static func say(_ line: String, to fd: Int32 = 1) {
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n <= 0 { exit(3) }
            written += n
        }
    }
}
