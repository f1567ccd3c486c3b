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

let arguments = CommandLine.arguments
guard arguments.count == 4 || (arguments.count == 5 && arguments[4] == "audit"),
    ["file", "sqlite"].contains(arguments[1])
else {
    say("usage: storage-crash-writer file|sqlite PATH TAG [audit]", to: 2)
    exit(2)
}
let (kind, path, tag, audited) = (arguments[1], arguments[2], arguments[3], arguments.count == 5)

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
