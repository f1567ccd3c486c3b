import Foundation
import PasswordVault
import Synchronization
import Testing

@testable import PasswordVaultInterchange

/// A KDBX export carries an entry's older versions as its History for those who may reveal
/// them, and only for them (docs/contract.md §15, §11, §13), each read on the trail (§12).
@Suite("Export with history")
struct ExportHistoryTests {
    /// A clock a minute further on each time it is read, on whole seconds: KDBX keeps seconds,
    /// so every time round-trips exactly.
    final class SteppingClock: VaultClock, Sendable {
        private let next = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
        func now() -> Date {
            next.withLock { date in
                defer { date += 60 }
                return date
            }
        }
    }

    struct Fixture {
        let vault: Vault
        let directory: InMemoryDirectory
        let alice, bob, carol, dave: User
        let id: EntryID
    }

    /// An entry of alice's with four versions — non-ASCII, multi-line, TOTP parameters changing —
    /// shared with bob (editor), carol (editor without reveal) and dave (viewer).
    static func fixture() async throws -> Fixture {
        let directory = InMemoryDirectory()
        let (alice, bob, carol, dave) = (
            directory.addUser("alice", id: 1), directory.addUser("bob", id: 2), directory.addUser("carol", id: 3),
            directory.addUser("dave", id: 4)
        )
        let vault = try await Vault.inMemory(directory: directory, clock: SteppingClock())
        let created = try await vault.create(
            PasswordRequest(
                name: "Köln ✉", username: "ülrich", password: "v1 pä<&>ss",
                secretKey: "otpauth://totp/Acme:u?secret=JBSWY3DPEHPK3PXP&issuer=Acme&digits=8&period=60",
                notes: "erste Zeile\nzweite ✓", tags: .value(["x"]),
                usersAllowed: .value([
                    ShareRequest(name: "bob", canEdit: .value(true)),
                    ShareRequest(name: "carol", canEdit: .value(true), canReveal: .value(false)),
                    ShareRequest(name: "dave"),
                ])),
            as: alice)
        let id = created.entity.identifier
        _ = try await vault.update(id, PasswordRequest(password: "v2 ß", notes: "one\r\ntwo\nthree\t✓"), as: alice)
        _ = try await vault.update(
            id,
            PasswordRequest(
                name: "Köln — Bank",
                secretKey:
                    "otpauth://totp/Bank:u?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=7&period=45"
            ), as: bob)
        _ = try await vault.update(
            id, PasswordRequest(username: "ulrich", url: "https://bank.example/?a=1&b=2", tags: .value(["x", "y/z"])),
            as: alice)
        return Fixture(vault: vault, directory: directory, alice: alice, bob: bob, carol: carol, dave: dave, id: id)
    }

    /// Ours → KDBX 4 → ours keeps every version: fields, secrets, TOTP parameters, times.
    @Test func historyRoundTripsThroughKDBX() async throws {
        let f = try await Self.fixture()
        let selection = try await f.vault.selectForExport(as: f.alice, includingHistory: true)
        let entry = try #require(selection.entries.first)
        #expect(selection.entries.count == 1 && selection.withheld.isEmpty)
        #expect(entry.history.map(\.password) == ["v1 pä<&>ss", "v2 ß", "v2 ß"])
        #expect(
            entry.history.map(\.notes) == ["erste Zeile\nzweite ✓", "one\r\ntwo\nthree\t✓", "one\r\ntwo\nthree\t✓"])
        #expect(entry.history.map(\.name) == ["Köln ✉", "Köln ✉", "Köln — Bank"])
        #expect(entry.history.last?.secretKey?.contains("algorithm=SHA256&digits=7&period=45") == true)
        #expect(entry.password == "v2 ß" && entry.username == "ulrich" && entry.tags == ["x", "y/z"])
        // Each version at its own time, oldest first, as the source's history says.
        let source = try await f.vault.history(f.id, as: f.alice)
        #expect(([entry.changedAt] + entry.history.reversed().map(\.changedAt)) == source.map(\.entity.updatedAt))
        #expect(Set(source.map(\.entity.updatedAt)).count == 4)

        let options = KDBXWriter.Options(kdf: .argon2id(memory: 8 << 20, iterations: 1, parallelism: 1))
        let read = try KDBXReader.read(
            KDBXWriter.write(selection.entries, passphrase: "f", options: options), passphrase: "f")
        #expect(read.entries == selection.entries)
        let target = try await Vault.inMemory(directory: f.directory)
        let report = try await target.importEntries(read.entries, format: "kdbx", as: f.alice)
        #expect(report.entries.map(\.historyVersions) == [3])
        #expect(report.entries.first?.unmapped == [])
        let back = try await target.selectForExport(as: f.alice, includingHistory: true)
        #expect(back.entries == selection.entries)
        let copy = try await target.history(try #require(report.entries.first?.identifier), as: f.alice)
        // The same changes, but version 1 names what an import's create sets (no shares).
        let changes = source.map(\.entity.changedFields.names)
        #expect(changes == [["username", "url", "tags"], ["name", "secret_key"], ["password", "notes"], changes[3]])
        #expect(
            copy.map(\.entity.changedFields.names)
                == Array(changes.dropLast()) + [["name", "username", "password", "secret_key", "notes", "tags"]])
    }

    /// The owner and an editor with the reveal right get the History; a viewer gets the entry
    /// without it and reads no old version; an editor without the reveal right gets nothing.
    /// The trail has each read, and the export's exact counts; an entry at version 1 costs no
    /// history read.
    @Test func onlyThoseWhoMayRevealHistoryGetIt() async throws {
        let f = try await Self.fixture()
        _ = try await f.vault.create(PasswordRequest(name: "Fresh", username: "a", password: "only"), as: f.alice)
        for (user, versions) in [(f.alice, [3, 0]), (f.bob, [3]), (f.dave, [0])] {
            let selection = try await f.vault.selectForExport(as: user, includingHistory: true)
            #expect(selection.entries.map(\.history.count) == versions, "\(user.username)")
            #expect(selection.entries.first?.password == "v2 ß")
            let mark = try await f.vault.auditRecords().count
            try await f.vault.recordExport(selection, format: "kdbx", as: user)
            let last = try #require(try await f.vault.auditRecords().dropFirst(mark).first)
            #expect(last.event.action == .export)
            #expect(
                last.event.fields == [
                    "format=kdbx", "exported=\(versions.count)", "versions=\(versions.reduce(0, +))", "withheld=0",
                ])
        }
        let carol = try await f.vault.selectForExport(as: f.carol, includingHistory: true)
        #expect(carol.entries.isEmpty && carol.withheld.map(\.reason) == ["no reveal right"])
        // Without includingHistory no old version is read.
        let plain = try await f.vault.selectForExport(as: f.alice)
        #expect(plain.entries.map(\.history.count) == [0, 0])

        let records = try await f.vault.auditRecords()
        func reads(_ user: User, _ action: AuditAction) -> [AuditRecord] {
            records.filter {
                $0.event.action == action && $0.event.actor == .user(id: user.id, username: user.username)
            }
        }
        // One history read each: "Fresh", at version 1, needs none.
        for user in [f.alice, f.bob] {
            #expect(reads(user, .history).map(\.event.entry) == [f.id], "\(user.username)")
            #expect(reads(user, .revealVersion).map(\.event.entry) == [f.id, f.id, f.id], "\(user.username)")
            #expect(reads(user, .revealVersion).allSatisfy { $0.event.outcome == .ok })
        }
        for user in [f.carol, f.dave] {
            #expect(reads(user, .history).isEmpty && reads(user, .revealVersion).isEmpty, "\(user.username)")
        }
        #expect(
            reads(f.alice, .reveal).count == 4 && reads(f.dave, .reveal).count == 1 && reads(f.carol, .reveal).isEmpty)
    }
}
