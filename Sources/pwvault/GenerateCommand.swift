import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault generate`: random passwords under a policy (docs/contract.md §10), one per line on stdout.
///
/// Exit status: 0 on success; 2 on a usage error, a policy that cannot be met included (the
/// reason on stderr; see `PWVault.main()`).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate random passwords, one per line.",
        discussion: """
            Every chosen class is present at least once. Symbols are the 32 ASCII punctuation \
            characters !"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~. Randomness comes from libsodium.
            """)

    @Option(
        help:
            "Characters per password, \(PasswordPolicy.lengthRange.lowerBound)–\(PasswordPolicy.lengthRange.upperBound)."
    )
    var length: Int = 20

    @Flag(name: .customLong("no-lowercase"), help: "Leave out a–z.")
    var noLowercase = false

    @Flag(name: .customLong("no-uppercase"), help: "Leave out A–Z.")
    var noUppercase = false

    @Flag(name: .customLong("no-digits"), help: "Leave out 0–9.")
    var noDigits = false

    @Flag(name: .customLong("no-symbols"), help: "Leave out the symbols.")
    var noSymbols = false

    @Flag(name: .customLong("exclude-similar"), help: "Leave out look-alikes: 0 O o 1 l I |.")
    var excludeSimilar = false

    @Option(name: .customLong("exclude"), help: ArgumentHelp("Further characters to leave out.", valueName: "chars"))
    var excluded: String = ""

    @Option(help: "How many passwords to print.")
    var count: Int = 1

    @Flag(help: "Print the policy's entropy in bits on stderr.")
    var entropy = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, not \(count).") }
        // A policy that cannot be met comes from the options alone: a usage error (docs/contract.md §9).
        do { try policy.validate() } catch { throw ValidationError("\(error)") }
    }

    var policy: PasswordPolicy {
        PasswordPolicy(
            length: length, lowercase: !noLowercase, uppercase: !noUppercase, digits: !noDigits, symbols: !noSymbols,
            excludeLookAlikes: excludeSimilar, excludedCharacters: Set(excluded))
    }

    func run() throws {
        let policy = policy
        if entropy {
            FileHandle.standardError.write(Data("entropy: \(String(format: "%.2f", policy.entropyBits)) bits\n".utf8))
        }
        for _ in 0..<count {
            let password = try PasswordGenerator.generate(policy)
            // Straight from the secret buffer to stdout: no String copy of the password.
            try password.withUnsafeBytes { try FileHandle.standardOutput.write(contentsOf: $0) }
            try FileHandle.standardOutput.write(contentsOf: [0x0A])
        }
    }
}
