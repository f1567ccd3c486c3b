// The writer of this package's crash tests (StorageConformance's CrashWriter, which says what
// each mode does), on the file and SQLite adapters:
//
// usage: storage-crash-writer file|sqlite PATH TAG [audit]
//        storage-crash-writer vault-file|vault-sqlite PATH TAG [ITERATIONS]

import PasswordVault
import PasswordVaultSQLite
import StorageConformance

await CrashWriter.main(CommandLine.arguments) { kind, path in
    switch kind {
    case "file": return try FileStorage.open(at: path)
    case "sqlite": return try SQLiteStorage.open(at: path)
    default: throw StorageError.failure("no store of kind '\(kind)': file or sqlite")
    }
}
