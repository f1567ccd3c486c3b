import Foundation
import Testing

@Suite("pwvault code")
struct CodeCommandTests {
    /// RFC 6238 Appendix B: (time, algorithm, code), with the seeds below in base32.
    static let rfc6238: [(time: Int64, algorithm: String, code: String)] = [
        (59, "sha1", "94287082"), (59, "sha256", "46119246"), (59, "sha512", "90693936"),
        (1_111_111_109, "sha1", "07081804"), (1_111_111_109, "sha256", "68084774"),
        (1_111_111_109, "sha512", "25091201"),
        (1_111_111_111, "sha1", "14050471"), (1_111_111_111, "sha256", "67062674"),
        (1_111_111_111, "sha512", "99943326"),
        (1_234_567_890, "sha1", "89005924"), (1_234_567_890, "sha256", "91819424"),
        (1_234_567_890, "sha512", "93441116"),
        (2_000_000_000, "sha1", "69279037"), (2_000_000_000, "sha256", "90698825"),
        (2_000_000_000, "sha512", "38618901"),
        (20_000_000_000, "sha1", "65353130"), (20_000_000_000, "sha256", "77737706"),
        (20_000_000_000, "sha512", "47863826"),
    ]

    /// The ASCII seeds "1234567890…" of 20, 32 and 64 bytes (RFC 6238 Appendix A), in base32.
    static let seeds = [
        "sha1": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "sha256": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====",
        "sha512": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            + "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=",
    ]

    @Test(arguments: rfc6238)
    func printsTheRFC6238Codes(time: Int64, algorithm: String, code: String) throws {
        let run = try PWVaultRun.run([
            "code", "--secret", Self.seeds[algorithm]!, "--time", "\(time)", "--digits", "8", "--algorithm", algorithm,
        ])
        #expect(run.status == 0)
        #expect(run.stdout == code + "\n")
        #expect(run.stderr.isEmpty)
    }

    @Test func usesDefaultsAndTheCurrentTime() throws {
        let run = try PWVaultRun.run(["code", "--secret", "jbsw y3dp-ehpk 3pxp", "--time", "1700000000"])
        #expect(run.status == 0)
        #expect(run.stdout == "324550\n")
        let now = try PWVaultRun.run(["code", "--secret", "JBSWY3DPEHPK3PXP"])
        #expect(now.status == 0)
        #expect(
            now.stdout.count == 7 && now.stdout.dropLast().allSatisfy(\.isASCII)
                && now.stdout.dropLast().allSatisfy(\.isNumber))
    }

    @Test func readsKeyURIs() throws {
        let totp = try PWVaultRun.run([
            "code", "--uri", "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=7&period=60",
            "--time", "1700000000",
        ])
        #expect(totp.status == 0)
        #expect(totp.stdout == "1205722\n")  // computed independently with Python's hmac
        let hotp = try PWVaultRun.run([
            "code", "--uri", "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=9",
        ])
        #expect(hotp.status == 0)
        #expect(hotp.stdout == "520489\n")
    }

    static let refusals: [(arguments: [String], stderr: String)] = [
        (["--secret", "JBSWY3DP1HPK3PXP"], "pwvault: invalid secret: invalid character at position 9\n"),
        (["--secret", "JBSWY3DPE"], "pwvault: invalid secret: impossible length of 9 symbols\n"),
        (["--secret", " - "], "pwvault: invalid secret: empty\n"),
        (
            ["--secret", "JBSWY3DPEHPK3PXP", "--time=-1"],
            "pwvault: the time is before the start of the first time step (T0)\n"
        ),
        (["--uri", "https://example.com"], "pwvault: invalid URI: not an otpauth:// URI\n"),
        (["--uri", "otpauth://totp/a?secret=JBSW%3"], "pwvault: invalid URI: invalid percent-encoding\n"),
        (
            ["--uri", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=12"],
            "pwvault: invalid URI: the number of digits must be from 6 to 10, not 12\n"
        ),
    ]

    @Test(arguments: refusals)
    func refusesBadSeedsWithExitStatus1(arguments: [String], stderr: String) throws {
        let run = try PWVaultRun.run(["code"] + arguments)
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == stderr)
    }

    static let usageErrors: [[String]] = [
        [],
        ["--secret", "JBSWY3DPEHPK3PXP", "--uri", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"],
        ["--uri", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", "--digits", "8"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--digits", "5"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--digits", "eight"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--period", "0"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--algorithm", "md5"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--time", "soon"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--time", "99999999999999999999"],
        ["--secret", "JBSWY3DPEHPK3PXP", "--bogus"],
        ["--secret"],
    ]

    @Test(arguments: usageErrors)
    func exitsWith2OnUsageErrors(arguments: [String]) throws {
        let run = try PWVaultRun.run(["code"] + arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("Usage: pwvault code"))
    }

    @Test func neverEchoesTheSecret() throws {
        let run = try PWVaultRun.run(["code", "--secret", "JBSWY3DPEHPK3PX!"])
        #expect(run.status == 1)
        #expect(!run.stderr.contains("JBSWY3DPEHPK3PX"))
        let uri = try PWVaultRun.run(["code", "--uri", "otpauth://totp/a?secret=JBSWY3DPEHPK3PX!"])
        #expect(uri.status == 1)
        #expect(!uri.stderr.contains("JBSWY3DPEHPK3PX"))
    }

    @Test func documentsEveryOption() throws {
        let run = try PWVaultRun.run(["code", "--help"])
        #expect(run.status == 0)
        for option in [
            "--secret <base32>", "--uri <uri>", "--time <unix>", "--digits <digits>", "--algorithm <name>",
            "--period <seconds>",
        ] {
            #expect(run.stdout.contains(option))
        }
        let root = try PWVaultRun.run(["--help"])
        #expect(root.stdout.contains("code"))
    }
}
