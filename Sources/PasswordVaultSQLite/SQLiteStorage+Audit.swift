public import PasswordVault

// PLACEHOLDER on branch `audit` only (never merged to main in this state): the SQLite helper
// replaces this file with the audit tables (migration v4).
extension SQLiteStorage {
    /// See ``VaultStorage/auditHead()``.
    public func auditHead() async throws(StorageError) -> AuditHead {
        throw .failure("the audit trail is not stored yet")
    }

    /// See ``VaultStorage/auditRecords(_:)``.
    public func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        throw .failure("the audit trail is not stored yet")
    }
}
