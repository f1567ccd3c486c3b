import ArgumentParser
import Foundation
import PasswordVault

/// A failure the command line reports itself: the message on stderr, then the exit status.
///
/// Exit status (docs/contract.md §9): 0 success, 1 a refused request (a 4xx answer,
/// a wrong passphrase), 2 a usage error, 3 the unexpected.
struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var status: Int32

    /// A refused request: the catalogue's message as it stands (`1006: User does not have access`).
    static func refused(_ message: String) -> CLIFailure { CLIFailure(message: message, status: 1) }
    /// A usage error.
    static func usage(_ message: String) -> CLIFailure { CLIFailure(message: "pwvault: \(message)", status: 2) }
    /// Something unexpected (storage, internal).
    static func unexpected(_ message: String) -> CLIFailure { CLIFailure(message: "pwvault: \(message)", status: 3) }

    var description: String { message }

    /// The failure for an error of the library.
    static func from(_ error: any Error) -> CLIFailure {
        switch error {
        case let failure as CLIFailure: return failure
        case let error as VaultError:
            // `description` is "Unexpected error. (cause)" for a 500: printed once, not wrapped again.
            return error.code == 500 ? .unexpected(error.description) : .refused(error.message)
        case let error as DirectoryError:
            if case .unexpected = error { return .unexpected(error.message) }
            return .refused("pwvault: \(error.message)")
        case let error as CryptoError:
            switch error {
            case .wrongPassphraseOrKey: return .refused("pwvault: \(error.description)")
            default: return .unexpected(error.description)
            }
        case let error as VaultKeyError:
            switch error {
            // A refused request: the wrong credential, or a conflict with another writer (§9: exit 1).
            case .wrongPassphraseOrKey, .conflict: return .refused("pwvault: \(error.description)")
            default: return .unexpected(error.description)
            }
        case let error as StorageError: return .unexpected(error.description)
        default: return .unexpected("\(error)")
        }
    }
}

/// Writes a line on stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
