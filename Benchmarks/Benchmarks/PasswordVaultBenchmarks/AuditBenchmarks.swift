// The audit trail's rows (issue 13, docs/contract.md §12) on SQLite, each beside its C peer
// (Sources/CPeers/peers_audit.c) measured in the same run. Compiled with the SQLite adapter.
#if SQLITE_ADAPTER
    import Benchmark
    import CPeers
    import Foundation
    @_spi(Benchmarks) import PasswordVault
    import PasswordVaultSQLite

    /// The concurrent callers of the 8-caller rows.
    private let callers = 8

    func registerAuditBenchmarks() {
        let commits = Suite.configuration(seconds: 3, iterations: 2_000)
        // The 8-caller rows: a round of reveals spread over 8 callers (1,000, so 125 each; a
        // smoke run does one round of 8), timed per reveal (the scaling factor divides it).
        let rounds = Suite.configuration(scaling: Suite.smoke ? .one : .kilo, seconds: 5, iterations: 50)
        let trail = Suite.size(1_000_000, smoke: 10_000)

        // A reveal: its record is durable (its own fsync'd commit) before the secret is returned.
        benchmark(
            "SQLite reveal with audit record, one caller", commits,
            setup: { try await SQLiteFixture(total: 1_000) }, teardown: Scratch.removeAll
        ) { benchmark, f in
            var index = 0
            for _ in benchmark.scaledIterations {
                blackHole(try await f.vault.revealPassword(f.ownedIDs[index], as: f.alice))
                index = (index + 1) % f.ownedIDs.count
            }
        }
        benchmark(
            "SQLite reveal with audit record, one caller [C]", commits,
            setup: { try await PeerAudit(rows: 1_000) }, teardown: Scratch.removeAll
        ) { benchmark, peer in
            var index = 0
            for _ in benchmark.scaledIterations {
                let read = peer_audit_reveal(peer.db, peer.ids[index], 1, "alice", AuditTime(Date()).rawValue)
                guard read > 0 else { throw PeerFailure(what: "reveal", status: read) }
                index = (index + 1) % peer.ids.count
            }
        }

        // 8 callers at once: the AuditLog groups the records that wait meanwhile into one commit.
        benchmark(
            "SQLite reveal with audit record, 8 callers", rounds,
            setup: { try await SQLiteFixture(total: 1_000) }, teardown: Scratch.removeAll
        ) { benchmark, f in
            let perCaller = max(benchmark.scaledIterations.count / callers, 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        for n in 0..<perCaller {
                            let id = f.ownedIDs[(caller * perCaller + n) % f.ownedIDs.count]
                            blackHole(try await f.vault.revealPassword(id, as: f.alice))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // The peer: 8 threads, each on its own connection; SQLite lets one writer in at a time,
        // so each reveal's commit is its own fsync (no group commit in plain SQLite).
        benchmark(
            "SQLite reveal with audit record, 8 callers [C]", rounds,
            setup: { try await PeerAudit(rows: 1_000, connections: callers) }, teardown: Scratch.removeAll
        ) { benchmark, peer in
            let perCaller = max(benchmark.scaledIterations.count / callers, 1)
            let ids = (0..<(perCaller * callers)).map { peer.ids[$0 % peer.ids.count] }
            let status = peer_audit_reveal_threads(
                peer.connections, Int32(callers), ids, Int32(perCaller), 1, "alice", AuditTime(Date()).rawValue)
            guard status == 0 else { throw PeerFailure(what: "reveals on 8 threads", status: Int(status)) }
        }

        // `verifyAudit()` of a whole trail (1,000,000 records; 10,000 in a smoke run). The trail
        // is filled before the clock starts, in commits of 50,000 records.
        benchmark(
            "SQLite verify audit trail, 1,000,000 records", Suite.configuration(seconds: 10, iterations: 10),
            setup: { try await AuditTrailFixture(records: trail) }, teardown: Scratch.removeAll
        ) { benchmark, f in
            for _ in benchmark.scaledIterations {
                let verdict = try await f.fixture.vault.verifyAudit()
                guard case .intact(let records) = verdict, records >= UInt64(trail) else {
                    throw PeerFailure(what: "verify: \(verdict)", status: -1)
                }
            }
        }
        // The peer: every row read with sqlite3 in seq order, its canonical encoding rebuilt and
        // its MAC checked with libsodium's crypto_generichash, then the head.
        benchmark(
            "SQLite verify audit trail, 1,000,000 records [C]", Suite.configuration(seconds: 10, iterations: 10),
            setup: {
                let peer = try await PeerAudit(rows: VaultFixture.visible + 1)
                let status = peer_audit_fill(peer.db, Int32(trail), 1, "alice", AuditTime(Date()).rawValue)
                guard status == 0 else { throw PeerFailure(what: "fill", status: Int(status)) }
                return peer
            }, teardown: Scratch.removeAll
        ) { benchmark, peer in
            for _ in benchmark.scaledIterations {
                let verified = peer_audit_verify(peer.db)
                guard verified == trail else { throw PeerFailure(what: "verify", status: verified) }
            }
        }

        // The history list of an entry with 10 versions (the current one and 9 old ones).
        benchmark(
            "SQLite history of an entry with 10 versions", commits,
            setup: { try await HistoryFixture(total: 1_000) }, teardown: Scratch.removeAll
        ) { benchmark, h in
            for _ in benchmark.scaledIterations {
                let versions = try await h.fixture.vault.history(h.id, as: h.fixture.alice)
                guard versions.count == 10 else {
                    throw PeerFailure(what: "history: \(versions.count) versions", status: -1)
                }
                blackHole(versions)
            }
        }
        benchmark(
            "SQLite history of an entry with 10 versions [C]", commits,
            setup: {
                let h = try await HistoryFixture(total: 1_000)
                return (h, try PeerAudit(fixture: h.fixture))
            }, teardown: Scratch.removeAll
        ) { benchmark, state in
            let (h, peer) = state
            for _ in benchmark.scaledIterations {
                let versions = peer_audit_history(peer.db, h.id.rawValue, 1, "alice", AuditTime(Date()).rawValue)
                guard versions == 10 else { throw PeerFailure(what: "history", status: Int(versions)) }
            }
        }
    }

    /// The C side of the audit rows: a vault database made by the library (``SQLiteFixture``:
    /// the adapter's own schema and rows, not a copy), and `connections` C connections to it.
    final class PeerAudit: @unchecked Sendable {
        let fixture: SQLiteFixture
        /// The connections, for `peer_audit_reveal_threads`.
        let connections: [OpaquePointer?]
        /// Alice's entries.
        let ids: [Int64]
        let password = [UInt8](repeating: 0xA5, count: SQLiteFixture.sealedPasswordBytes)
        let otherPassword = [UInt8](repeating: 0xA6, count: SQLiteFixture.sealedPasswordBytes)
        let secretKey = [UInt8](repeating: 0x5A, count: SQLiteFixture.sealedSecretKeyBytes)

        var db: OpaquePointer { connections[0]! }

        convenience init(rows: Int, connections count: Int = 1) async throws {
            try self.init(fixture: try await SQLiteFixture(total: rows), connections: count)
        }

        init(fixture: SQLiteFixture, connections count: Int = 1) throws {
            self.fixture = fixture
            var made: [OpaquePointer?] = []
            for _ in 0..<count {
                guard let connection = peer_audit_open(fixture.path) else {
                    made.forEach(peer_audit_close)
                    throw PeerFailure(what: "sqlite3_open", status: -1)
                }
                made.append(connection)
            }
            connections = made
            ids = fixture.ownedIDs.map(\.rawValue)
        }

        deinit { connections.forEach(peer_audit_close) }
    }

    /// A vault on SQLite (``SQLiteFixture`` of 101 entries) whose trail holds `records` more
    /// reveal records, appended through the engine (chained under its audit key) in commits of
    /// 50,000.
    struct AuditTrailFixture: Sendable {
        let fixture: SQLiteFixture

        init(records: Int) async throws {
            fixture = try await SQLiteFixture(total: VaultFixture.visible + 1)
            let actor = AuditActor.user(id: fixture.alice.id, username: fixture.alice.username)
            let start = AuditTime(Date()).rawValue
            var made = 0
            while made < records {
                let count = min(50_000, records - made)
                let events = (made..<(made + count)).map { number in
                    AuditEvent(
                        time: AuditTime(rawValue: start + Int64(number)), actor: actor, action: .reveal,
                        entry: fixture.ownedIDs[number % fixture.ownedIDs.count], fields: ["password"])
                }
                try await fixture.vault.appendAuditEvents(events)
                made += count
            }
        }
    }

    /// A vault on SQLite (``SQLiteFixture``) with one of alice's entries updated 9 times: 10 versions.
    struct HistoryFixture: Sendable {
        let fixture: SQLiteFixture
        let id: EntryID

        init(total: Int) async throws {
            fixture = try await SQLiteFixture(total: total)
            id = fixture.ownedIDs[0]
            for number in 1...9 {
                let change = PasswordRequest(password: .value(number % 2 == 0 ? Inputs.password : Inputs.otherPassword))
                _ = try await fixture.vault.update(id, change, as: fixture.alice)
            }
        }
    }
#else
    /// The library has no SQLite adapter yet: no audit rows.
    func registerAuditBenchmarks() {}
#endif
