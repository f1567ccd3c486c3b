// The PostgreSQL rows (issue 15, docs/contract.md §14): the vault on `PostgresStorage`, each row
// beside its C peer on libpq (Sources/CPeers/peers_pg.c) running the adapter's statements on the
// same server in the same run. Compiled when the library has its PostgreSQL adapter
// (POSTGRES_ADAPTER); run against the throw-away server `make bench` starts
// (Tools/with-pg-cluster.sh, fsync on: every commit durable). Without that server every row
// fails, naming what to run.
#if POSTGRES_ADAPTER
    import Benchmark
    import CPeers
    import Foundation
    import PasswordVault
    import PasswordVaultPostgres
    import Synchronization

    /// The concurrent hosts of the 8-host rows: each its own storage (its own connection pool) and
    /// its own vault, as 8 processes on 8 machines would be.
    private let hosts = 8

    func registerPostgresBenchmarks() {
        let commits = Suite.configuration(seconds: 3, iterations: 2_000)
        // 8 hosts: a round of creates spread over the hosts (1,000, so 125 each; a smoke run does
        // one round of 8), timed per create: the row's median is the time of one create at that
        // rate, beside the one-host create row's.
        let rounds = Suite.configuration(scaling: Suite.smoke ? .one : .kilo, seconds: 5, iterations: 50)
        let listed = Suite.size(1_000_000, smoke: 10_000)
        let rotated = Suite.size(100_000, smoke: 500)
        // One rotation per iteration: no warm-up (a rotation is a whole pass over the store).
        let rotation = Suite.configuration(seconds: 1, iterations: 1, warmups: 0)

        benchmark(
            "PostgreSQL vault create, one commit each", commits, setup: { try await PGFixture(others: 1_000) },
            teardown: BenchServer.dropSchemas
        ) { benchmark, f in
            var number = 0
            for _ in benchmark.scaledIterations {
                blackHole(try await f.vault.create(Inputs.request(name: "\(Inputs.name) new \(number)"), as: f.alice))
                number += 1
            }
        }
        benchmark(
            "PostgreSQL vault create, one commit each [C]", commits, setup: { try await PGPeer(others: 1_000) },
            teardown: BenchServer.dropSchemas
        ) { benchmark, peer in
            var number = 0
            for _ in benchmark.scaledIterations {
                let id = peer_pg_create(
                    peer.connection, "\(Inputs.name) new \(number)", Inputs.username, Inputs.url, 1, "alice",
                    peer.password, peer.password.count, peer.secretKey, peer.secretKey.count, AuditTime(Date()).rawValue
                )
                guard id > 0 else { throw PeerFailure(what: "create", status: Int(id)) }
                number += 1
            }
        }

        // A reveal: its record is durable (its own commit) before the secret is returned.
        benchmark(
            "PostgreSQL vault revealPassword, with its audit commit", commits,
            setup: { try await PGFixture(others: 1_000) }, teardown: BenchServer.dropSchemas
        ) { benchmark, f in
            var index = 0
            for _ in benchmark.scaledIterations {
                blackHole(try await f.vault.revealPassword(f.ownedIDs[index], as: f.alice))
                index = (index + 1) % f.ownedIDs.count
            }
        }
        benchmark(
            "PostgreSQL vault revealPassword, with its audit commit [C]", commits,
            setup: { try await PGPeer(others: 1_000) }, teardown: BenchServer.dropSchemas
        ) { benchmark, peer in
            var index = 0
            for _ in benchmark.scaledIterations {
                let read = peer_pg_reveal(peer.connection, peer.ids[index], 1, "alice", AuditTime(Date()).rawValue)
                guard read > 0 else { throw PeerFailure(what: "reveal", status: read) }
                index = (index + 1) % peer.ids.count
            }
        }

        // An update of the password: a new version, the old one into the history (depth 10).
        benchmark(
            "PostgreSQL vault update password, with history", commits,
            setup: { try await PGFixture(others: 1_000) }, teardown: BenchServer.dropSchemas
        ) { benchmark, f in
            let changes = [Inputs.otherPassword, Inputs.password].map { PasswordRequest(password: .value($0)) }
            var index = 0
            for _ in benchmark.scaledIterations {
                let round = index / f.ownedIDs.count
                blackHole(
                    try await f.vault.update(f.ownedIDs[index % f.ownedIDs.count], changes[round % 2], as: f.alice))
                index += 1
            }
        }
        benchmark(
            "PostgreSQL vault update password, with history [C]", commits,
            setup: { try await PGPeer(others: 1_000) }, teardown: BenchServer.dropSchemas
        ) { benchmark, peer in
            var index = 0
            for _ in benchmark.scaledIterations {
                let round = index / peer.ids.count
                let password = round % 2 == 0 ? peer.otherPassword : peer.password
                let status = peer_pg_update(
                    peer.connection, peer.ids[index % peer.ids.count], password, password.count, 1, "alice",
                    AuditTime(Date()).rawValue, Int32(Vault.defaultHistoryDepth))
                guard status == 0 else { throw PeerFailure(what: "update", status: Int(status)) }
                index += 1
            }
        }

        // The listing of alice's 100 entries (60 hers, 20 shared with her, 20 with her group)
        // among 1,000,000 (10,000 in a smoke run), from the indexes.
        benchmark(
            "PostgreSQL vault list 100 among 1,000,000", Suite.configuration(seconds: 3),
            setup: { try await PGFixture(others: listed - VaultFixture.visible) }, teardown: BenchServer.dropSchemas
        ) { benchmark, f in
            for _ in benchmark.scaledIterations {
                let entries = try await f.vault.list(as: f.alice)
                guard entries.count == VaultFixture.visible else {
                    throw PeerFailure(what: "list: \(entries.count) entries instead of 100", status: -1)
                }
                blackHole(entries)
            }
        }
        benchmark(
            "PostgreSQL vault list 100 among 1,000,000 [C]", Suite.configuration(seconds: 3),
            setup: { try await PGPeer(others: listed - VaultFixture.visible) }, teardown: BenchServer.dropSchemas
        ) { benchmark, peer in
            for _ in benchmark.scaledIterations {
                let rows = peer_pg_list(peer.connection, 1, "alice")
                guard rows == VaultFixture.visible else { throw PeerFailure(what: "list", status: rows) }
            }
        }

        // Key rotation of 100,000 entries (500 in a smoke run), each resealed in its own commit.
        // The engine's entries are made through the vault (each value sealed for its entry); each
        // iteration rotates again, to a new key.
        benchmark(
            "PostgreSQL vault rotateDataKey 100,000 entries", rotation,
            setup: { try await PGFixture(created: rotated) }, teardown: BenchServer.dropSchemas
        ) { benchmark, f in
            for _ in benchmark.scaledIterations {
                let resealed = Mutex(0)
                try await f.vault.rotateDataKey { progress in resealed.withLock { $0 = progress.resealed } }
                let count = resealed.withLock { $0 }
                guard count >= rotated else { throw PeerFailure(what: "rotation resealed \(count)", status: -1) }
            }
        }
        benchmark(
            "PostgreSQL vault rotateDataKey 100,000 entries [C]", rotation,
            setup: {
                let peer = try await PGPeer(others: 0, visible: false)
                let status = peer_pg_fill(
                    peer.connection, Int32(rotated), 1_000, Array(Inputs.password.utf8), Inputs.password.utf8.count,
                    Inputs.seed(.sha1), Inputs.seed(.sha1).count)
                guard status == 0 else { throw PeerFailure(what: "fill", status: Int(status)) }
                return peer
            }, teardown: BenchServer.dropSchemas
        ) { benchmark, peer in
            for _ in benchmark.scaledIterations {
                // The peer's fill is the whole store it rotates (the fixture made no entry).
                let resealed = peer_pg_rotate(peer.connection, 256)
                guard resealed == rotated else { throw PeerFailure(what: "rotation", status: resealed) }
            }
        }

        // 8 hosts creating at once: each create its own transaction and record; every host's
        // record is chained after the one head (the row lock and compare-and-set on audit_head).
        benchmark(
            "PostgreSQL vault create, 8 hosts", rounds, setup: { try await PGHosts(count: hosts) },
            teardown: BenchServer.dropSchemas
        ) { benchmark, h in
            let perHost = max(benchmark.scaledIterations.count / hosts, 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (host, vault) in h.vaults.enumerated() {
                    group.addTask {
                        for n in 0..<perHost {
                            blackHole(
                                try await vault.create(Inputs.request(name: "\(Inputs.name) \(host) \(n)"), as: h.alice)
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        benchmark(
            "PostgreSQL vault create, 8 hosts [C]", rounds, setup: { try await PGPeer(others: 0, connections: hosts) },
            teardown: BenchServer.dropSchemas
        ) { benchmark, peer in
            let perHost = max(benchmark.scaledIterations.count / hosts, 1)
            let status = peer_pg_create_threads(
                peer.connections, Int32(hosts), Int32(perHost), Inputs.name, Inputs.username, Inputs.url, 1, "alice",
                peer.password, peer.password.count, peer.secretKey, peer.secretKey.count, AuditTime(Date()).rawValue)
            guard status == 0 else { throw PeerFailure(what: "creates on 8 threads", status: Int(status)) }
        }
    }

    /// The server `make bench` starts: its socket folder in `PWVAULT_TEST_PG_SOCKET` (role and
    /// database `pwvault_test`). Every fixture makes a schema of its own, dropped at teardown.
    enum BenchServer {
        struct NotStarted: Error, CustomStringConvertible {
            var description: String {
                "PWVAULT_TEST_PG_SOCKET is not set: run the PostgreSQL rows through `make bench`, which starts "
                    + "the server (Tools/with-pg-cluster.sh)"
            }
        }

        static let database = "pwvault_test"
        static let role = "pwvault_test"

        static func socketFolder() throws -> String {
            guard let folder = ProcessInfo.processInfo.environment["PWVAULT_TEST_PG_SOCKET"], !folder.isEmpty else {
                throw NotStarted()
            }
            return folder
        }

        /// A new schema's name, remembered for ``dropSchemas()``.
        static func newSchema() -> String {
            let name = "bench_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
            made.withLock { $0.append(name) }
            return name
        }

        static func configuration(schema: String) throws -> PostgresConfiguration {
            PostgresConfiguration(
                endpoint: .unixSocket(folder: try socketFolder(), port: 5432), username: role, database: database,
                connectTimeout: .seconds(10), schema: schema)
        }

        static func connect(schema: String) throws -> OpaquePointer {
            guard let connection = peer_pg_open(try socketFolder(), database, role, schema) else {
                throw PeerFailure(what: "libpq connection to \(try socketFolder())", status: -1)
            }
            return connection
        }

        static let made = Mutex<[String]>([])

        /// Drops every schema this process made (its entries, history and trail with it).
        static func dropSchemas() {
            let schemas = made.withLock { names in
                defer { names.removeAll() }
                return names
            }
            guard !schemas.isEmpty, let connection = try? connect(schema: "public") else { return }
            for schema in schemas { _ = peer_pg_exec(connection, "DROP SCHEMA IF EXISTS \(schema) CASCADE") }
            peer_pg_close(connection)
        }

        /// Runs `body` with the server's commits asynchronous (`synchronous_commit = off`, as the
        /// superuser): for loading a fixture through the engine, not for a measurement.
        static func withAsynchronousCommits<T>(_ body: () async throws -> T) async throws -> T {
            guard let admin = peer_pg_open(try socketFolder(), database, "postgres", "public") else {
                throw PeerFailure(what: "libpq connection as postgres", status: -1)
            }
            defer { peer_pg_close(admin) }
            func set(_ sql: String) throws {
                guard peer_pg_exec(admin, sql) == 0, peer_pg_exec(admin, "SELECT pg_reload_conf()") == 0 else {
                    throw PeerFailure(what: sql, status: -1)
                }
            }
            try set("ALTER SYSTEM SET synchronous_commit = off")
            do {
                let result = try await body()
                try set("ALTER SYSTEM RESET synchronous_commit")
                return result
            } catch {
                try? set("ALTER SYSTEM RESET synchronous_commit")
                throw error
            }
        }
    }

    /// A vault on PostgreSQL in a schema of its own, shaped like ``SQLiteFixture``: `others`
    /// entries of 1,000 other owners (loaded by the server from C, the secondary indexes built
    /// after the load, then ANALYZE) and 100 visible to alice made through the vault — 60 hers,
    /// 20 shared with her by bob, 20 with her group by carol. Or `created` entries of alice's, all
    /// made through the vault (their values sealed for their entries, for the rotation row). Or,
    /// without `visible`, none (the rotation peer's store, which it fills itself).
    final class PGFixture: @unchecked Sendable {
        let schema: String
        let storage: PostgresStorage
        let credential: VaultCredential
        let vault: Vault
        let alice = User(id: UserID(rawValue: 1), username: "alice")
        let ownedIDs: [EntryID]

        init(others: Int = 0, created: Int = 0, visible: Bool = true) async throws {
            schema = BenchServer.newSchema()
            storage = try await PostgresStorage.open(try BenchServer.configuration(schema: schema))
            let bob = User(id: UserID(rawValue: 2), username: "bob")
            let carol = User(id: UserID(rawValue: 3), username: "carol")
            for user in [alice, bob, carol] { try await storage.addUser(user) }
            try await storage.addGroup(named: "team")
            try await storage.setMembership(group: "team", username: "alice", isMember: true)
            credential = .rawKey(try SecretBytes.random(count: 32))
            vault = try await Vault.create(storage: storage, credential: credential)
            if others > 0 {
                let loader = try BenchServer.connect(schema: schema)
                defer { peer_pg_close(loader) }
                let password = Array(Inputs.password.utf8)
                let seed = Inputs.seed(.sha1)
                guard peer_pg_exec(loader, "DROP INDEX entry_owner, entry_user_keys, entry_group_keys") == 0,
                    peer_pg_fill(loader, Int32(others), 1_000, password, password.count, seed, seed.count) == 0,
                    peer_pg_exec(
                        loader,
                        """
                        CREATE INDEX entry_owner ON entry (owner);
                        CREATE INDEX entry_user_keys ON entry USING gin (user_keys);
                        CREATE INDEX entry_group_keys ON entry USING gin (group_keys);
                        ANALYZE entry
                        """) == 0
                else { throw PeerFailure(what: "loading \(others) entries", status: -1) }
            }
            var owned: [EntryID] = []
            let (vault, alice) = (vault, alice)
            if created > 0 {
                owned = try await BenchServer.withAsynchronousCommits {
                    var ids: [EntryID] = []
                    for index in 0..<created {
                        ids.append(
                            try await vault.create(Inputs.request(name: "\(Inputs.name) \(index)"), as: alice).entity
                                .identifier)
                    }
                    return ids
                }
            } else if visible {
                for index in 0..<VaultFixture.visible {
                    let request = Inputs.request(name: "\(Inputs.name) \(index)")
                    switch index {
                    case 0..<60:
                        owned.append(try await vault.create(request, as: alice).entity.identifier)
                    case 60..<80:
                        var shared = request
                        shared.usersAllowed = .value([ShareRequest(name: "alice")])
                        _ = try await vault.create(shared, as: bob)
                    default:
                        var shared = request
                        shared.groupsAllowed = .value([ShareRequest(name: "team")])
                        _ = try await vault.create(shared, as: carol)
                    }
                }
            }
            ownedIDs = owned
        }
    }

    /// The C side: a ``PGFixture`` (the adapter's own schema and rows, made by the library) and
    /// `connections` libpq connections to it.
    final class PGPeer: @unchecked Sendable {
        let fixture: PGFixture
        let connections: [OpaquePointer?]
        let ids: [Int64]
        let password = [UInt8](repeating: 0xA5, count: SQLiteFixture.sealedPasswordBytes)
        let otherPassword = [UInt8](repeating: 0xA6, count: SQLiteFixture.sealedPasswordBytes)
        let secretKey = [UInt8](repeating: 0x5A, count: SQLiteFixture.sealedSecretKeyBytes)

        var connection: OpaquePointer { connections[0]! }

        init(others: Int, visible: Bool = true, connections count: Int = 1) async throws {
            fixture = try await PGFixture(others: others, visible: visible)
            var made: [OpaquePointer?] = []
            for _ in 0..<count {
                do { made.append(try BenchServer.connect(schema: fixture.schema)) } catch {
                    made.forEach(peer_pg_close)
                    throw error
                }
            }
            connections = made
            ids = fixture.ownedIDs.map(\.rawValue)
        }

        deinit { connections.forEach(peer_pg_close) }
    }

    /// `count` hosts on one vault: a ``PGFixture`` and `count` more storages and vaults opened on
    /// its schema, each with its own connection pool.
    final class PGHosts: @unchecked Sendable {
        let fixture: PGFixture
        let vaults: [Vault]
        var alice: User { fixture.alice }

        init(count: Int) async throws {
            fixture = try await PGFixture(others: 0)
            var vaults: [Vault] = []
            for _ in 0..<count {
                let storage = try await PostgresStorage.open(try BenchServer.configuration(schema: fixture.schema))
                vaults.append(try await Vault.open(storage: storage, credential: fixture.credential))
            }
            self.vaults = vaults
        }
    }
#else
    /// The library has no PostgreSQL adapter yet: no PostgreSQL rows.
    func registerPostgresBenchmarks() {}
#endif
