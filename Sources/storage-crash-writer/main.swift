// A writer for the crash tests: opens a vault and loops — insert (the storage hands out
// the identifier) the entry `CrashRecord.entity(id, writer: TAG)`, print `done ID`; every
// fifth entry also add a user and print `user ID`. Each line is written straight to
// the file descriptor once the storage has acknowledged the write. The test kills
// it with SIGKILL at a random moment.
//
// With `audit`, every write carries its audit record (CrashRecord.commitAudited), chained
// after the stored head under the test key.
//
// usage: storage-crash-writer file|sqlite PATH TAG [audit]
//        storage-crash-writer vault-file|vault-sqlite PATH TAG [ITERATIONS]   (see runVault)

import Foundation
import PasswordVault
import PasswordVaultSQLite
import StorageConformance

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func say(_ line: String, to fd: Int32 = 1) {
    let bytes = Array((line + "\n").utf8)
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n <= 0 { exit(3) }
        written += n
    }
}

/// `vault-file|vault-sqlite PATH TAG [ITERATIONS]`: opens the vault `AuditCrashHarness` made
/// and loops as the user TAG — create an entry (`created ID`), reveal it (`revealed ID`), update
/// its password (`updated ID`) — each line said once the vault returned, so once the call's
/// audit record is durable; with ITERATIONS, starts looping once the file `PATH.go` exists (so
/// that several writers start together) and exits 0 after that many loops.
func runVault(_ kind: String, path: String, tag: String, iterations: Int?) async throws -> Never {
    let storage: any VaultStorage =
        kind == "vault-file" ? try FileStorage.open(at: path) : try SQLiteStorage.open(at: path)
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

let arguments = CommandLine.arguments
let kinds = ["file", "sqlite", "vault-file", "vault-sqlite"]
guard arguments.count >= 4, kinds.contains(arguments[1]),
    arguments.count == 4 || (arguments.count == 5 && (arguments[1].hasPrefix("vault-") || arguments[4] == "audit"))
else {
    say(
        "usage: storage-crash-writer file|sqlite PATH TAG [audit] | vault-file|vault-sqlite PATH TAG [ITERATIONS]",
        to: 2)
    exit(2)
}
let (kind, path, tag, audited) = (arguments[1], arguments[2], arguments[3], arguments.count == 5)

if kind.hasPrefix("vault-") {
    do {
        try await runVault(kind, path: path, tag: tag, iterations: arguments.count == 5 ? Int(arguments[4]) : nil)
    } catch {
        say("error \(error)", to: 2)
        exit(1)
    }
}

do {
    let storage: any VaultStorage =
        kind == "file" ? try FileStorage.open(at: path) : try SQLiteStorage.open(at: path)
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
} catch {
    say("error \(error)", to: 2)
    exit(1)
}
