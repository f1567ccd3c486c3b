import Foundation
import VaultConsumer

// The consumer's own program: runs the library through its public API in a temporary folder.
let folder = FileManager.default.temporaryDirectory.appending(path: "vault-consumer-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let run = try await ConsumerRun.run(in: folder)
print(
    "PasswordVault \(run.libraryVersion): revealed \(run.revealedPassword.count) characters, a \(run.codeDigits)-digit code, exported \(run.exportedNames), PostgreSQL server \(run.postgresServer), audit trail intact with \(run.auditRecords.map(String.init) ?? "no") records"
)
