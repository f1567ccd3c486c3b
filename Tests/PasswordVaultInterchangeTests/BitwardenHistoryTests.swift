import Foundation
import PasswordVault
import Testing

@testable import PasswordVaultInterchange

/// Bitwarden JSON's `passwordHistory` ↔ our history (docs/contract.md §15, §11), for those who
/// may reveal old versions (§11, §13), each read and the export's count on the trail (§12).
@Suite("Bitwarden password history")
struct BitwardenHistoryTests {
    static func at(_ seconds: TimeInterval) -> Date { Date(timeIntervalSince1970: seconds) }

    /// The item of `file` at `index`, parsed.
    static func item(_ file: [UInt8], _ index: Int = 0) throws -> [String: Any] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(file)) as? [String: Any])
        let items = try #require(root["items"] as? [[String: Any]])
        return items[index]
    }

    /// One earlier password per version whose password the next version changed, dated when
    /// it was replaced, newest first; "café" in NFC then NFD is a change (compared by scalars).
    @Test func writesEarlierPasswordsNewestFirst() throws {
        let nfc = "caf\u{E9} ✓"
        let nfd = "cafe\u{301} ✓"
        let history = [
            InterchangeEntry(name: "Bank", username: "u", password: "ältest\n", changedAt: Self.at(1_600_000_000.5)),
            InterchangeEntry(name: "Bank", username: "u", password: nfc, changedAt: Self.at(1_600_000_100.25)),
            InterchangeEntry(name: "Bank ✉", username: "u", password: nfc, changedAt: Self.at(1_600_000_200)),
        ]
        let entry = InterchangeEntry(
            name: "Bank ✉", username: "u", password: nfd, changedAt: Self.at(1_600_000_300.125), history: history)
        #expect(
            BitwardenJSON.passwordHistory(of: entry) == [
                .init(password: nfc, lastUsedDate: Self.at(1_600_000_300.125)),
                .init(password: "ältest\n", lastUsedDate: Self.at(1_600_000_100.25)),
            ])
        let file = BitwardenJSON.write([entry, InterchangeEntry(name: "Plain", username: "p", password: "q")])
        let item = try Self.item(file)
        let written = try #require(item["passwordHistory"] as? [[String: String]])
        #expect(
            written == [
                ["password": nfc, "lastUsedDate": "2020-09-13T12:31:40.125Z"],
                ["password": "ältest\n", "lastUsedDate": "2020-09-13T12:28:20.250Z"],
            ])
        // The exact scalars, not a canonically equal string.
        #expect(
            written.map { Array($0["password"]!.unicodeScalars) } == [
                Array(nfc.unicodeScalars), Array("ältest\n".unicodeScalars),
            ])
        #expect(item["creationDate"] as? String == "2020-09-13T12:26:40.500Z")
        #expect(item["revisionDate"] as? String == "2020-09-13T12:31:40.125Z")
        let login = try #require(item["login"] as? [String: Any])
        #expect(login["passwordRevisionDate"] as? String == "2020-09-13T12:31:40.125Z")
        #expect(login["password"] as? String == nfd)
        // An entry without older versions has no passwordHistory and no passwordRevisionDate.
        let plain = try Self.item(file, 1)
        #expect(plain["passwordHistory"] == nil)
        #expect((plain["login"] as? [String: Any])?["passwordRevisionDate"] == nil)
    }

    /// The shape `bw export --format json` writes: `passwordHistory` at the item, newest first.
    /// Each earlier password becomes an older version holding the item's other fields, dated
    /// from `creationDate` and the `lastUsedDate` of the password it replaced; what cannot
    /// become a version is reported by its position in the file.
    @Test func readsPasswordHistoryAsOlderVersions() throws {
        let json = """
            {"encrypted": false, "folders": [{"id": "f1", "name": "Wörk"}],
             "items": [
              {"id": "i1", "folderId": "f1", "type": 1, "name": "Bänk", "notes": "zwei\\nZeilen",
               "fields": [{"name": "PIN", "value": "9999", "type": 1, "linkedId": null}],
               "login": {"uris": [{"match": null, "uri": "https://bank.example"}], "username": "jürgen",
                         "password": "jetzt ✓", "totp": null, "passwordRevisionDate": "2024-03-01T10:00:00.000Z"},
               "creationDate": "2023-12-31T23:59:59.999Z", "revisionDate": "2024-03-02T08:00:00.500Z",
               "passwordHistory": [
                 {"lastUsedDate": "2024-03-01T10:00:00.000Z", "password": "vorher ü"},
                 {"lastUsedDate": "2024-02-15T12:00:00.000Z", "password": "PIN: 1234"},
                 {"lastUsedDate": "2024-02-01", "password": "mittel"},
                 {"lastUsedDate": "2024-01-10T09:30:00.250Z"},
                 {"lastUsedDate": "2024-01-05T00:00:00.000Z", "password": "anfang\\n2"}]}]}
            """
        let entries = try BitwardenJSON.read(Array(json.utf8))
        let entry = try #require(entries.first)
        #expect(entry.password == "jetzt ✓" && entry.changedAt == Self.at(1_709_366_400.5))
        #expect(
            entry.unmapped == [
                "custom field 'PIN'",
                "password history item 2: an earlier value of hidden field 'PIN'",
                "password history item 3: unreadable lastUsedDate (the import time is used)",
                "password history item 4: no password (left out)",
            ])
        #expect(entry.history.map(\.password) == ["anfang\n2", "mittel", "vorher ü"])
        // The oldest at creationDate; "mittel" replaced "anfang\n2" on 5 January; "vorher ü"
        // replaced "mittel", whose lastUsedDate is unreadable: the import's time.
        #expect(entry.history.map(\.changedAt) == [Self.at(1_704_067_199.999), Self.at(1_704_412_800), nil])
        for version in entry.history {
            #expect(version.name == "Bänk" && version.username == "jürgen" && version.url == "https://bank.example")
            #expect(version.notes == "zwei\nZeilen" && version.tags == ["Wörk"] && version.secretKey == nil)
            #expect(version.history.isEmpty && version.unmapped.isEmpty)
        }
    }

    /// Without a readable `creationDate`, the oldest password is dated at its `lastUsedDate`
    /// (it was in use then), and the report says so; a `passwordHistory` that is not a list
    /// is reported; `null` or `[]` is no history.
    @Test func reportsWhatHasNoPlace() throws {
        func read(_ item: String) throws -> InterchangeEntry {
            let json =
                #"{"encrypted": false, "items": [{"type": 1, "name": "E", "login": {"username": "u", "password": "p"}, "#
                + item + "}]}"
            return try #require(try BitwardenJSON.read(Array(json.utf8)).first)
        }
        let history = #""passwordHistory": [{"lastUsedDate": "2024-01-05T00:00:00.000Z", "password": "old"}]"#
        let absent = try read(history)
        #expect(absent.history.map(\.changedAt) == [Self.at(1_704_412_800)])
        #expect(absent.unmapped == ["no creationDate (the oldest password is dated at its lastUsedDate)"])
        let unreadable = try read(#""creationDate": "2024-13-01T00:00:00Z", "# + history)
        #expect(unreadable.history.map(\.password) == ["old"])
        #expect(unreadable.unmapped == ["unreadable creationDate (the oldest password is dated at its lastUsedDate)"])
        let notAList = try read(#""passwordHistory": {"password": "x"}"#)
        #expect(notAList.history.isEmpty && notAList.unmapped == ["passwordHistory that is not a list"])
        for none in [#""passwordHistory": null"#, #""passwordHistory": []"#] {
            let entry = try read(none)
            #expect(entry.history.isEmpty && entry.unmapped.isEmpty)
        }
    }

    /// An entry whose last change set its password: ours → Bitwarden JSON → ours keeps every
    /// password of its history with its time to the millisecond, and exports the same
    /// `passwordHistory` again. Without the mapping the copy has no older version.
    @Test func passwordHistoryRoundTrips() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let source = try await Vault.inMemory(directory: directory, clock: ExportHistoryTests.SteppingClock())
        let created = try await source.create(
            PasswordRequest(
                name: "Köln ✉", username: "ülrich", password: "erstes pä<&>ss", notes: "a\nb", tags: .value(["x"])),
            as: alice)
        let id = created.entity.identifier
        _ = try await source.update(id, PasswordRequest(password: "zweites ß", notes: "c\r\nd"), as: alice)
        _ = try await source.update(id, PasswordRequest(name: "Köln — Bank"), as: alice)
        _ = try await source.update(id, PasswordRequest(password: "caf\u{E9} 🔑"), as: alice)
        let times = try await source.history(id, as: alice).map(\.entity.updatedAt)
        #expect(Set(times).count == 4)

        let selection = try await source.selectForExport(as: alice, includingHistory: true)
        let file = BitwardenJSON.write(selection.entries)
        let written = try #require(try Self.item(file)["passwordHistory"] as? [[String: String]])
        #expect(written.map { $0["password"] } == ["zweites ß", "erstes pä<&>ss"])
        #expect(written.map { $0["lastUsedDate"] } == [times[0], times[2]].map { AuditTime($0).iso8601 })

        let target = try await Vault.inMemory(directory: directory)
        let report = try await target.importEntries(try BitwardenJSON.read(file), format: "bitwarden-json", as: alice)
        let line = try #require(report.entries.first)
        #expect(line.historyVersions == 2 && line.unmapped.isEmpty)
        let copy = try #require(line.identifier)
        let versions = try await target.history(copy, as: alice)
        #expect(versions.map(\.version) == [3, 2, 1])
        // Version 1 at the source's create, version 2 when "zweites ß" came in, the current one
        // at the last change.
        #expect(versions.map(\.entity.updatedAt) == [times[0], times[2], times[3]])
        #expect(versions.allSatisfy { $0.entity.createdAt == times[3] })
        #expect(
            versions.map(\.entity.changedFields.names) == [
                ["password"], ["password"], ["name", "username", "password", "notes", "tags"],
            ])
        var passwords: [[Unicode.Scalar]] = []
        for version in versions.map(\.version) {
            let opened = try await target.revealVersion(copy, version: version, as: alice)
            passwords.append(Array((opened.password?.revealUTF8() ?? "").unicodeScalars))
        }
        #expect(passwords == ["caf\u{E9} 🔑", "zweites ß", "erstes pä<&>ss"].map { Array($0.unicodeScalars) })
        // Bitwarden keeps no older name or notes: every version holds the current ones.
        #expect(versions.allSatisfy { $0.entity.name == "Köln — Bank" })

        let again = try await target.selectForExport(as: alice, includingHistory: true)
        let (first, second) = (try #require(selection.entries.first), try #require(again.entries.first))
        #expect(BitwardenJSON.passwordHistory(of: second) == BitwardenJSON.passwordHistory(of: first))
    }

    /// An entry changed after its last password change: the newest earlier password's
    /// `lastUsedDate` (when the current one came in) has no version of its own on import — the
    /// current version is dated at `revisionDate` — so it comes back as the current version's time.
    @Test func aLaterChangeDatesTheNewestReplacement() async throws {
        let f = try await ExportHistoryTests.fixture()
        let times = try await f.vault.history(f.id, as: f.alice).map(\.entity.updatedAt)
        let selection = try await f.vault.selectForExport(as: f.alice, includingHistory: true)
        let entry = try #require(selection.entries.first)
        #expect(BitwardenJSON.passwordHistory(of: entry) == [.init(password: "v1 pä<&>ss", lastUsedDate: times[2])])
        let target = try await Vault.inMemory(directory: f.directory)
        let report = try await target.importEntries(
            try BitwardenJSON.read(BitwardenJSON.write(selection.entries)), format: "bitwarden-json", as: f.alice)
        let copy = try #require(report.entries.first?.identifier)
        #expect(try await target.history(copy, as: f.alice).map(\.entity.updatedAt) == [times[0], times[3]])
        let again = try await target.selectForExport(as: f.alice, includingHistory: true)
        #expect(
            BitwardenJSON.passwordHistory(of: try #require(again.entries.first)) == [
                .init(password: "v1 pä<&>ss", lastUsedDate: times[0])
            ])
    }

    /// Only the owner and editors with the reveal right export earlier passwords (docs/contract.md
    /// §11, §13); a viewer's file holds none, and an editor without reveal gets no entry. The
    /// export record counts the earlier passwords written.
    @Test func onlyThoseWhoMayRevealOldVersionsExportThem() async throws {
        let f = try await ExportHistoryTests.fixture()
        for (user, earlier) in [(f.alice, 1), (f.bob, 1), (f.dave, 0)] {
            let selection = try await f.vault.selectForExport(as: user, includingHistory: true)
            let file = BitwardenJSON.write(selection.entries)
            let text = String(decoding: file, as: UTF8.self)
            let item = try Self.item(file)
            #expect(text.contains("v1 p\u{E4}<&>ss") == (earlier == 1), "\(user.username)")
            #expect((item["passwordHistory"] != nil) == (earlier == 1), "\(user.username)")
            let versions = selection.entries.reduce(0) { $0 + BitwardenJSON.passwordHistory(of: $1).count }
            #expect(versions == earlier)
            let mark = try await f.vault.auditRecords().count
            try await f.vault.recordExport(selection, format: "bitwarden-json", versions: versions, as: user)
            let last = try #require(try await f.vault.auditRecords().dropFirst(mark).first)
            #expect(last.event.action == .export)
            #expect(
                last.event.fields == ["format=bitwarden-json", "exported=1", "versions=\(earlier)", "withheld=0"])
        }
        let carol = try await f.vault.selectForExport(as: f.carol, includingHistory: true)
        #expect(carol.entries.isEmpty && carol.withheld.map(\.reason) == ["no reveal right"])
    }

    /// An item with more earlier passwords than the reader's limit: the newest are read, the
    /// count of the rest reported.
    @Test func readsAtMostTheLimit() throws {
        let items = (1...1_003).map { #"{"lastUsedDate": "2024-01-01T00:00:00.000Z", "password": "p\#($0)"}"# }
        let json =
            #"{"encrypted": false, "items": [{"type": 1, "name": "E", "creationDate": "2023-01-01T00:00:00.000Z", "#
            + #""login": {"username": "u", "password": "now"}, "passwordHistory": ["#
            + items.joined(separator: ",") + "]}]}"
        let entry = try #require(try BitwardenJSON.read(Array(json.utf8)).first)
        #expect(entry.history.count == 1_000)
        #expect(entry.history.first?.password == "p1000" && entry.history.last?.password == "p1")
        #expect(entry.unmapped == ["3 oldest password history item(s) beyond the reader's limit of 1000"])
    }

    /// More earlier passwords than the vault's history depth: the newest are kept, the oldest
    /// reported; one equal to the password after it makes no version and is reported.
    @Test func keepsTheHistoryDepth() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.inMemory(directory: directory)
        try await vault.setHistoryDepth(2)
        let items = ["p5", "p4", "p4", "p3", "p2", "p1"].enumerated().map { index, password in
            #"{"lastUsedDate": "2024-01-0\#(9 - index)T00:00:00.000Z", "password": "\#(password)"}"#
        }
        let json =
            #"{"encrypted": false, "items": [{"type": 1, "name": "E", "creationDate": "2024-01-01T00:00:00.000Z", "login": {"username": "u", "password": "p6"}, "passwordHistory": ["#
            + items.joined(separator: ",") + "]}]}"
        let entries = try BitwardenJSON.read(Array(json.utf8))
        #expect(entries.first?.history.map(\.password) == ["p1", "p2", "p3", "p4", "p4", "p5"])
        let report = try await vault.importEntries(entries, format: "bitwarden-json", as: alice)
        let line = try #require(report.entries.first)
        #expect(line.historyVersions == 2)
        #expect(
            line.unmapped == [
                "3 oldest version(s) beyond the history depth of 2",
                "1 older version(s) differing only in fields that have no place",
            ])
        let id = try #require(line.identifier)
        let versions = try await vault.history(id, as: alice)
        #expect(versions.map(\.version) == [3, 2, 1])
        var passwords: [String?] = []
        for version in versions.map(\.version) {
            passwords.append(try await vault.revealVersion(id, version: version, as: alice).password?.revealUTF8())
        }
        #expect(passwords == ["p6", "p5", "p4"])
        // "p4" (the later of the two) came in on 7 January, when "p3" was replaced; "p5" on
        // 8 January, when "p4" was.
        #expect(versions.dropFirst().map(\.entity.updatedAt) == [Self.at(1_704_672_000), Self.at(1_704_585_600)])
    }
}
