import Foundation
import PasswordVault
import PasswordVaultInterchange
import PasswordVaultPostgres
import PasswordVaultSQLite

/// What a linking program does with the library, through its public API only: a SQLite vault
/// with a user, an entry with a TOTP seed revealed and its code computed, a Bitwarden JSON export
/// read back, and a PostgreSQL configuration parsed (no server is needed for that).
public struct ConsumerRun: Sendable, Equatable {
    /// The library's version as the linked product states it.
    public var libraryVersion: String
    /// The password revealed after the vault was closed and opened again.
    public var revealedPassword: String
    /// The digits of the current TOTP code.
    public var codeDigits: Int
    /// The entries a Bitwarden JSON export held, read back.
    public var exportedNames: [String]
    /// The server a PostgreSQL URL names.
    public var postgresServer: String
    /// Whether the audit trail verified intact, and its record count.
    public var auditRecords: UInt64?

    /// Runs it all in `folder` (which must exist and be empty).
    public static func run(in folder: URL) async throws -> ConsumerRun {
        let path = folder.appending(path: "consumer.vault").path
        let credential = VaultCredential.passphrase(SecretBytes(utf8: "a consumer's passphrase"))
        let vault = try await Vault.create(
            storage: try SQLiteStorage.create(at: path), credential: credential, cost: .minimum)
        let alice = try await vault.addUser(named: "alice")
        var request = PasswordRequest(name: "mail", username: "alice@example.com", password: "s3cret!")
        request.secretKey = "JBSWY3DPEHPK3PXP"
        let id = try await vault.create(request, as: alice).entity.identifier

        let reopened = try await Vault.open(storage: try SQLiteStorage.open(at: path), credential: credential)
        let password = try await reopened.revealPassword(id, as: alice)
        let code = try await reopened.code(id, as: alice)
        let selection = try await reopened.selectForExport(as: alice)
        let exported = try BitwardenJSON.read(BitwardenJSON.write(selection.entries))
        let verdict = try await reopened.verifyAudit()
        var records: UInt64?
        if case .intact(let count) = verdict { records = count }
        let postgres = try PostgresConfiguration(url: "postgres://vault@db.example.com:5432/vault")
        return ConsumerRun(
            libraryVersion: PasswordVaultInfo.version, revealedPassword: password.revealUTF8() ?? "",
            codeDigits: code?.count ?? 0, exportedNames: exported.map(\.name), postgresServer: postgres.server,
            auditRecords: records)
    }
}
