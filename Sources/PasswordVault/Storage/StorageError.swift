/// Failures of a ``VaultStorage``. Every case but ``conflict`` is, to a caller
/// of the wire API, "Unexpected error."; the cause is kept for logs and tests.
/// (``staleHeader`` never reaches a caller: the vault reloads the header and retries.)
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A compare-and-set lost: the record changed (or vanished) since it was read. Nothing was written.
    case conflict
    /// The header generation a write was prepared (sealed) under is no longer the stored one:
    /// another header was written since. Nothing was written; reload the header and retry.
    case staleHeader
    /// The audit trail's head is not the one an ``AuditAppend`` chained its records after:
    /// another writer appended records since. Nothing was written; read the head and chain again.
    case auditHeadMoved
    /// An identifier, username or group name is already taken.
    case duplicate(String)
    /// Something the operation needs does not exist.
    case notFound(String)
    /// The store's contents are damaged or not a vault (a torn file, a foreign database).
    case corrupted(String)
    /// The store is busy (locked by another process) beyond the retry budget.
    case busy(String)
    /// An I/O or database failure, with its cause.
    case failure(String)

    /// A description that never shows secret material.
    public var description: String {
        switch self {
        case .conflict: "the record was changed concurrently"
        case .staleHeader: "the vault header was changed concurrently"
        case .auditHeadMoved: "the audit trail was appended to concurrently"
        case .duplicate(let what): "already exists: \(what)"
        case .notFound(let what): "not found: \(what)"
        case .corrupted(let why): "the store is corrupted or not a vault: \(why)"
        case .busy(let why): "the store is busy: \(why)"
        case .failure(let why): "storage failure: \(why)"
        }
    }
}
