import Foundation
import Testing

@Suite("pwvault generate")
struct GenerateCommandTests {
    static let symbols = Set(##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##)

    func lines(_ run: PWVaultRun) -> [Substring] {
        run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    @Test func printsOneDefaultPasswordPerLine() throws {
        let run = try PWVaultRun.run(["generate"])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let output = lines(run)
        #expect(output.count == 1)
        #expect(output[0].count == 20)
        let password = output[0]
        #expect(password.contains { $0.isLowercase } && password.contains { $0.isUppercase })
        #expect(password.contains { $0.isNumber } && password.contains { Self.symbols.contains($0) })
    }

    @Test func followsThePolicyOptions() throws {
        let run = try PWVaultRun.run([
            "generate", "--length", "32", "--no-symbols", "--no-uppercase", "--exclude-similar", "--exclude", "abc",
            "--count", "50",
        ])
        #expect(run.status == 0)
        let output = lines(run)
        #expect(output.count == 50)
        #expect(Set(output).count == 50)
        for password in output {
            #expect(password.count == 32)
            #expect(password.allSatisfy { ("d"..."z").contains($0) || ("2"..."9").contains($0) })
            #expect(!password.contains { "abcol01".contains($0) })
            #expect(password.contains { $0.isNumber })
        }
    }

    @Test func onlyDigits() throws {
        let run = try PWVaultRun.run(["generate", "--no-lowercase", "--no-uppercase", "--no-symbols", "--length", "6"])
        #expect(run.status == 0)
        let output = lines(run)
        #expect(output.count == 1 && output[0].count == 6 && output[0].allSatisfy { $0.isNumber })
    }

    @Test func printsTheEntropyOnStderr() throws {
        let run = try PWVaultRun.run(["generate", "--entropy", "--count", "2"])
        #expect(run.status == 0)
        #expect(lines(run).count == 2)
        #expect(run.stderr == "entropy: 130.83 bits\n")
    }

    @Test(arguments: [
        (["--length", "3"], "the length must be from 4 to 1024, not 3"),
        (["--length", "2000"], "the length must be from 4 to 1024, not 2000"),
        (
            ["--no-lowercase", "--no-uppercase", "--no-digits", "--no-symbols"],
            "choose at least one character class (lowercase, uppercase, digits, symbols)"
        ),
        (["--exclude", "0123456789"], "every character of the digits class is excluded"),
    ])
    func anImpossiblePolicyIsAUsageError(_ arguments: [String], _ reason: String) throws {
        // docs/contract.md §16: `generate --length 3` is a usage error (exit 2), like `--count 0`.
        let run = try PWVaultRun.run(["generate"] + arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("Error: \(reason)\n"))
    }

    @Test(arguments: [["--count", "0"], ["--length", "many"], ["--bogus"], ["--exclude"], ["surplus"]])
    func usageErrorsExitWithTwo(_ arguments: [String]) throws {
        let run = try PWVaultRun.run(["generate"] + arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("Error:") && run.stderr.contains("Usage: pwvault generate"))
    }

    @Test func helpStillExitsWithZero() throws {
        let run = try PWVaultRun.run(["generate", "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("--exclude-similar"))
    }
}
