import Foundation
import PasswordVault

#if canImport(Glibc)
    import Glibc
#endif

/// Where a passphrase comes from: an environment variable, a file, or a prompt on the terminal.
enum PassphraseSource {
    /// The passphrase from `file` if given, else `$variable`, else a no-echo prompt on the
    /// terminal (asked twice when `confirm`).
    static func read(
        file: String?, variable: String, prompt: String, confirm: Bool = false
    ) throws(CLIFailure) -> SecretBytes {
        if let file {
            guard var data = FileManager.default.contents(atPath: file) else {
                throw .usage("cannot read the passphrase file \(file)")
            }
            defer { data.resetBytes(in: 0..<data.count) }
            // The first line, without its line break.
            let line = data.prefix { $0 != 0x0A && $0 != 0x0D }
            return SecretBytes(line)
        }
        if let value = ProcessInfo.processInfo.environment[variable] {
            return SecretBytes(utf8: value)
        }
        let first = try promptNoEcho(prompt)
        if confirm {
            let second = try promptNoEcho("Repeat it: ")
            guard first == second else { throw .usage("the two passphrases differ") }
        }
        return first
    }

    /// Reads a line from the terminal with echo off.
    static func promptNoEcho(_ prompt: String) throws(CLIFailure) -> SecretBytes {
        let tty = open("/dev/tty", O_RDWR)
        guard tty >= 0 else {
            throw .usage("no passphrase: set the environment variable, give a passphrase file, or run in a terminal")
        }
        defer { close(tty) }
        _ = prompt.withCString { write(tty, $0, strlen($0)) }
        var saved = termios()
        let haveTerminal = tcgetattr(tty, &saved) == 0
        if haveTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(tty, TCSAFLUSH, &silent)
        }
        defer {
            if haveTerminal { tcsetattr(tty, TCSAFLUSH, &saved) }
            _ = write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        defer { _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        var byte: UInt8 = 0
        while Glibc.read(tty, &byte, 1) == 1, byte != 0x0A, byte != 0x0D { bytes.append(byte) }
        return SecretBytes(bytes)
    }
}
