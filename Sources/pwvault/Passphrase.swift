import Foundation
import PasswordVault

#if canImport(Glibc)
    import Glibc
#endif

/// Where secrets come from when they are not arguments (docs/contract.md §9).
///
/// One convention for every secret: an option `--…-file PATH` reads it from a file, and
/// `PATH` `-` reads it from standard input. A one-line secret (passphrase, password, TOTP seed,
/// URI) is the first line without its line break; notes are the whole content, less one final
/// line break. Arguments are visible to other local users (/proc/PID/cmdline) and land in
/// shell history: the `--…-file` options and prompts exist so that no secret needs to be one.
enum SecretInput {
    /// What `--help` says beside every option that takes a secret as an argument.
    static let argumentWarning =
        "Arguments are visible to other local users (/proc/PID/cmdline) and in shell history"

    /// The secret in `path` (`-`: standard input), its first line or (`wholeContent`) all of it.
    static func read(_ path: String, what: String, wholeContent: Bool = false) throws(CLIFailure) -> SecretBytes {
        var data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw .usage("cannot read the \(what) file \(path)")
            }
            data = contents
        }
        defer { data.resetBytes(in: 0..<data.count) }
        if wholeContent {
            let end = data.last == 0x0A ? data.count - 1 : data.count
            return SecretBytes(data.prefix(end))
        }
        return SecretBytes(data.prefix { $0 != 0x0A && $0 != 0x0D })
    }

    /// Refuses a command line on which two options would read standard input.
    static func claimStandardInputOnce(_ paths: String?...) throws(CLIFailure) {
        guard paths.filter({ $0 == "-" }).count <= 1 else {
            throw .usage("only one option may read standard input (-)")
        }
    }
}

/// Where a passphrase comes from: an environment variable, a file, or a prompt on the terminal.
enum PassphraseSource {
    /// The passphrase from `file` if given (`-`: standard input), else `$variable`, else a no-echo
    /// prompt on the terminal (asked twice when `confirm`). `refuseEmpty`: a new passphrase may not be empty.
    static func read(
        file: String?, variable: String, prompt: String, confirm: Bool = false, refuseEmpty: Bool = false
    ) throws(CLIFailure) -> SecretBytes {
        let passphrase: SecretBytes
        if let file {
            passphrase = try SecretInput.read(file, what: "passphrase")
        } else if let value = ProcessInfo.processInfo.environment[variable] {
            passphrase = SecretBytes(utf8: value)
        } else {
            let missing =
                "no passphrase: set $\(variable), give a passphrase file (- for stdin), or run in a terminal"
            let first = try promptNoEcho(prompt, missing: missing)
            if confirm {
                let second = try promptNoEcho("Repeat it: ", missing: missing)
                guard first == second else { throw .usage("the two passphrases differ") }
            }
            passphrase = first
        }
        if refuseEmpty, passphrase.withUnsafeBytes({ $0.isEmpty }) {
            throw .usage("the passphrase is empty: a vault needs a passphrase")
        }
        return passphrase
    }

    /// Reads a line from the terminal with echo off; a signal meanwhile restores the echo first.
    static func promptNoEcho(_ prompt: String, missing: String) throws(CLIFailure) -> SecretBytes {
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else { throw .usage(missing) }
        defer { close(tty) }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var saved = termios()
        let haveTerminal = tcgetattr(tty, &saved) == 0
        var restore: Int?
        if haveTerminal {
            let original = saved
            restore = CleanUps.shared.add {
                var terminal = original
                tcsetattr(tty, TCSAFLUSH, &terminal)
                _ = write(tty, "\n", 1)
            }
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if haveTerminal { tcsetattr(tty, TCSAFLUSH, &saved) }
            if let restore { CleanUps.shared.remove(restore) }
            _ = write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        defer { _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        var byte: UInt8 = 0
        while Glibc.read(tty, &byte, 1) == 1, byte != 0x0A, byte != 0x0D { bytes.append(byte) }
        return SecretBytes(bytes)
    }
}
