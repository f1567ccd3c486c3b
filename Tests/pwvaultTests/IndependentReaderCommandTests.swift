import Foundation
import Testing

/// A vault made by the `pwvault` binary — the command line's default SQLite file — read back
/// by `Tools/independent-reader/read_vault.py`, which knows only docs/format.md, after a key
/// rotation and a passphrase change (docs/contract.md §9, §16). Without python3 or PyNaCl
/// (`make test` installs it) the test fails.
@Suite("pwvault vaults read by the independent reader")
struct IndependentReaderCommandTests {
    @Test func readerRecoversWhatPwvaultStored() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pwvault-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vault.db").path
        var env = ["PWVAULT_PATH": path, "PWVAULT_PASSPHRASE": "première phrase ✓"]
        func pw(_ arguments: String..., stdin: String = "") throws -> PWVaultRun {
            let run = try PWVaultRun.run(arguments, stdin: stdin, environment: env)
            #expect(run.status == 0, "pwvault \(arguments.joined(separator: " ")): \(run.stderr)")
            return run
        }

        _ = try pw("init", "--cost", "minimum")
        _ = try pw("user", "add", "alice", "--id", "1")
        _ = try pw("user", "add", "zoë", "--id", "5")
        let rich = #"""
            {"name": "Café ☕", "username": "zoë@example.com", "password": " spaced pässwörd 🔑 ",
             "url": "https://例え.jp", "notes": "two\nlines ✓", "tags": "ünï, b",
             "secret_key": "otpauth://totp/Example%20%E2%9C%93:alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&period=60&issuer=Example%20%E2%9C%93&lock=true",
             "users_allowed": [{"username": "zoë", "can_edit": true}]}
            """#
        _ = try pw("api", "POST", "api/mysafe/password", "--as", "alice", stdin: rich)
        _ = try pw("rotate-key")
        _ = try pw(
            "api", "POST", "api/mysafe/password", "--as", "alice",
            stdin: #"{"name": "plain", "username": "u", "password": "p"}"#)
        env["PWVAULT_NEW_PASSPHRASE"] = "deuxième phrase ✓"
        _ = try pw("passwd", "--cost", "minimum")

        let passphraseFile = folder.appendingPathComponent("passphrase").path
        try Data("deuxième phrase ✓\n".utf8).write(to: URL(fileURLWithPath: passphraseFile))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tools/independent-reader/read_vault.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path, "--passphrase-file", passphraseFile]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "read_vault.py: \(String(decoding: err, as: UTF8.self))")

        let vault = try #require(try JSONSerialization.jsonObject(with: out) as? [String: Any])
        #expect(vault["container"] as? String == "sqlite")
        #expect(vault["data_key_ids"] as? [Int] == [2])
        let entries = try #require(vault["entries"] as? [[String: Any]])
        try #require(entries.count == 2)
        let first = entries[0], second = entries[1]
        // Exact scalars: Swift's String == would also accept another normalisation.
        func scalars(_ value: Any?) -> [UInt32]? { (value as? String).map { $0.unicodeScalars.map(\.value) } }
        #expect(scalars(first["name"]) == scalars("Café ☕"))
        #expect(scalars(first["username"]) == scalars("zoë@example.com"))
        #expect(scalars(first["password"]) == scalars(" spaced pässwörd 🔑 "))
        #expect(scalars(first["url"]) == scalars("https://例え.jp"))
        #expect(scalars(first["notes"]) == scalars("two\nlines ✓"))
        #expect(first["tags"] as? [String] == ["ünï", "b"])
        #expect(first["owner"] as? Int == 1)
        let shares = try #require(first["users_allowed"] as? [[String: Any]])
        #expect(
            shares.count == 1 && shares[0]["username"] as? String == "zoë" && shares[0]["can_edit"] as? Bool == true)
        // docs/contract.md §13: a share written without can_reveal reveals; no policy is on.
        #expect(shares.first?["can_reveal"] as? Bool == true)
        #expect(first["need_justify"] as? Bool == false && first["need_approval"] as? Int == 0)
        #expect(first["needs_rotation"] as? Bool == false)
        #expect(vault["access_requests"] as? [Any] != nil && (vault["access_requests"] as? [Any])?.isEmpty == true)
        let seed = try #require(first["secret_key"] as? [String: Any])
        #expect(seed["algorithm"] as? String == "sha256")
        #expect(seed["digits"] as? Int == 8)
        #expect(seed["period"] as? Int == 60)
        #expect(seed["t0"] as? Int == 0)
        #expect(seed["seed_base32"] as? String == "JBSWY3DPEHPK3PXP")
        // Layout 2: the URI with its label, issuer and every parameter, as GET one shows it.
        let uri =
            "otpauth://totp/Example%20%E2%9C%93:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example%20%E2%9C%93"
            + "&algorithm=SHA256&digits=8&period=60&lock=true"
        #expect(seed["uri"] as? String == uri)
        env["PWVAULT_PASSPHRASE"] = "deuxième phrase ✓"
        #expect(try pw("reveal", "1", "--as", "alice", "--field", "secret-key").stdout == uri + "\n")
        // The rotation resealed the first entry (version 2), the second was made after it.
        #expect(first["version"] as? Int == 2)
        #expect(first["key_ids"] as? [String: Int] == ["password": 2, "notes": 2, "secret_key": 2])
        #expect(second["name"] as? String == "plain" && second["password"] as? String == "p")
        #expect(second["notes"] is NSNull && second["secret_key"] is NSNull)
        #expect(second["version"] as? Int == 1)
    }
}
