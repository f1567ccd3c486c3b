import Foundation
import PasswordVault
import Testing

@testable import PasswordVaultInterchange

/// Against the real KeePassXC (docs/contract.md §15): databases `keepassxc-cli` makes import with
/// every field, and what we write opens in it with the same values and TOTP codes.
@Suite("KeePassXC interop", .serialized)
struct KeePassXCInteropTests {
    static let importXML = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <KeePassFile><Meta><Generator>test</Generator></Meta><Root><Group>
        <UUID>oWsPubPuRJKT0nrmOvQpfg==</UUID><Name>Root</Name>
        <Entry><UUID>UpSZuzHJTGSn3Gpf/GjuPg==</UUID><IconID>0</IconID><Tags>alpha;beta</Tags>
        <Times><LastModificationTime>2021-03-04T05:06:07Z</LastModificationTime></Times>
        <String><Key>Title</Key><Value>Köln</Value></String>
        <String><Key>UserName</Key><Value>ülrich</Value></String>
        <String><Key>Password</Key><Value ProtectInMemory="True">pä&amp;ss&lt;</Value></String>
        <String><Key>URL</Key><Value>https://köln.example/?a=1&amp;b=2</Value></String>
        <String><Key>Notes</Key><Value>first
        second</Value></String>
        <String><Key>otp</Key><Value ProtectInMemory="True">otpauth://totp/Issuer:ulrich?\
        secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&amp;period=60&amp;digits=8&amp;issuer=Issuer&amp;algorithm=SHA256\
        </Value></String>
        <History><Entry><UUID>UpSZuzHJTGSn3Gpf/GjuPg==</UUID>
        <Times><LastModificationTime>2019-12-31T23:59:59Z</LastModificationTime></Times>
        <String><Key>Title</Key><Value>Köln</Value></String>
        <String><Key>Password</Key><Value>old</Value></String></Entry></History>
        </Entry>
        <Group><UUID>AWsPubPuRJKT0nrmOvQpfg==</UUID><Name>Work</Name>
        <Entry><UUID>ApSZuzHJTGSn3Gpf/GjuPg==</UUID><IconID>12</IconID>
        <Times><Expires>True</Expires><ExpiryTime>2030-01-01T00:00:00Z</ExpiryTime></Times>
        <String><Key>Title</Key><Value>Legacy</Value></String>
        <String><Key>UserName</Key><Value>bob</Value></String>
        <String><Key>Password</Key><Value>pw</Value></String>
        <String><Key>TOTP Seed</Key><Value>JBSWY3DPEHPK3PXP</Value></String>
        <String><Key>TOTP Settings</Key><Value>30;7</Value></String>
        <String><Key>Pin</Key><Value>1234</Value></String>
        </Entry></Group></Group></Root></KeePassFile>
        """

    /// `db-create`, `mkdir`, `add`: KeePassXC 2.7.4 writes KDBX 3.1 (AES-256, AES-KDF, Salsa20).
    @Test func databaseMadeByCLIImports() throws {
        let started = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cli.kdbx").path
        try KeePassXC.ok(["db-create", "-q", "-p", "-t", "100", file], input: "file pass\nfile pass\n")
        try KeePassXC.ok(
            [
                "add", "-q", "-u", "alice@example.com", "--url", "https://mail.example", "--notes", "note ✓", "-p",
                file,
                "Mail",
            ],
            input: "file pass\nfirst ünï\n")
        // `edit` keeps the entry as it was in its KDBX History.
        try KeePassXC.ok(["edit", "-q", "-p", file, "Mail"], input: "file pass\ns3cret ünï\n")
        try KeePassXC.ok(["mkdir", "-q", file, "Work"], input: "file pass\n")
        try KeePassXC.ok(["mkdir", "-q", file, "Work/Bank"], input: "file pass\n")
        try KeePassXC.ok(["add", "-q", "-u", "bob", "-p", file, "Work/Bank/Login"], input: "file pass\npin 42\n")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        let database = try KDBXReader.read(bytes, passphrase: "file pass")
        #expect(database.version.major == 3 && database.version.minor == 1)
        #expect(database.cipher == .aes256)
        guard case .aesKDF = database.kdf else {
            Issue.record("expected AES-KDF, got \(database.kdf)")
            return
        }
        #expect(database.entries.count == 2)
        let mail = try #require(database.entries.first { $0.name == "Mail" })
        #expect(mail.username == "alice@example.com")
        #expect(mail.password == "s3cret ünï")
        #expect(mail.url == "https://mail.example")
        #expect(mail.notes == "note ✓")
        #expect(mail.tags.isEmpty)
        // KeePassXC stamps what `add` makes with the time of the call; KDBX 3.1 writes it as text.
        let changedAt = try #require(mail.changedAt)
        #expect(changedAt >= started && changedAt <= Date())
        #expect(mail.history.map(\.password) == ["first ünï"])
        #expect(mail.history.map(\.username) == ["alice@example.com"])
        let olderAt = try #require(mail.history.first?.changedAt)
        #expect(olderAt >= started && olderAt <= changedAt)
        let login = try #require(database.entries.first { $0.name == "Login" })
        #expect(login.password == "pin 42")
        #expect(login.tags == ["Work/Bank"])
        #expect(throws: InterchangeError.wrongPassphrase) { try KDBXReader.read(bytes, passphrase: "wrong") }
    }

    /// `import` of an XML document: every field, TOTP (otp URI and the older fields), history,
    /// and what has no place reported.
    @Test func everyFieldImports() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let xml = directory.appendingPathComponent("in.xml")
        try Data(Self.importXML.utf8).write(to: xml)
        let file = directory.appendingPathComponent("xml.kdbx").path
        try KeePassXC.ok(["import", "-q", "-p", "-t", "100", xml.path, file], input: "pw\npw\n")
        let database = try KDBXReader.read(
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))), passphrase: "pw")
        let koeln = try #require(database.entries.first)
        #expect(koeln.name == "Köln")
        #expect(koeln.username == "ülrich")
        #expect(koeln.password == "pä&ss<")
        #expect(koeln.url == "https://köln.example/?a=1&b=2")
        #expect(koeln.notes == "first\nsecond")
        #expect(koeln.tags == ["alpha", "beta"])
        #expect(koeln.history.count == 1)
        #expect(koeln.history.first?.password == "old")
        // The times KeePassXC read from the XML and wrote into its KDBX 3.1 file, to the second.
        #expect(database.version.major == 3)
        #expect(koeln.changedAt == Date(timeIntervalSince1970: 1_614_834_367))  // 2021-03-04T05:06:07Z
        #expect(koeln.history.first?.changedAt == Date(timeIntervalSince1970: 1_577_836_799))  // 2019-12-31T23:59:59Z
        let uri = try #require(koeln.secretKey)
        #expect(uri.hasPrefix("otpauth://totp/"))
        let legacy = try #require(database.entries.last)
        #expect(legacy.tags == ["Work"])
        #expect(legacy.unmapped == ["custom field 'Pin'", "expiry date", "icon"])
        let key = try #require(legacy.secretKey)
        #expect(key.contains("secret=JBSWY3DPEHPK3PXP") && key.contains("digits=7"))
        // The codes agree with KeePassXC's own.
        for (name, entry) in [("Köln", koeln), ("Work/Legacy", legacy)] {
            let before = try code(of: entry.secretKey!)
            let theirs = try KeePassXC.ok(["show", "-q", "-t", file, name], input: "pw\n")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let after = try code(of: entry.secretKey!)
            #expect(theirs == before || theirs == after, "\(name)")
        }
    }

    /// Each KDF and cipher we write opens in KeePassXC: `ls`, `show -s`, `show -t`.
    @Test(arguments: [
        KDBXWriter.Options(),
        KDBXWriter.Options(cipher: .aes256, kdf: .argon2d(memory: 8 << 20, iterations: 2, parallelism: 2)),
        KDBXWriter.Options(cipher: .chaCha20, kdf: .aesKDF(rounds: 10_000)),
        KDBXWriter.Options(cipher: .aes256, kdf: .argon2id(memory: 8 << 20, iterations: 1, parallelism: 1)),
    ])
    func ourExportOpensInKeePassXC(options: KDBXWriter.Options) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let entries = [
            InterchangeEntry(
                name: "Mail ✉", username: "alice@example.com", password: "s3cret <&> \"'", url: "https://m.example",
                notes: "line 1\nline 2 — ü", tags: ["work", "mail"], secretKey: "JBSWY3DPEHPK3PXP",
                changedAt: Date(timeIntervalSince1970: 1_614_834_367)),
            InterchangeEntry(
                name: "Bank", username: "bob", password: "pin",
                secretKey: "otpauth://totp/Bank:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8&period=60",
                changedAt: Date(timeIntervalSince1970: 946_684_800)),
        ]
        let file = directory.appendingPathComponent("ours.kdbx").path
        try Data(KDBXWriter.write(entries, passphrase: "export pass", options: options))
            .write(to: URL(fileURLWithPath: file))
        let listing = try KeePassXC.ok(["ls", "-q", file], input: "export pass\n")
        #expect(listing.split(separator: "\n").map(String.init) == ["Mail ✉", "Bank"])
        let shown = try KeePassXC.ok(["show", "-q", "-s", file, "Mail ✉"], input: "export pass\n")
        #expect(shown.contains("UserName: alice@example.com\n"))
        #expect(shown.contains("Password: s3cret <&> \"'\n"))
        #expect(shown.contains("URL: https://m.example\n"))
        #expect(shown.contains("Notes: line 1\nline 2 — ü\n"))
        // KeePassXC shows tags sorted.
        #expect(shown.contains("Tags: mail,work\n"))
        for entry in entries {
            let before = try code(of: entry.secretKey!)
            let theirs = try KeePassXC.ok(["show", "-q", "-t", file, entry.name], input: "export pass\n")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let after = try code(of: entry.secretKey!)
            #expect(theirs == before || theirs == after, "\(entry.name)")
        }
        let wrong = try KeePassXC.run(["ls", "-q", file], input: "nope\n")
        #expect(wrong.status != 0)

        // KeePassXC rewrites the file with its own KDBX 4 writer (same cipher and KDF): it reads
        // back with every value and time (KeePassXC's base64 seconds), its new entry too.
        let beforeAdd = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try KeePassXC.ok(
            ["add", "-q", "-u", "carol", "--notes", "by KeePassXC\nsecond line", "-p", file, "Added"],
            input: "export pass\nkx pässword\n")
        let database = try KDBXReader.read(
            try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))), passphrase: "export pass")
        #expect(database.version.major == 4)
        #expect(database.cipher == options.cipher)
        #expect(database.kdf == options.kdf)
        #expect(database.entries.count == 3)
        var expected = entries
        expected[0].tags = ["mail", "work"]  // KeePassXC sorts them
        // A base32 seed is written as the otpauth URI KeePassXC reads.
        expected[0].secretKey = KDBXXMLWriter.otpURI("JBSWY3DPEHPK3PXP", label: "Mail ✉")
        #expect(Array(database.entries.prefix(2)) == expected)
        let added = try #require(database.entries.last)
        #expect(added.name == "Added" && added.username == "carol" && added.password == "kx pässword")
        #expect(added.notes == "by KeePassXC\nsecond line")
        let addedAt = try #require(added.changedAt)
        #expect(addedAt >= beforeAdd && addedAt <= Date())
    }

    /// An export with History (docs/contract.md §15) opens in KeePassXC with the current
    /// values and code, and KeePassXC's own rewrite keeps every older version and its time.
    @Test func ourHistoryOpensInKeePassXC() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func at(_ seconds: TimeInterval) -> Date { Date(timeIntervalSince1970: seconds) }
        let entry = InterchangeEntry(
            name: "Köln — Bank", username: "ulrich", password: "v3 ß", url: "https://bank.example/?a=1&b=2",
            notes: "one\ntwo ✓", tags: ["x"],
            secretKey:
                "otpauth://totp/Bank:u?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=7&period=45",
            changedAt: at(1_700_000_300),
            history: [
                InterchangeEntry(
                    name: "Köln ✉", username: "ülrich", password: "v1 pä<&>ss", notes: "erste Zeile\nzweite",
                    tags: ["x"], secretKey: "otpauth://totp/Acme:u?secret=JBSWY3DPEHPK3PXP&digits=8&period=60",
                    changedAt: at(1_700_000_000)),
                InterchangeEntry(
                    name: "Köln ✉", username: "ülrich", password: "v2 ß", notes: "one\ntwo ✓", tags: ["x"],
                    secretKey: "otpauth://totp/Acme:u?secret=JBSWY3DPEHPK3PXP&digits=8&period=60",
                    changedAt: at(1_700_000_060)),
            ])
        let file = directory.appendingPathComponent("history.kdbx").path
        let options = KDBXWriter.Options(kdf: .argon2id(memory: 8 << 20, iterations: 1, parallelism: 1))
        try Data(KDBXWriter.write([entry], passphrase: "h", options: options)).write(to: URL(fileURLWithPath: file))
        #expect(try KeePassXC.ok(["ls", "-q", file], input: "h\n") == "Köln — Bank\n")
        let shown = try KeePassXC.ok(["show", "-q", "-s", file, "Köln — Bank"], input: "h\n")
        #expect(shown.contains("UserName: ulrich\nPassword: v3 ß\nURL: https://bank.example/?a=1&b=2\n"))
        #expect(shown.contains("Notes: one\ntwo ✓\n"))
        let before = try code(of: entry.secretKey!)
        let theirs = try KeePassXC.ok(["show", "-q", "-t", file, "Köln — Bank"], input: "h\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let after = try code(of: entry.secretKey!)
        #expect(theirs == before || theirs == after)
        #expect(theirs.count == 7)
        // KeePassXC parses our History and writes it back: nothing of it is lost.
        try KeePassXC.ok(["add", "-q", "-u", "carol", "-p", file, "Added"], input: "h\nother\n")
        let database = try KDBXReader.read(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))), passphrase: "h")
        #expect(database.entries.first == entry)
        #expect(database.entries.count == 2)
    }

    /// The current code of a `secret_key` text, by the core's own TOTP.
    func code(of secretKey: String) throws -> String {
        let totp: TOTP
        if secretKey.hasPrefix("otpauth://") {
            totp = try OTPAuthURI(parsing: secretKey).makeTOTP()
        } else {
            totp = try TOTP(secret: Base32.decodeSecret(secretKey))
        }
        return try totp.code(atUnixTime: Int64(Date().timeIntervalSince1970))
    }
}
