import GRDB
import PasswordVault

extension StorageError {
    /// Converts any error met while talking to SQLite. A `StorageError` passes
    /// through; a GRDB `DatabaseError` keeps SQLite's code and message only — never
    /// the statement's arguments, which may be sealed bytes.
    init(_ error: any Error) {
        switch error {
        case let error as StorageError:
            self = error
        case let error as DatabaseError:
            let message = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "no message")"
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy(message)
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: self = .corrupted(message)
            default: self = .failure(message)
            }
        case is CancellationError:
            self = .failure("the operation was cancelled")
        default:
            self = .failure("unexpected \(type(of: error))")
        }
    }

    /// Whether waiting and retrying may help.
    var isBusy: Bool {
        if case .busy = self { return true }
        return false
    }
}
