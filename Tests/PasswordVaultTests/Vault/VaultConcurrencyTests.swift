import Foundation
import Testing

@testable import PasswordVault

@Suite("Concurrency")
struct VaultConcurrencyTests {
    /// Many tasks update one entry: each update is applied or answered 1008, none lost.
    @Test func concurrentUpdatesAreAppliedOrRefusedNeverLost() async throws {
        let f = try await VaultFixture()
        let id = try await f.createShared()
        let vault = f.vault
        let alice = f.alice
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        _ = try await vault.update(id, PasswordRequest(notes: .value("note \(n)")), as: alice)
                        return (n, true)
                    } catch {
                        #expect(error as? VaultError == .concurrentChange)
                        return (n, false)
                    }
                }
            }
            var all: [(Int, Bool)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let applied = outcomes.filter(\.1).count
        let final = try await vault.entity(id, as: alice)
        // Every applied update bumped the version by exactly one; the refused ones wrote nothing.
        #expect(final.version == UInt64(1 + applied))
        #expect(applied >= 1)
        let notes = try #require(try await vault.revealNotes(id, as: alice)?.revealUTF8())
        let winner = try #require(Int(notes.dropFirst(5)))
        #expect(outcomes.contains { $0.0 == winner && $0.1 })
    }

    @Test func concurrentCreatesGetDistinctIdentifiers() async throws {
        let f = try await VaultFixture()
        let vault = f.vault
        let alice = f.alice
        let ids = try await withThrowingTaskGroup(of: EntryID.self) { group in
            for n in 0..<300 {
                group.addTask {
                    try await vault.create(
                        PasswordRequest(name: .value("e\(n)"), username: "u", password: "p"), as: alice
                    )
                    .entity.identifier
                }
            }
            var all: [EntryID] = []
            for try await id in group { all.append(id) }
            return all
        }
        #expect(Set(ids).count == 300)
        #expect(try await vault.list(as: alice).count == 300)
    }
}

@Suite("Listing")
struct ListingTests {
    /// 100 visible among 100,000: the storage touches only what its indexes give.
    @Test func listingUsesTheIndexesNotAScan() async throws {
        let f = try await VaultFixture()
        let sealed = SealedValue(bytes: Array(repeating: 0, count: 60))
        // Bulk-load 100,000 entries straight into the storage (sealing is not what this measures).
        for n in 1...100_000 {
            let owner = n % 1000 == 0 ? f.alice.id : f.mallory.id
            let shares = n % 1000 == 500 ? [UserShare(username: "alice")] : []
            try await f.storage.insert(headerGeneration: nil) { id in
                PasswordEntity(
                    identifier: id, name: "entry \(n)", username: "u", owner: owner, usersAllowed: shares,
                    createdAt: VaultFixture.now, updatedAt: VaultFixture.now, sealedPassword: sealed)
            }
        }
        let before = f.storage.statistics
        let listed = try await f.vault.list(as: f.alice)
        let after = f.storage.statistics
        #expect(listed.count == 200)
        #expect(listed.map(\.entity.identifier) == listed.map(\.entity.identifier).sorted())
        #expect(after.listings == before.listings + 1)
        #expect(after.recordsExaminedByListing - before.recordsExaminedByListing == 200)
        let filtered = try await f.vault.list(ListFilter(name: "ENTRY 1000"), as: f.alice)
        #expect(filtered.map(\.entity.name) == ["entry 1000", "entry 10000", "entry 100000"])
    }

    @Test func filtersCombine() async throws {
        let f = try await VaultFixture()
        func make(_ name: String, _ username: String, _ url: String, _ tags: [String]) async throws {
            _ = try await f.vault.create(
                PasswordRequest(
                    name: .value(name), username: .value(username), password: "p", url: .value(url), tags: .value(tags)),
                as: f.alice)
        }
        try await make("Github", "me@example.com", "https://github.com", [])
        try await make("gmail personal", "me@gmail.com", "www.gmail.com", ["gmail"])
        try await make("gmail corporate", "corp@gmail.com", "www.gmail.com", ["gmail", "work"])
        try await make("senhasegura", "dleite", "www.senhasegura.com", ["senhasegura"])
        func names(_ filter: ListFilter) async throws -> [String] {
            try await f.vault.list(filter, as: f.alice).map(\.entity.name)
        }
        #expect(try await names(ListFilter(tag: "gmail")) == ["gmail personal", "gmail corporate"])
        #expect(try await names(ListFilter(tag: "GMAIL", name: "corporate")) == ["gmail corporate"])
        #expect(try await names(ListFilter(tag: "gmai")) == [])
        #expect(try await names(ListFilter(username: "dleite")) == ["senhasegura"])
        #expect(try await names(ListFilter(url: "www.gmail.com")) == ["gmail personal", "gmail corporate"])
        #expect(try await names(ListFilter(name: "github", url: "gmail")) == [])
        #expect(try await names(ListFilter(tag: "")).count == 4)
    }
}
