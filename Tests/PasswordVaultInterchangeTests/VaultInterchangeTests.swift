import Foundation
import PasswordVault
import Testing

@testable import PasswordVaultInterchange

/// Import and export at the vault (docs/contract.md §15, §12, §13).
@Suite("Vault import and export")
struct VaultInterchangeTests {
    /// Imported entries are the importer's, one create each; a refused entry is reported with its
    /// reason; the run is audited with its counts.
    @Test func importIsPerEntryAndAudited() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.inMemory(directory: directory)
        let entries = [
            InterchangeEntry(
                name: "Mail", username: "a", password: "p", url: "https://m", notes: "n\nm", tags: ["t"],
                secretKey: "JBSWY3DPEHPK3PXP", unmapped: ["icon"]),
            InterchangeEntry(name: "No user", password: "p"),
            InterchangeEntry(name: String(repeating: "x", count: 201), username: "u", password: "p"),
            InterchangeEntry(
                name: "Old", username: "u", password: "p",
                history: [InterchangeEntry(name: "Old", username: "v", password: "q")]),
        ]
        let report = try await vault.importEntries(entries, format: "kdbx", as: alice)
        #expect(report.importedCount == 2 && report.refusedCount == 2)
        #expect(report.entries[1].refusal == "1001: Parameter 'username' was not informed!")
        #expect(report.entries[2].refusal == "1002: Parameter 'name' is invalid: must have at most 200 characters")
        #expect(report.entries[0].unmapped == ["icon"])
        // KDBX History becomes our history (docs/contract.md §15, §11).
        #expect(report.entries[3].unmapped.isEmpty && report.entries[3].historyVersions == 1)
        let old = try #require(report.entries[3].identifier)
        let versions = try await vault.history(old, as: alice)
        #expect(versions.map(\.version) == [2, 1])
        #expect(
            versions.map(\.entity.changedFields.names) == [
                ["username", "password"], ["name", "username", "password"],
            ])
        #expect(try await vault.revealVersion(old, version: 1, as: alice).password?.revealUTF8() == "q")
        #expect(try await vault.reveal(old, as: alice).password?.revealUTF8() == "p")
        let listed = try await vault.list(as: alice)
        #expect(listed.map(\.entity.name) == ["Mail", "Old"])
        #expect(listed.allSatisfy { $0.entity.owner == alice.id })
        let records = try await vault.auditRecords()
        let last = try #require(
            records.last {
                $0.event.action != .history && $0.event.action != .revealVersion && $0.event.action != .reveal
            })
        #expect(last.event.action == .import)
        #expect(last.event.fields == ["format=kdbx", "entries=4", "imported=2", "refused=2"])
        #expect(records.filter { $0.event.action == .create }.count == 2)
    }

    /// Export writes only what the user may reveal; a justification or approval policy that binds
    /// the reveal leaves the entry out (listed), never bypassed; the run is audited.
    @Test func exportHonoursPolicies() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let bob = directory.addUser("bob", id: 2)
        let vault = try await Vault.inMemory(directory: directory)
        _ = try await vault.create(
            PasswordRequest(
                name: "Open", username: "u", password: "p1", secretKey: "JBSWY3DPEHPK3PXP", notes: "note ✓",
                tags: .value(["a", "b"]), usersAllowed: .value([ShareRequest(name: "bob")])),
            as: alice)
        _ = try await vault.create(
            PasswordRequest(
                name: "Justify", username: "u", password: "p2", usersAllowed: .value([ShareRequest(name: "bob")]),
                needJustify: .value(true)),
            as: alice)
        _ = try await vault.create(
            PasswordRequest(
                name: "Use only", username: "u", password: "p3",
                usersAllowed: .value([ShareRequest(name: "bob", canReveal: .value(false))])),
            as: alice)
        let selection = try await vault.selectForExport(as: bob)
        #expect(selection.entries.map(\.name) == ["Open"])
        #expect(selection.entries.first?.password == "p1")
        #expect(selection.entries.first?.notes == "note ✓")
        #expect(selection.entries.first?.secretKey == "JBSWY3DPEHPK3PXP")
        #expect(selection.entries.first?.tags == ["a", "b"])
        #expect(selection.withheld.map(\.reason) == ["1009: Justification is required", "no reveal right"])
        try await vault.recordExport(selection, format: "kdbx", as: bob)
        let last = try #require(try await vault.auditRecords().last)
        #expect(
            last.event.action == .export
                && last.event.fields == ["format=kdbx", "exported=1", "versions=0", "withheld=2"])
        // The owner exports all three.
        #expect(try await vault.selectForExport(as: alice).entries.count == 3)
    }

    /// Ours → KDBX → ours and ours → Bitwarden JSON → ours through a vault, every field kept.
    @Test func roundTripsThroughFiles() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let source = try await Vault.inMemory(directory: directory)
        _ = try await source.create(
            PasswordRequest(
                name: "Köln ✉", username: "ülrich", password: "p<&>\"'", url: "https://k.example/?a&b",
                secretKey: "otpauth://totp/Acme:u?secret=JBSWY3DPEHPK3PXP&issuer=Acme&digits=8&period=60",
                notes: "one\ntwo\r\nthree", tags: .value(["x", "y/z"])),
            as: alice)
        let exported = try await source.selectForExport(as: alice).entries
        let options = KDBXWriter.Options(kdf: .argon2id(memory: 8 << 20, iterations: 1, parallelism: 1))
        let viaKDBX = try KDBXReader.read(
            KDBXWriter.write(exported, passphrase: "f", options: options), passphrase: "f")
        let viaJSON = try BitwardenJSON.read(BitwardenJSON.write(exported))
        // KDBX keeps each time to the second, Bitwarden JSON to the millisecond.
        func imported(_ entries: [InterchangeEntry]) async throws -> [InterchangeEntry] {
            let target = try await Vault.inMemory(directory: directory)
            let report = try await target.importEntries(entries, format: "test", as: alice)
            #expect(report.importedCount == 1)
            return try await target.selectForExport(as: alice).entries
        }
        func times(_ entries: [InterchangeEntry], _ change: (Date) -> Date) -> [InterchangeEntry] {
            entries.map { entry in
                var entry = entry
                entry.changedAt = entry.changedAt.map(change)
                return entry
            }
        }
        #expect(
            try await imported(viaKDBX.entries)
                == times(exported) { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) })
        #expect(try await imported(viaJSON) == times(exported) { AuditTime($0).date })
    }

    /// The file's times become the versions' `changed_at` and the entry's `created_at`, exactly;
    /// a time ahead of the vault clock is clamped to it, and times never decrease
    /// (docs/contract.md §15, §11).
    @Test func importedTimesBecomeTheVersionsTimes() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let vault = try await Vault.inMemory(directory: directory, clock: .fixed(now))
        func at(_ seconds: TimeInterval) -> Date { Date(timeIntervalSince1970: seconds) }
        let entries = [
            InterchangeEntry(
                name: "E", username: "u", password: "v4", changedAt: at(1_614_834_367),
                history: [
                    InterchangeEntry(name: "E", username: "u", password: "v1", changedAt: at(1_577_836_799)),
                    InterchangeEntry(name: "E", username: "u", password: "v2"),
                    InterchangeEntry(name: "E", username: "u", password: "v3", changedAt: at(1_500_000_000)),
                ]),
            InterchangeEntry(name: "Future", username: "u", password: "p", changedAt: at(253_402_300_799)),
        ]
        let report = try await vault.importEntries(entries, format: "kdbx", as: alice)
        let ids = report.entries.compactMap(\.identifier)
        #expect(ids.count == 2)
        let versions = try await vault.history(ids[0], as: alice)
        // v2 has no time: the vault clock's; v3 and v4, earlier in the file, may not go back.
        #expect(versions.map(\.version) == [4, 3, 2, 1])
        #expect(versions.map(\.entity.updatedAt) == [now, now, now, at(1_577_836_799)])
        #expect(versions.allSatisfy { $0.entity.createdAt == at(1_577_836_799) })
        let future = try await vault.history(ids[1], as: alice)
        #expect(future.map(\.entity.updatedAt) == [now])
    }

    /// Older versions within the history depth are kept; a refused one, one that changes no
    /// field of ours, and the oldest beyond the depth are reported, never silently dropped.
    @Test func importedHistoryKeepsTheDepthAndReportsTheRest() async throws {
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.inMemory(directory: directory)
        try await vault.setHistoryDepth(2)
        let old = [
            InterchangeEntry(name: "E", username: "u", password: "v1"),
            InterchangeEntry(name: "E", password: "no username"),
            InterchangeEntry(name: "E", username: "u", password: "v2", notes: "n"),
            InterchangeEntry(name: "E", username: "u", password: "v3", url: "https://e"),
            InterchangeEntry(name: "E", username: "u", password: "v3", url: "https://e", unmapped: ["icon"]),
        ]
        let entry = InterchangeEntry(name: "E", username: "u", password: "v4", url: "https://e", history: old)
        let report = try await vault.importEntries([entry], format: "kdbx", as: alice)
        let line = try #require(report.entries.first)
        #expect(line.historyVersions == 2)
        #expect(
            line.unmapped == [
                "older version 2 refused: 1001: Parameter 'username' was not informed!",
                "1 oldest version(s) beyond the history depth of 2",
                "1 older version(s) differing only in fields that have no place",
            ])
        let id = try #require(line.identifier)
        let versions = try await vault.history(id, as: alice)
        #expect(versions.map(\.version) == [3, 2, 1])
        #expect(
            versions.map(\.entity.changedFields.names) == [
                ["password"], ["password", "url", "notes"], ["name", "username", "password", "notes"],
            ])
        var passwords: [String?] = []
        for version in [1, 2] as [UInt64] {
            passwords.append(try await vault.revealVersion(id, version: version, as: alice).password?.revealUTF8())
        }
        #expect(passwords == ["v2", "v3"])
        #expect(versions.allSatisfy { $0.changedBy?.id == alice.id })
        // One create record for the entry, then the import's.
        let records = try await vault.auditRecords().map(\.event.action)
        #expect(records.filter { $0 == .create }.count == 1)
    }
}
