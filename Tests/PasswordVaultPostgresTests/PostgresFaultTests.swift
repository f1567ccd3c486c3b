import Foundation
import PasswordVault
import PostgresNIO
import StorageConformance
import Testing

@testable import PasswordVaultPostgres

/// Faults mid-request (docs/contract.md §14): a connection lost in the middle of a create, and a
/// server restart in the middle of one, fail that request cleanly ("Unexpected error.", nothing
/// half-written), and the next request reconnects and succeeds; a wrong password is refused
/// clearly, naming the server.
///
/// "Mid-request" is made deterministic: a second session holds the audit head's row lock, so the
/// create has inserted its entry row (uncommitted) and waits on that lock when the fault strikes.
@Suite("PostgresStorage faults")
struct PostgresFaultTests {
    static let logger = Logger(label: "PasswordVaultPostgresTests.faults")

    /// A vault on `storage` with one entry, "kept", and its owner.
    static func vaultWithOneEntry(_ storage: PostgresStorage) async throws -> (Vault, User) {
        let vault = try await Vault.create(
            storage: storage, credential: .rawKey(try SecretBytes.random(count: 32)), cost: .minimum)
        let owner = try await vault.addUser(named: "owner")
        _ = try await vault.create(PasswordRequest(name: "kept", username: "svc", password: "kept-pw"), as: owner)
        return (vault, owner)
    }

    /// How many records the trail holds, verified.
    static func records(_ vault: Vault) async throws -> UInt64 {
        guard case .intact(let records) = try await vault.verifyAudit() else {
            Issue.record("the trail does not verify")
            return 0
        }
        return records
    }

    /// The backend of the storage's only connection (a pool of one).
    static func backend(of storage: PostgresStorage) async throws -> Int32 {
        try await storage.read { connection, logger in
            try await connection.rows("SELECT pg_backend_pid()", logger: logger).first!.decode(Int32.self)
        }
    }

    /// Starts a create that blocks on the audit head, which `admin` locks; returns once it waits,
    /// with the create's backend.
    static func blockedCreate(
        _ vault: Vault, as owner: User, storage: PostgresStorage, admin: PostgresConnection
    ) async throws -> (Task<WriteResult, any Error>, backend: Int32) {
        let pid = try await backend(of: storage)
        try await admin.query("BEGIN", logger: logger)
        try await admin.query("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE", logger: logger)
        let pending = Task {
            try await vault.create(PasswordRequest(name: "lost", username: "svc", password: "lost-pw"), as: owner)
        }
        try await TestServer.waitUntilBlocked(pid, admin: admin)
        return (pending, pid)
    }

    /// The request failed as the engine's "Unexpected error.", and nothing of it is stored; the
    /// next requests reconnect: the list, a new create, a verified trail.
    static func expectFailedCleanlyThenRecovered(
        _ pending: Task<WriteResult, any Error>, vault: Vault, owner: User, recordsBefore: UInt64
    ) async throws {
        let result = await pending.result
        #expect(throws: VaultError.self) { try result.get() }
        if case .failure(let error as VaultError) = result {
            #expect(error.message == "Unexpected error.")
            guard case .unexpected = error else {
                Issue.record("not unexpected: \(error)")
                return
            }
        }
        #expect(try await vault.list(as: owner).map(\.entity.name) == ["kept"])
        let next = try await vault.create(
            PasswordRequest(name: "next", username: "svc", password: "next-pw"), as: owner)
        #expect(try await vault.revealPassword(next.entity.identifier, as: owner).revealUTF8() == "next-pw")
        #expect(try await vault.list(as: owner).map(\.entity.name) == ["kept", "next"])
        // The lost create left no record; the next create and its reveal left theirs.
        let recordsAfter = try await records(vault)
        #expect(recordsAfter == recordsBefore + 2, "\(recordsBefore) records before, \(recordsAfter) after")
    }

    @Test func aConnectionLostMidCreateFailsItCleanlyAndTheNextRequestReconnects() async throws {
        var configuration = try TestServer.configuration()
        configuration.maximumConnections = 1
        let storage = try await PostgresStorage.open(configuration)
        let (vault, owner) = try await Self.vaultWithOneEntry(storage)
        let admin = try await TestServer.adminConnection(schema: configuration.schema)
        let recordsBefore = try await Self.records(vault)
        let (pending, pid) = try await Self.blockedCreate(vault, as: owner, storage: storage, admin: admin)
        try await admin.query("SELECT pg_terminate_backend(\(pid))", logger: Self.logger)
        try await admin.query("ROLLBACK", logger: Self.logger)
        try await Self.expectFailedCleanlyThenRecovered(
            pending, vault: vault, owner: owner, recordsBefore: recordsBefore)
        try await admin.close()
        await storage.close()
    }

    @Test func aServerRestartMidCreateFailsItCleanlyAndTheNextRequestReconnects() async throws {
        let cluster = try PostgresTestCluster()
        let storage = try await PostgresStorage.open(cluster.configuration)
        let (vault, owner) = try await Self.vaultWithOneEntry(storage)
        let admin = try await TestServer.adminConnection(folder: cluster.folder, schema: nil)
        let recordsBefore = try await Self.records(vault)
        let (pending, _) = try await Self.blockedCreate(vault, as: owner, storage: storage, admin: admin)
        // A fast shutdown ends every session (the create's and the lock holder's) and rolls back.
        try cluster.restart()
        try await Self.expectFailedCleanlyThenRecovered(
            pending, vault: vault, owner: owner, recordsBefore: recordsBefore)
        try? await admin.close()
        await storage.close()
        withExtendedLifetime(cluster) {}
    }

    @Test func aWrongPasswordIsRefusedNamingTheServerAndTheRightOneOpens() async throws {
        var configuration = try TestServer.configuration()
        configuration.username = "pwvault_scram"
        let error = await #expect(throws: StorageError.self) {
            try await PostgresStorage.open(configuration, password: "not-the-password")
        }
        let text = try #require(error).description
        #expect(text.contains(configuration.server), "\(text)")
        #expect(text.contains("password authentication failed"), "\(text)")
        #expect(text.contains("28P01"), "\(text)")
        #expect(!text.contains("not-the-password"))
        await #expect(throws: StorageError.self) { try await PostgresStorage.open(configuration) }
        let storage = try await PostgresStorage.open(configuration, password: "pwvault-scram-test")
        await storage.close()
    }
}
