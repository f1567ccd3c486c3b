// The SQLite rows: compiled when the library has its SQLite adapter (`SQLiteStorage`, in the
// `PasswordVaultSQLite` product); Package.swift defines SQLITE_ADAPTER then.
#if SQLITE_ADAPTER
    import Benchmark
    import CPeers
    import Foundation
    import PasswordVault
    import PasswordVaultSQLite
    import Synchronization

    /// The vault on SQLite (WAL, `synchronous = FULL`), against SQLite's C API on the same rows.
    func registerSQLiteBenchmarks() {
        let total = Suite.size(100_000, smoke: 1_000)
        let fast = Suite.configuration(scaling: .kilo, seconds: 3)
        let commits = Suite.configuration(seconds: 3, iterations: 2_000)

        // Bulk create: identifiers for the whole batch, then every row in one transaction
        // (`allocateIdentifiers(_:)` + `insert(contentsOf:)`, the adapter's batch API). The
        // entries are sealed before the clock starts, as the C rows are made before it.
        benchmark(
            "SQLite bulk create 100,000 entries", Suite.configuration(seconds: 10, iterations: 10),
            setup: { try await BulkFixture(total: total) }, teardown: Scratch.removeAll
        ) { benchmark, fixture in
            // One batch per iteration (scaling 1), timed from a fresh, empty database.
            let storage = try fixture.freshStorage()
            benchmark.startMeasurement()
            let ids = try await storage.allocateIdentifiers(fixture.entities.count)
            guard ids.first == fixture.entities.first?.identifier else {
                throw PeerFailure(what: "identifiers do not start at 1", status: -1)
            }
            try await storage.insert(contentsOf: fixture.entities)
            benchmark.stopMeasurement()  // before the database is closed
            withExtendedLifetime(storage) {}
        }
        benchmark(
            "SQLite bulk create 100,000 entries [C]", Suite.configuration(seconds: 10, iterations: 10),
            teardown: Scratch.removeAll
        ) { benchmark in
            let scratch = try Scratch()
            let sealed = [UInt8](repeating: 0xA5, count: SQLiteFixture.sealedBytes)
            guard let db = peer_sqlite_open(scratch.newPath()) else {
                throw PeerFailure(what: "sqlite3_open", status: -1)
            }
            defer { peer_sqlite_close(db) }
            benchmark.startMeasurement()
            let status = peer_sqlite_insert_batch(
                db, 1, Int32(total), Inputs.name, Inputs.username, Inputs.url, 1_000, sealed, sealed.count)
            guard status == 0 else { throw PeerFailure(what: "insert batch", status: Int(status)) }
            benchmark.stopMeasurement()
        }

        // The same rows with the adapter's schema (the owner index, the share tables), from C: what
        // SQLite itself spends on our schema, without Swift or GRDB; then with the schema as it was
        // before (three NOCASE text indexes no query used, a tag table, a look-up before each row).
        for (suffix, former) in [("with adapter schema", false), ("with former adapter schema", true)] {
            benchmark(
                "SQLite bulk create 100,000 entries \(suffix) [C]",
                Suite.configuration(seconds: 10, iterations: 10), teardown: Scratch.removeAll
            ) { benchmark in
                let scratch = try Scratch()
                let password = [UInt8](repeating: 0xA5, count: SQLiteFixture.sealedPasswordBytes)
                let secretKey = [UInt8](repeating: 0x5A, count: SQLiteFixture.sealedSecretKeyBytes)
                guard let db = peer_sqlite_open_vault_schema(scratch.newPath(), former ? 1 : 0) else {
                    throw PeerFailure(what: "sqlite3_open", status: -1)
                }
                defer { peer_sqlite_close(db) }
                benchmark.startMeasurement()
                let status = peer_sqlite_insert_batch_vault_schema(
                    db, 1, Int32(total), Inputs.name, Inputs.username, Inputs.url, 1_000, password, password.count,
                    secretKey, secretKey.count)
                guard status == 0 else { throw PeerFailure(what: "insert batch", status: Int(status)) }
                benchmark.stopMeasurement()
            }
        }

        benchmark(
            "SQLite vault create, one commit each", commits, setup: { try await SQLiteFixture(total: 1_000) },
            teardown: Scratch.removeAll
        ) {
            benchmark, f in
            var number = 0
            for _ in benchmark.scaledIterations {
                blackHole(try await f.vault.create(Inputs.request(name: "\(Inputs.name) new \(number)"), as: f.alice))
                number += 1
            }
        }
        // The peer: what the adapter's create asks of SQLite, from C, on a vault database the
        // library made (its schema and writer settings: WAL, synchronous = FULL, secure_delete =
        // ON), every statement prepared once: BEGIN IMMEDIATE, the header generation, the
        // identifier counter's increment, the 18-column row, the create's audit record chained
        // after the head (keyed BLAKE2b) and the head moved, COMMIT (one fsync'd commit).
        benchmark(
            "SQLite vault create, one commit each [C]", commits, setup: { try await PeerAudit(rows: 1_000) },
            teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            var number = 0
            for _ in benchmark.scaledIterations {
                var id: Int64 = 0
                let status = peer_audit_create(
                    peer.db, "\(Inputs.name) new \(number)", Inputs.username, Inputs.url, 1, "alice",
                    peer.password, peer.password.count, peer.secretKey, peer.secretKey.count,
                    AuditTime(Date()).rawValue, &id)
                guard status == 0 else { throw PeerFailure(what: "create", status: Int(status)) }
                blackHole(id)
                number += 1
            }
        }
        // The former peer, for comparison: one row of a 6-column table in an autocommit INSERT,
        // with no identifier allocation, no generation check and no owner index.
        benchmark(
            "SQLite vault create, one commit each autocommit insert, 6 columns [C]", commits,
            setup: { try PeerDatabase(rows: 1_000) }, teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            let sealed = [UInt8](repeating: 0xA5, count: SQLiteFixture.sealedBytes)
            for _ in benchmark.scaledIterations {
                peer.lastID += 1
                let status = peer_sqlite_insert_one(
                    peer.db, peer.lastID, Inputs.name, Inputs.username, Inputs.url, 1_000, sealed, sealed.count)
                guard status == 0 else { throw PeerFailure(what: "insert", status: Int(status)) }
            }
        }

        // A reveal commits its audit record (fsync'd) before the secret is returned
        // (docs/contract.md §12), so the peer does too: the entry row, then the record's commit
        // (peer_audit_reveal, as the audit rows' peer). The primary-key select alone, the peer
        // these rows had before the trail, is kept as a reference (↳).
        benchmark(
            "SQLite vault revealPassword warm, with its audit commit", commits,
            setup: { try await SQLiteFixture(total: total) }, teardown: Scratch.removeAll
        ) {
            benchmark, f in
            var index = 0
            for _ in benchmark.scaledIterations {
                blackHole(try await f.vault.revealPassword(f.ownedIDs[index], as: f.alice))
                index = (index + 1) % f.ownedIDs.count
            }
        }
        benchmark(
            "SQLite vault revealPassword warm, with its audit commit [C]", commits,
            setup: { try await PeerAudit(rows: total) }, teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            var index = 0
            for _ in benchmark.scaledIterations {
                let read = peer_audit_reveal(peer.db, peer.ids[index], 1, "alice", AuditTime(Date()).rawValue)
                guard read > 0 else { throw PeerFailure(what: "reveal", status: read) }
                index = (index + 1) % peer.ids.count
            }
        }
        benchmark(
            "SQLite vault revealPassword warm, with its audit commit primary-key select only [C]", fast,
            setup: { try PeerDatabase(rows: total) }, teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            var out = [UInt8](repeating: 0, count: 512)
            var id: Int64 = 1
            for _ in benchmark.scaledIterations {
                let read = peer_sqlite_lookup(peer.db, id, &out, out.count)
                guard read > 0 else { throw PeerFailure(what: "lookup \(id)", status: read) }
                id = (id + 996) % Int64(total) + 1
            }
        }

        // Cold: a freshly opened storage and vault (SQLite's page cache empty; the kernel's is
        // not), then one reveal with its audit commit. The peer opens a connection (its settings,
        // every statement prepared) and does the same reveal.
        benchmark(
            "SQLite vault revealPassword cold, with its audit commit", commits,
            setup: { try await SQLiteFixture(total: total) }, teardown: Scratch.removeAll
        ) {
            benchmark, f in
            var index = 0
            for _ in benchmark.scaledIterations {
                let storage = try SQLiteStorage.open(at: f.path)
                let vault = try await Vault.open(storage: storage, credential: f.credential)
                blackHole(try await vault.revealPassword(f.ownedIDs[index], as: f.alice))
                index = (index + 1) % f.ownedIDs.count
            }
        }
        benchmark(
            "SQLite vault revealPassword cold, with its audit commit [C]", commits,
            setup: { try await PeerAudit(rows: total) }, teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            var index = 0
            for _ in benchmark.scaledIterations {
                guard let db = peer_audit_open(peer.fixture.path) else {
                    throw PeerFailure(what: "sqlite3_open", status: -1)
                }
                let read = peer_audit_reveal(db, peer.ids[index], 1, "alice", AuditTime(Date()).rawValue)
                peer_audit_close(db)
                guard read > 0 else { throw PeerFailure(what: "reveal", status: read) }
                index = (index + 1) % peer.ids.count
            }
        }
        benchmark(
            "SQLite vault revealPassword cold, with its audit commit open and primary-key select only [C]", commits,
            setup: { try PeerDatabase(rows: total) }, teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            var out = [UInt8](repeating: 0, count: 512)
            var id: Int64 = 1
            for _ in benchmark.scaledIterations {
                guard let db = peer_sqlite_open(peer.path) else { throw PeerFailure(what: "sqlite3_open", status: -1) }
                let read = peer_sqlite_lookup(db, id, &out, out.count)
                peer_sqlite_close(db)
                guard read > 0 else { throw PeerFailure(what: "lookup \(id)", status: read) }
                id = (id + 996) % Int64(total) + 1
            }
        }

        benchmark(
            "SQLite vault code(at:)", fast, setup: { try await SQLiteFixture(total: total) },
            teardown: Scratch.removeAll
        ) { benchmark, f in
            var index = 0
            var time = Date(timeIntervalSince1970: 1_700_000_000)
            for _ in benchmark.scaledIterations {
                blackHole(try await f.vault.code(f.ownedIDs[index], at: time, as: f.alice))
                index = (index + 1) % f.ownedIDs.count
                time += 30
            }
        }

        benchmark(
            "SQLite vault update password", commits, setup: { try await SQLiteFixture(total: total) },
            teardown: Scratch.removeAll
        ) {
            benchmark, f in
            let changes = [Inputs.otherPassword, Inputs.password].map { PasswordRequest(password: .value($0)) }
            var index = 0
            for _ in benchmark.scaledIterations {
                let round = index / f.ownedIDs.count
                blackHole(
                    try await f.vault.update(f.ownedIDs[index % f.ownedIDs.count], changes[round % 2], as: f.alice))
                index += 1
            }
        }

        // The peer: the update with history as the adapter runs it (the row read, then one
        // commit: the compare-and-set UPDATE, the share index rows, the history row, the purge
        // beyond depth 10, the audit record, the head), from C, on the same kind of vault.
        benchmark(
            "SQLite vault update password [C]", commits, setup: { try await PeerAudit(rows: total) },
            teardown: Scratch.removeAll
        ) {
            benchmark, peer in
            var index = 0
            for _ in benchmark.scaledIterations {
                let round = index / peer.ids.count
                let password = round % 2 == 0 ? peer.otherPassword : peer.password
                let status = peer_audit_update(
                    peer.db, peer.ids[index % peer.ids.count], password, password.count, 1, "alice",
                    AuditTime(Date()).rawValue, Int32(Vault.defaultHistoryDepth))
                guard status == 0 else { throw PeerFailure(what: "update", status: Int(status)) }
                index += 1
            }
        }

        benchmark(
            "SQLite vault list 100 among 100,000", Suite.configuration(seconds: 3),
            setup: { try await SQLiteFixture(total: total) }, teardown: Scratch.removeAll
        ) { benchmark, f in
            for _ in benchmark.scaledIterations {
                let listed = try await f.vault.list(as: f.alice)
                guard listed.count == VaultFixture.visible else {
                    throw PeerFailure(what: "list: \(listed.count) entries instead of 100", status: -1)
                }
                blackHole(listed)
            }
        }
    }

    /// A directory for database files, removed with the process's other scratch.
    final class Scratch: @unchecked Sendable {
        let directory: URL
        private var counter = 0

        init() throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("pwvault-bench-\(getpid())-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            Scratch.made.withLock { $0.append(directory) }
        }

        /// A path for a new database file (the previous ones are removed, with their -wal and -shm).
        func newPath() -> String {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(file))
            }
            counter += 1
            return directory.appendingPathComponent("vault-\(counter).db").path
        }

        static let made = Mutex<[URL]>([])

        /// Removes every scratch directory of this process (at exit).
        static func removeAll() {
            made.withLock { directories in
                for directory in directories { try? FileManager.default.removeItem(at: directory) }
                directories.removeAll()
            }
        }
    }

    /// A vault on SQLite shaped like ``VaultFixture``: `total` entries, 100 visible to alice
    /// (created through the vault, one commit each), the others typical entries sealed once
    /// and inserted in batches of 1,000 through the adapter's batch API.
    struct SQLiteFixture: @unchecked Sendable {
        /// Bytes of sealed values in a typical row (password and TOTP seed), as in the C rows.
        static let sealedBytes = sealedPasswordBytes + sealedSecretKeyBytes
        /// A sealed 16-byte password: 54 bytes of layout and binding (`SealedValue`), then the secret.
        static let sealedPasswordBytes = 54 + Inputs.password.utf8.count
        /// A sealed TOTP seed of 20 bytes with its 15 bytes of parameters.
        static let sealedSecretKeyBytes = 54 + 15 + 20

        let scratch: Scratch
        let path: String
        let credential: VaultCredential
        let vault: Vault
        let alice: User
        let ownedIDs: [EntryID]

        init(total: Int) async throws {
            scratch = try Scratch()
            path = scratch.newPath()
            let storage = try SQLiteStorage.create(at: path)
            credential = .rawKey(try SecretBytes.random(count: 32))
            alice = User(id: UserID(rawValue: 1), username: "alice")
            let bob = User(id: UserID(rawValue: 2), username: "bob")
            let carol = User(id: UserID(rawValue: 3), username: "carol")
            for user in [alice, bob, carol] { try await storage.addUser(user) }
            try await storage.addGroup(named: "team")
            try await storage.setMembership(group: "team", username: "alice", isMember: true)
            vault = try await Vault.create(storage: storage, credential: credential)

            let template = try await vault.create(Inputs.request(name: Inputs.name), as: carol).entity
            var owned: [EntryID] = []
            let others = total - VaultFixture.visible - 1
            var made = 0
            for index in 0..<VaultFixture.visible {
                let target = others * (index + 1) / VaultFixture.visible
                let ids = try await storage.allocateIdentifiers(target - made)
                let batch = ids.enumerated().map { offset, id in
                    SQLiteFixture.copy(of: template, id: id, number: made + offset)
                }
                try await storage.insert(contentsOf: batch)
                made = target
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
            ownedIDs = owned
        }

        /// A copy of `template` under `id`, owned by one of 1,000 other users.
        static func copy(of template: PasswordEntity, id: EntryID, number: Int) -> PasswordEntity {
            var entity = template
            entity.identifier = id
            entity.name = "\(Inputs.name) \(number)"
            entity.owner = UserID(rawValue: 1_000 + Int64(number % 1_000))
            return entity
        }
    }

    /// The bulk rows' input: `total` typical entries with identifiers 1…total, sealed once.
    struct BulkFixture: @unchecked Sendable {
        let scratch: Scratch
        let entities: [PasswordEntity]

        init(total: Int) async throws {
            scratch = try Scratch()
            let staging = try await SQLiteFixture(total: VaultFixture.visible + 1)
            let template = try await staging.vault.entity(staging.ownedIDs[0], as: staging.alice)
            entities = (1...total).map { number in
                SQLiteFixture.copy(of: template, id: EntryID(rawValue: Int64(number))!, number: number)
            }
        }

        /// A new, empty vault database (header and users as a real vault has them).
        func freshStorage() throws -> SQLiteStorage {
            try SQLiteStorage.create(at: scratch.newPath())
        }
    }

    /// The C side: a database of `rows` rows made through the C API, and its connection.
    final class PeerDatabase: @unchecked Sendable {
        let scratch: Scratch
        let path: String
        let db: OpaquePointer
        var lastID: Int64

        init(rows: Int) throws {
            scratch = try Scratch()
            path = scratch.newPath()
            guard let db = peer_sqlite_open(path) else { throw PeerFailure(what: "sqlite3_open", status: -1) }
            self.db = db
            let sealed = [UInt8](repeating: 0xA5, count: SQLiteFixture.sealedBytes)
            let status = peer_sqlite_insert_batch(
                db, 1, Int32(rows), Inputs.name, Inputs.username, Inputs.url, 1_000, sealed, sealed.count)
            guard status == 0 else { throw PeerFailure(what: "insert batch", status: Int(status)) }
            lastID = Int64(rows)
        }

        deinit { peer_sqlite_close(db) }
    }
#else
    /// The library has no SQLite adapter yet: no SQLite rows.
    func registerSQLiteBenchmarks() {}
#endif
