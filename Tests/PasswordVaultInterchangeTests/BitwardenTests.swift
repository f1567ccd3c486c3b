import Foundation
import Testing

@testable import PasswordVaultInterchange

/// Bitwarden's unencrypted JSON (both ways) and CSV (read), docs/contract.md §15.
@Suite("Bitwarden")
struct BitwardenTests {
    @Test func jsonRoundTrips() throws {
        let entries = [
            InterchangeEntry(
                name: "Mail ✉", username: "ålice", password: "p\"w", url: "https://m.example",
                notes: "one\ntwo", tags: ["work", "mail", "ünï"],
                secretKey: "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&digits=8",
                changedAt: Date(timeIntervalSince1970: 1_614_834_367.123)),
            InterchangeEntry(name: "Bare", username: "bob", password: "x"),
        ]
        let file = BitwardenJSON.write(entries)
        // `revisionDate` to the millisecond, as `bw export` writes it.
        #expect(String(decoding: file, as: UTF8.self).contains(#""revisionDate" : "2021-03-04T05:06:07.123Z""#))
        #expect(try BitwardenJSON.read(file) == entries)
    }

    /// The shape `bw export --format json` writes, with what has no place reported.
    @Test func readsBitwardenExport() throws {
        let json = """
            {"encrypted": false,
             "folders": [{"id": "f1", "name": "Work"}],
             "items": [
              {"id": "i1", "organizationId": null, "folderId": "f1", "type": 1, "reprompt": 0, "name": "GitHub",
               "notes": "n", "favorite": false,
               "fields": [{"name": "recovery", "value": "abc", "type": 1, "linkedId": null}],
               "login": {"uris": [{"match": null, "uri": "https://github.com"}, {"match": null, "uri": "https://gh.io"}],
                         "username": "octo", "password": "cat", "totp": "JBSWY3DPEHPK3PXP"},
               "collectionIds": null, "revisionDate": "2024-02-29T23:59:58.250Z", "creationDate": "2023-01-01T00:00:00.000Z"},
              {"id": "i2", "folderId": null, "type": 2, "name": "Secret note", "notes": "text",
               "secureNote": {"type": 0}, "revisionDate": "2023-02-29T00:00:00.000Z"}]}
            """
        let entries = try BitwardenJSON.read(Array(json.utf8))
        #expect(entries.count == 2)
        #expect(entries[0].name == "GitHub" && entries[0].username == "octo" && entries[0].password == "cat")
        #expect(entries[0].url == "https://github.com" && entries[0].tags == ["Work"])
        #expect(entries[0].secretKey == "JBSWY3DPEHPK3PXP")
        #expect(entries[0].unmapped == ["1 further URI(s)", "custom field 'recovery'"])
        #expect(entries[0].changedAt == Date(timeIntervalSince1970: 1_709_251_198.25))
        // 2023 has no 29 February: reported, left out.
        #expect(entries[1].changedAt == nil)
        #expect(
            entries[1].unmapped == ["secure note item (no login)", "unreadable revisionDate (the import time is used)"])
        #expect(throws: InterchangeError.unsupported("an encrypted Bitwarden export")) {
            try BitwardenJSON.read(Array(#"{"encrypted": true, "items": []}"#.utf8))
        }
        #expect(throws: InterchangeError.notThisFormat("Bitwarden JSON")) { try BitwardenJSON.read(Array("[1]".utf8)) }
    }

    /// Bitwarden's per-item settings have no place in ours: reported, in this order.
    @Test func reportsItemSettings() throws {
        let json = """
            {"encrypted": false, "items": [
              {"type": 1, "name": "A", "reprompt": 1, "favorite": true,
               "login": {"username": "u", "password": "p", "uris": [{"match": 3, "uri": "https://a"}]}},
              {"type": 1, "name": "B", "reprompt": 0, "favorite": false,
               "login": {"username": "u", "password": "p", "uris": [{"match": null, "uri": "https://b"}]}}]}
            """
        let entries = try BitwardenJSON.read(Array(json.utf8))
        #expect(entries.map(\.unmapped) == [["URI match rule", "master password re-prompt", "favorite"], []])
    }

    @Test func readsCSV() throws {
        let csv = #"""
            folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp
            Work,,login,GitHub,"multi
            line, with ""quotes""",,0,https://github.com,octo,"p,w",JBSWY3DPEHPK3PXP
            ,,login,Bare,,,0,,bob,x,

            """#
        let entries = try BitwardenCSV.read(Array(csv.utf8))
        #expect(entries.count == 2)
        #expect(entries[0].notes == "multi\nline, with \"quotes\"")
        #expect(entries[0].password == "p,w" && entries[0].tags == ["Work"])
        #expect(entries[0].secretKey == "JBSWY3DPEHPK3PXP")
        #expect(entries[1] == InterchangeEntry(name: "Bare", username: "bob", password: "x"))
        let flagged = try BitwardenCSV.read(
            Array("folder,favorite,type,name,reprompt,login_username,login_password\n,1,login,F,1,u,p\n".utf8))
        #expect(flagged.map(\.unmapped) == [["master password re-prompt", "favorite"]])
        #expect(throws: InterchangeError.self) { try BitwardenCSV.read(Array("a,b\n1,2\n".utf8)) }
    }
}
