import Foundation
import PasswordVault
import PasswordVaultPostgres
import Synchronization
import Testing

/// Many hosts writing at once (docs/contract.md §14): every record is chained after the one
/// head, and a host whose cached head another host moved has its records chained after the head
/// it finds (locked) in the same transaction, instead of losing the race again and again — eight
/// hosts creating at once used to fail with "the store is busy" after 64 lost races.
@Suite("PostgresStorage with many hosts writing")
struct PostgresConcurrentHostsTests {
    static let key = try! AuditKey.random()

    static func events(_ count: Int, from start: Int64) -> [AuditEvent] {
        (0..<count).map { index in
            AuditEvent(
                time: AuditTime(rawValue: 1_764_620_000_000 + start + Int64(index)),
                actor: .user(id: UserID(rawValue: 1), username: "alice"), action: .reveal,
                entry: EntryID(rawValue: 1), fields: ["password"])
        }
    }

    /// An append made on a head another host has moved since: with `chaining`, it is chained after
    /// the stored head and stored (the result names the new head, the trail continues without a
    /// gap and verifies); an append that can only follow its own head is refused untouched.
    @Test func anAppendAfterAMovedHeadIsChainedAfterTheStoredOne() async throws {
        let first = try await TestServer.freshStorage()
        let second = try await PostgresStorage.open(try TestServer.configuration(schema: first.configuration.schema))
        let stale = try await first.auditHead()
        // The other host moves the head by two records.
        let (moved, movedHead) = try AuditChain.append(contentsOf: Self.events(2, from: 0), after: stale, key: Self.key)
        try await second.commit(ChangeSet(audit: AuditAppend(after: stale, chained: moved)))

        // Chained only after `stale`: refused, nothing stored.
        let (late, _) = try AuditChain.append(contentsOf: Self.events(1, from: 10), after: stale, key: Self.key)
        await #expect(throws: StorageError.auditHeadMoved) {
            try await first.commit(ChangeSet(audit: AuditAppend(after: stale, chained: late)))
        }
        #expect(try await first.auditHead() == movedHead)

        // Chained after whichever head the storage finds: stored after the moved head.
        let heads = Mutex<[AuditHead]>([])
        let append = AuditAppend(
            after: stale,
            chaining: { (head, _) throws(StorageError) in
                heads.withLock { $0.append(head) }
                do {
                    return try AuditChain.append(contentsOf: Self.events(3, from: 20), after: head, key: Self.key)
                        .records
                } catch {
                    throw .failure("\(error)")
                }
            })
        let result = try await first.commit(ChangeSet(audit: append))
        #expect(heads.withLock { $0 } == [stale, movedHead])
        let records = try await first.auditRecords(AuditQuery())
        #expect(records.map(\.seq) == Array(1...5))
        #expect(Array(records.prefix(2)) == moved)
        #expect(result.auditHead == AuditHead(seq: 5, mac: records[4].mac))
        #expect(try await first.auditHead() == result.auditHead)
        #expect(AuditChain.verify(records, head: result.auditHead!, key: Self.key) == .intact(records: 5))
        await second.close()
        await first.close()
    }

    /// Eight hosts (each its own storage and vault on one database) creating at once: every
    /// create succeeds, each with its record, and the trail verifies.
    @Test func eightHostsCreatingAtOnceAllCommit() async throws {
        let storage = try await TestServer.freshStorage()
        let credential = VaultCredential.rawKey(try SecretBytes.random(count: 32))
        let first = try await Vault.create(storage: storage, credential: credential, cost: .minimum)
        let alice = try await first.addUser(named: "alice")
        let hosts = 8
        let perHost = 25
        var vaults = [first]
        for _ in 1..<hosts {
            let other = try await PostgresStorage.open(
                try TestServer.configuration(schema: storage.configuration.schema))
            vaults.append(try await Vault.open(storage: other, credential: credential))
        }
        let created = try await withThrowingTaskGroup(of: [EntryID].self) { group in
            for (host, vault) in vaults.enumerated() {
                group.addTask {
                    var ids: [EntryID] = []
                    for n in 0..<perHost {
                        let request = PasswordRequest(
                            name: .value("host \(host) entry \(n)"), username: "svc", password: .value("pw-\(n)"))
                        ids.append(try await vault.create(request, as: alice).entity.identifier)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(created).count == hosts * perHost)
        guard case .intact(let count) = try await first.verifyAudit() else {
            Issue.record("the trail does not verify")
            return
        }
        let creates = try await first.auditRecords(AuditQuery(action: .create))
        #expect(Set(creates.compactMap(\.event.entry)) == Set(created))
        #expect(count >= UInt64(hosts * perHost))
    }
}
