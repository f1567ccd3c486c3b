import Foundation
import Testing

@testable import PasswordVault

/// The records a vault commits, as a host receives them (docs/contract.md §12, "Observing the
/// vault"): only committed records, in `seq` order, before the call returns; a slow subscriber
/// loses the oldest and counts them, and never holds a commit back.
@Suite("Audit record stream")
struct AuditStreamTests {
    /// The next `count` records of `records`; they are already buffered when the calls returned.
    static func take(_ count: Int, from records: AuditRecordStream) async -> [AuditRecord] {
        var iterator = records.makeAsyncIterator()
        var taken: [AuditRecord] = []
        while taken.count < count, let record = await iterator.next() { taken.append(record) }
        return taken
    }

    @Test func recordsArriveAsCommittedWithExactFields() async throws {
        let f = try await VaultFixture()
        let records = f.vault.committedAuditRecords()
        let id = try await f.createShared()
        let e = "\(id)"
        _ = try await f.vault.revealPassword(id, as: f.erin)
        await #expect(throws: VaultError.notFound) { try await f.vault.revealPassword(id, as: f.mallory) }
        await #expect(throws: VaultError.accessDenied) {
            try await f.vault.update(id, PasswordRequest(name: "x"), as: f.erin)
        }
        // Field rules (1001, 1002) are not recorded, so nothing arrives for them.
        await #expect(throws: VaultError.notInformed(field: "name")) {
            try await f.vault.update(id, PasswordRequest(name: " "), as: f.bob)
        }
        _ = try await f.vault.update(id, PasswordRequest(password: "second"), as: f.bob)

        let received = await Self.take(5, from: records)
        #expect(
            received.map(AuditTrailTests.line) == [
                "1 alice#1 create \(e) ok [name,username,password,url,secret_key,notes,tags,users_allowed,groups_allowed]",
                "2 erin#5 reveal \(e) ok [password]",
                "3 mallory#9 reveal \(e) 1005 []",
                "4 erin#5 update \(e) 1006 []",
                "5 bob#2 update \(e) ok [password]",
            ])
        // The very records the store holds, MACs included, at the vault clock's time.
        #expect(received == (try await f.vault.auditRecords()))
        #expect(received.allSatisfy { $0.event.time == AuditTime(VaultFixture.now) })
        #expect(records.droppedCount == 0)
        #expect(try await f.vault.verifyAudit() == .intact(records: 5))
    }

    @Test func aFailedCommitDeliversNothing() async throws {
        let storage = FaultInjectingStorage()
        let directory = InMemoryDirectory()
        let alice = directory.addUser("alice", id: 1)
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try .random(count: 32)))
        let records = vault.committedAuditRecords()
        let id = try await vault.create(PasswordRequest(name: "n", username: "u", password: "secret-1"), as: alice)
            .entity.identifier

        // The trail cannot be written: the reveal fails and nothing is published.
        storage.update { $0.failAuditAppends = true }
        await #expect(throws: VaultError.self) { try await vault.revealPassword(id, as: alice) }
        storage.update { $0.failAuditAppends = false }
        // The entry write fails: the create's record goes with it.
        storage.update { $0.writesLeft = 0 }
        await #expect(throws: VaultError.self) {
            try await vault.create(PasswordRequest(name: "m", username: "u", password: "secret-2"), as: alice)
        }
        storage.update { $0.writesLeft = nil }
        _ = try await vault.revealPassword(id, as: alice)

        let received = await Self.take(2, from: records)
        #expect(
            received.map(AuditTrailTests.line) == [
                "1 alice#1 create \(id) ok [name,username,password]", "2 alice#1 reveal \(id) ok [password]",
            ])
        #expect(received == (try await vault.auditRecords()))
    }

    @Test func concurrentCallsArriveInSeqOrder() async throws {
        let f = try await VaultFixture()
        let records = f.vault.committedAuditRecords()
        let id = try await f.createShared()
        let callers = [f.alice, f.bob, f.carol, f.dave, f.erin, f.frank, f.mallory, f.pduarte]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in callers {
                group.addTask {
                    for _ in 0..<25 { _ = try? await f.vault.revealPassword(id, as: caller) }
                }
            }
            try await group.waitForAll()
        }
        let count = 1 + callers.count * 25
        let received = await Self.take(count, from: records)
        #expect(received.map(\.seq) == Array(1...UInt64(count)))
        #expect(received == (try await f.vault.auditRecords()))
        #expect(records.droppedCount == 0)
    }

    @Test func aSlowSubscriberLosesTheOldestAndNeverBlocksACommit() async throws {
        let f = try await VaultFixture()
        let slow = f.vault.committedAuditRecords(bufferingNewest: 4)
        let reader = f.vault.committedAuditRecords()
        let id = try await f.createShared()
        // Nobody reads `slow`: every call still returns.
        for _ in 0..<20 { _ = try await f.vault.revealPassword(id, as: f.alice) }

        #expect(slow.droppedCount == 17)
        #expect(await Self.take(4, from: slow).map(\.seq) == [18, 19, 20, 21])
        #expect(await Self.take(21, from: reader).map(\.seq) == Array(1...21))
        #expect(reader.droppedCount == 0)
    }

    @Test func aBufferBelowOneHoldsTheNewestRecord() async throws {
        let f = try await VaultFixture()
        let none = f.vault.committedAuditRecords(bufferingNewest: 0)
        let negative = f.vault.committedAuditRecords(bufferingNewest: -5)
        let id = try await f.createShared()
        for _ in 0..<3 { _ = try await f.vault.revealPassword(id, as: f.alice) }

        for stream in [none, negative] {
            #expect(stream.droppedCount == 3)
            #expect(await Self.take(1, from: stream).map(\.seq) == [4])
        }
    }

    @Test func aSubscriptionEndsWithItsStreamAndWithTheVault() async throws {
        var f: VaultFixture? = try await VaultFixture()
        do {
            let unused = f!.vault.committedAuditRecords()
            #expect(f!.vault.auditLog.feed.hasSubscribers)
            _ = unused.droppedCount
        }
        // Released: no copy is kept for it any more.
        #expect(!f!.vault.auditLog.feed.hasSubscribers)

        let records = f!.vault.committedAuditRecords()
        _ = try await f!.createShared()
        f = nil
        // The vault is gone: the loop ends after the record it holds.
        var seqs: [UInt64] = []
        for await record in records { seqs.append(record.seq) }
        #expect(seqs == [1])
    }
}
