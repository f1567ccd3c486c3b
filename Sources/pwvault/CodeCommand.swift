import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault code`: the one-time code of a TOTP seed or an `otpauth://` key URI, alone on stdout.
///
/// Exit status (docs/contract.md §9): 0 with the code printed; 1 when the seed or URI is refused
/// (the reason on stderr as `pwvault: …`); 2 on a usage error.
struct CodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        abstract: "Print the one-time code of a TOTP seed or an otpauth:// key URI.",
        discussion: """
            With --secret, the code is TOTP (RFC 6238) with the given or default parameters. \
            With --uri, the URI's own algorithm, digits and period apply; an hotp URI prints \
            the code of its counter and ignores --time. A negative time is written --time=-5.
            """)

    @Option(
        help: ArgumentHelp(
            "The TOTP seed in base32 (any case; spaces and dashes are ignored). \(SecretInput.argumentWarning): prefer --secret-file.",
            valueName: "base32"))
    var secret: String?

    @Option(
        name: .customLong("secret-file"),
        help: ArgumentHelp("Read the base32 seed from the first line of this file, - for stdin.", valueName: "path"))
    var secretFile: String?

    @Option(
        help: ArgumentHelp(
            "An otpauth://totp/… or otpauth://hotp/… key URI, instead of --secret. \(SecretInput.argumentWarning): prefer --uri-file.",
            valueName: "uri"))
    var uri: String?

    @Option(
        name: .customLong("uri-file"),
        help: ArgumentHelp("Read the key URI from the first line of this file, - for stdin.", valueName: "path"))
    var uriFile: String?

    @Option(help: ArgumentHelp("The Unix time in seconds to compute the code for (default: now).", valueName: "unix"))
    var time: Int64?

    @Option(help: "The number of digits, 6 to 10 (default: 6; only with --secret).")
    var digits: Int?

    @Option(
        help: ArgumentHelp(
            "The HMAC hash: sha1, sha256 or sha512 (default: sha1; only with --secret).", valueName: "name"))
    var algorithm: String?

    @Option(
        help: ArgumentHelp(
            "The time step in seconds, 1 to 4294967295 (default: 30; only with --secret).", valueName: "seconds"))
    var period: Int?

    func validate() throws {
        if secret != nil, secretFile != nil { throw ValidationError("Give --secret or --secret-file, not both.") }
        if uri != nil, uriFile != nil { throw ValidationError("Give --uri or --uri-file, not both.") }
        if secretFile == "-", uriFile == "-" { throw ValidationError("Only one option may read standard input (-).") }
        switch (secret ?? secretFile, uri ?? uriFile) {
        case (nil, nil): throw ValidationError("Give --secret or --uri.")
        case (.some, .some): throw ValidationError("Give either --secret or --uri, not both.")
        case (nil, .some):
            if digits != nil || algorithm != nil || period != nil {
                throw ValidationError("--digits, --algorithm and --period apply to --secret only; the URI sets them.")
            }
        case (.some, nil): break
        }
        if let digits, !HOTP.allowedDigits.contains(digits) {
            throw ValidationError("--digits must be from 6 to 10.")
        }
        // The library's range, the same as the vault's and the wire's (docs/contract.md §5, §16).
        if let period, !TOTP.allowedPeriods.contains(period) {
            throw ValidationError("--period must be from 1 to \(TOTP.allowedPeriods.upperBound) seconds.")
        }
        if let algorithm, OTPAlgorithm(name: algorithm) == nil {
            throw ValidationError("--algorithm must be sha1, sha256 or sha512.")
        }
    }

    func run() throws {
        do {
            print(try code())
        } catch {
            FileHandle.standardError.write(Data("pwvault: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// A seed, URI or time the library refuses, with a reason free of secret material.
    struct Refusal: Error {
        var message: String
    }

    /// The code for the options, already validated as to their form.
    private func code() throws(Refusal) -> String {
        do {
            if let uri = try uri ?? uriFile.map(Self.firstLine) {
                let key: OTPAuthURI
                do { key = try OTPAuthURI(parsing: uri) } catch { throw Refusal(message: "invalid URI: \(error)") }
                if case .hotp(let counter) = key.kind { return try key.makeHOTP().code(counter: counter) }
                return try at(key.makeTOTP())
            }
            let seed: SecretBytes
            let text = try secret ?? secretFile.map(Self.firstLine) ?? ""
            do { seed = try Base32.decodeSecret(text) } catch {
                throw Refusal(message: "invalid secret: \(error)")
            }
            let algorithm = algorithm.flatMap(OTPAlgorithm.init(name:)) ?? .sha1
            return try at(TOTP(secret: seed, algorithm: algorithm, digits: digits ?? 6, period: period ?? 30))
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(message: "\(error)")
        }
    }

    /// The first line of a secret file (`-`: stdin).
    private static func firstLine(_ path: String) throws -> String {
        do {
            return try SecretInput.read(path, what: "secret").revealUTF8() ?? ""
        } catch {
            throw Refusal(message: error.message.replacingOccurrences(of: "pwvault: ", with: ""))
        }
    }

    /// The TOTP code at `--time`, or now.
    private func at(_ totp: TOTP) throws(OTPError) -> String {
        if let time { return try totp.code(atUnixTime: time) }
        return try totp.code(at: Date())
    }
}
