import Foundation
import PasswordVault
import Testing

/// `secret_key` through `pwvault` (docs/contract.md §5, §8, §9, §16): `reveal --field secret-key`
/// prints what GET one shows, an hotp URI is refused, and the period range is the library's.
extension VaultCommandTests {
    /// GET one's `secret_key` for entry `id`, through `pwvault api`.
    func wireSecretKey(_ id: String) throws -> String? {
        let got = try pw("api", "GET", "api/mysafe/password/\(id)", "--as", "npass")
        #expect(got.status == 0, "\(got.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(got.stdout.utf8)) as? [String: Any]
        return (answer?["password_entity"] as? [String: Any])?["secret_key"] as? String
    }

    @Test func revealPrintsTheSecretKeyAsGetOneDoes() throws {
        try makeVault()
        let cases: [(sent: String, shown: String)] = [
            ("jbsw y3dp ehpk 3pxp", "JBSWY3DPEHPK3PXP"),
            (
                "otpauth://totp/ACME%20Co:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512&digits=7&period=45&issuer=ACME%20Co&image=x",
                "otpauth://totp/ACME%20Co:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA512&digits=7&period=45&image=x"
            ),
        ]
        for (index, item) in cases.enumerated() {
            let created = try pw(
                "create", "--as", "npass", "--name", "n\(index)", "--username", "u", "--password", "p",
                "--secret-key-file", "-", stdin: item.sent + "\n")
            #expect(created.status == 0, "\(created.stderr)")
            let id = "\(index + 1)"
            let revealed = try pw("reveal", id, "--as", "npass", "--field", "secret-key")
            #expect(revealed.status == 0)
            #expect(revealed.stdout == item.shown + "\n")
            #expect(try wireSecretKey(id) == item.shown)
            // The code is the key's own (SHA-512, 7 digits, 45 s steps for the URI).
            let code = try pw(
                "code", item.shown.hasPrefix("otpauth:") ? "--uri" : "--secret", item.shown, "--time", "1700000000")
            let totp = try pw("totp", id, "--as", "npass", "--time", "1700000000")
            #expect(code.status == 0 && totp.status == 0)
            #expect(code.stdout == totp.stdout)
            #expect(totp.stdout.count == (index == 0 ? 7 : 8))
        }
    }

    @Test func createRefusesAnHOTPURI() throws {
        try makeVault()
        let run = try pw(
            "create", "--as", "npass", "--name", "n", "--username", "u", "--password", "p", "--secret-key",
            "otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=5")
        #expect(run.status == 1)
        #expect(run.stderr == "1002: Parameter 'secret_key' is invalid: not a usable otpauth URI: not a totp URI\n")
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass")
        #expect(listed.stdout.contains(#""password_on_list":[]"#))
    }

    @Test(arguments: [
        ("0", "the period must be a positive number of seconds, not 0"), ("1", nil), ("4294967295", nil),
        ("4294967296", "the period must be at most 4294967295 seconds, not 4294967296"),
    ])
    func createAcceptsTheLibrarysPeriodRange(period: String, reason: String?) throws {
        try makeVault()
        let uri = "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=\(period)"
        let run = try pw(
            "create", "--as", "npass", "--name", "n", "--username", "u", "--password", "p", "--secret-key", uri)
        if let reason {
            #expect(run.status == 1)
            #expect(run.stderr == "1002: Parameter 'secret_key' is invalid: not a usable otpauth URI: \(reason)\n")
        } else {
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                try wireSecretKey("1")
                    == "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=\(period)")
        }
    }
}

extension CodeCommandTests {
    /// (period, the code of JBSWY3DPEHPK3PXP at t = 59 s, or the refusal).
    static let periodBounds: [(period: String, code: String?, uriRefusal: String?)] = [
        ("0", nil, "pwvault: invalid URI: the period must be a positive number of seconds, not 0\n"),
        ("1", "663767\n", nil),
        ("4294967295", "282760\n", nil),
        ("4294967296", nil, "pwvault: invalid URI: the period must be at most 4294967295 seconds, not 4294967296\n"),
    ]

    @Test(arguments: periodBounds)
    func acceptsTheLibrarysPeriodRange(period: String, code: String?, uriRefusal: String?) throws {
        let secret = try PWVaultRun.run(["code", "--secret", "JBSWY3DPEHPK3PXP", "--period", period, "--time", "59"])
        let uri = try PWVaultRun.run([
            "code", "--uri", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=\(period)", "--time", "59",
        ])
        if let code {
            #expect(secret.status == 0 && uri.status == 0)
            #expect(secret.stdout == code && uri.stdout == code)
        } else {
            // An option out of range is a usage error (2); a URI the library refuses is 1.
            #expect(secret.status == 2)
            #expect(secret.stderr.hasPrefix("Error: --period must be from 1 to 4294967295 seconds.\n"))
            #expect(uri.status == 1)
            #expect(uri.stderr == uriRefusal)
        }
    }
}
