import Foundation
import PasswordVault
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The audit trail under SIGKILL (docs/contract.md §12): two writer processes (`vault-…` mode of
/// ``CrashWriter``) open one vault and loop — create an entry, reveal it, update it — each call
/// acknowledged on stdout only once the vault returned; both are killed at random moments, and
/// after every round the trail must verify, every acknowledged call must have its record, and
/// no record may name a write that did not happen (nor a write lack its record).
///
/// Both writers append to the one chain at once: each one's commits that lose the race for the
/// head are chained again (`StorageError/auditHeadMoved`), so the rounds also test that two
/// processes on one store keep one unbroken chain.
public struct AuditCrashHarness: Sendable {
    /// The writer's first argument: `vault-` and the store's name (`vault-file`, `vault-sqlite`,
    /// or an adapter's own), which the writer's `open` receives without `vault-`.
    public var kind: String
    /// How many kill-and-check rounds.
    public var rounds: Int
    /// Creates an empty store at a path.
    public var create: @Sendable (String) async throws -> any VaultStorage
    /// Opens the store at a path.
    public var open: @Sendable (String) async throws -> any VaultStorage
    /// The writer executable (``CrashWriter/main(_:open:)``); by default this package's.
    public var writer: URL

    /// The vault's passphrase (minimum cost: the writers open it once each).
    public static let passphrase = "audit crash ✓"
    /// The users the two writers act as; each writer's tag is its username.
    public static let writers = ["alpha", "beta"]

    /// The vault's credential.
    public static var credential: VaultCredential { .passphrase(SecretBytes(utf8: passphrase)) }

    /// A harness.
    public init(
        kind: String, rounds: Int, writer: URL = CrashHarness.writerBinary,
        create: @escaping @Sendable (String) async throws -> any VaultStorage,
        open: @escaping @Sendable (String) async throws -> any VaultStorage
    ) {
        self.kind = kind
        self.rounds = rounds
        self.writer = writer
        self.create = create
        self.open = open
    }

    /// What the writers said they did, call by call, over all rounds.
    public struct Acknowledged: Sendable {
        /// Entries created, by the writer that created them.
        public var created: [EntryID: String] = [:]
        /// Reveals acknowledged, per entry.
        public var revealed: [EntryID: Int] = [:]
        /// Updates acknowledged, per entry.
        public var updated: [EntryID: Int] = [:]
        /// Rounds in which both writers had at least one call acknowledged.
        public var roundsWhereBothWrote = 0

        /// Every acknowledged call.
        public var calls: Int { created.count + revealed.values.reduce(0, +) + updated.values.reduce(0, +) }
    }

    /// Makes the vault at `path` with one user per writer.
    public func seed(at path: String) async throws {
        let vault = try await Vault.create(storage: try await create(path), credential: Self.credential, cost: .minimum)
        for name in Self.writers { _ = try await vault.addUser(named: name) }
    }

    /// Seeds a vault at `path`, then runs the rounds.
    public func run(at path: String) async throws -> Acknowledged {
        try #require(
            FileManager.default.isExecutableFile(atPath: writer.path),
            "build the writer first: swift build --product \(writer.lastPathComponent)")
        try await seed(at: path)
        var acknowledged = Acknowledged()
        for round in 0..<rounds {
            let writers = try Self.writers.map { try WriterProcess(writer, kind: kind, path: path, tag: $0) }
            if round % 4 != 0 {
                // Most rounds let the writers open the vault first; the others may kill a writer
                // while it is still opening it.
                for writer in writers { try await writer.waitUntilReady() }
            }
            let delays = writers.map { _ in Int.random(in: 20...300) }
            var elapsed = 0
            for (writer, delay) in zip(writers, delays).sorted(by: { $0.1 < $1.1 }) {
                try await Task.sleep(for: .milliseconds(delay - elapsed))
                elapsed = delay
                writer.terminate()
            }
            var wroteBoth = true
            for writer in writers {
                let calls = try await writer.waitForDeathCollecting()
                wroteBoth = wroteBoth && !calls.isEmpty
                Self.add(calls, by: writer.tag, to: &acknowledged)
            }
            if wroteBoth { acknowledged.roundsWhereBothWrote += 1 }
            try await check(path, acknowledged: acknowledged, round: "round \(round)")
        }
        return acknowledged
    }

    /// Seeds a vault at `path`, runs both writers to the end of `iterations` loops each (no
    /// kill), and checks that the one trail holds exactly every call of both, and verifies.
    public func runTogether(at path: String, iterations: Int) async throws -> Acknowledged {
        try await seed(at: path)
        let before = try await open(path).auditHead().seq
        let writers = try Self.writers.map {
            try WriterProcess(writer, kind: kind, path: path, tag: $0, extra: [String(iterations)])
        }
        // Both open the vault, then start together: a loop can take less time than a process
        // takes to start.
        for writer in writers { try await writer.waitUntilReady() }
        try #require(FileManager.default.createFile(atPath: path + ".go", contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path + ".go") }
        var acknowledged = Acknowledged()
        for writer in writers {
            let (status, stderr) = try await writer.waitForExit(timeout: .seconds(120))
            #expect(status == 0, "writer \(writer.tag): \(stderr)")
            Self.add(writer.acknowledgedCalls(), by: writer.tag, to: &acknowledged)
        }
        #expect(acknowledged.calls == 3 * iterations * Self.writers.count)
        try await check(path, acknowledged: acknowledged, round: "together")
        let trail = try await open(path).auditRecords(AuditQuery(fromSeq: before + 1))
        // One record per call, no more: create, reveal, update, by both writers.
        #expect(trail.count == acknowledged.calls)
        let actors = trail.compactMap(\.event.actor.username)
        #expect(Set(actors) == Set(Self.writers))
        // The two ran at the same time: their records alternate on the chain more than once.
        let switches = zip(actors, actors.dropFirst()).filter { $0 != $1 }.count
        #expect(switches > 1, "the writers did not append at the same time")
        return acknowledged
    }

    /// Adds a writer's acknowledged calls (`created ID`, `revealed ID`, `updated ID` lines).
    static func add(_ calls: [(String, EntryID)], by tag: String, to acknowledged: inout Acknowledged) {
        for (verb, id) in calls {
            switch verb {
            case "created":
                #expect(acknowledged.created[id] == nil, "identifier \(id) was handed out twice")
                acknowledged.created[id] = tag
            case "revealed": acknowledged.revealed[id, default: 0] += 1
            default: acknowledged.updated[id, default: 0] += 1
            }
        }
    }

    /// Opens the vault and checks its trail against the stored entries and what was acknowledged.
    public func check(_ path: String, acknowledged: Acknowledged, round: String) async throws {
        let storage = try await open(path)
        let vault = try await Vault.open(storage: storage, credential: Self.credential)
        let trail = try await vault.auditRecords()
        #expect(
            try await vault.verifyAudit() == .intact(records: UInt64(trail.count)),
            "\(round): the trail does not verify")

        var stored: [EntryID: PasswordEntity] = [:]
        var after: EntryID?
        while true {
            let page = try await storage.entities(after: after, limit: 500)
            for entity in page { stored[entity.identifier] = entity }
            guard page.count == 500, let last = page.last else { break }
            after = last.identifier
        }
        // The successful records by action and entry, indexed once: the rounds' checks look up
        // every stored and every acknowledged entry, and a scan of the whole trail per lookup
        // made each check quadratic in the calls so far (minutes per round in a debug build).
        struct Key: Hashable {
            var action: AuditAction
            var entry: EntryID
        }
        var byEntry: [Key: [AuditRecord]] = [:]
        for record in trail where record.event.outcome == .ok {
            guard let entry = record.event.entry else { continue }
            byEntry[Key(action: record.event.action, entry: entry), default: []].append(record)
        }
        func records(_ action: AuditAction, _ id: EntryID) -> [AuditRecord] {
            byEntry[Key(action: action, entry: id)] ?? []
        }
        // No change without its record, no record of a change that did not happen.
        let createdOnTrail = Set(byEntry.keys.lazy.filter { $0.action == .create }.map(\.entry))
        #expect(createdOnTrail == Set(stored.keys), "\(round): entries and create records differ")
        for (id, entity) in stored {
            #expect(records(.create, id).count == 1, "\(round): entry \(id) has not one create record")
            #expect(
                records(.update, id).count == Int(entity.revision) - 1,
                "\(round): entry \(id) at revision \(entity.revision) has \(records(.update, id).count) updates")
            let owner = records(.create, id).first?.event.actor
            if case .user(_, let name) = owner { #expect(entity.username == name, "\(round): entry \(id)'s creator") }
        }
        // Every acknowledged call is on the trail.
        for (id, tag) in acknowledged.created {
            #expect(stored[id] != nil, "\(round): acknowledged entry \(id) was lost")
            #expect(
                records(.create, id).first.map { $0.event.actor.username == tag } == true,
                "\(round): entry \(id) lacks its create record by \(tag)")
        }
        for (id, count) in acknowledged.revealed {
            #expect(records(.reveal, id).count >= count, "\(round): entry \(id) lost a reveal's record")
            #expect(records(.reveal, id).allSatisfy { $0.event.fields.contains("password") })
        }
        for (id, count) in acknowledged.updated {
            #expect(records(.update, id).count >= count, "\(round): entry \(id) lost an update's record")
        }
    }
}

extension AuditActor {
    fileprivate var username: String? {
        if case .user(_, let name) = self { return name }
        return nil
    }
}

extension WriterProcess {
    /// The calls a vault writer acknowledged: (`created` | `revealed` | `updated`, entry).
    func acknowledgedCalls() -> [(String, EntryID)] {
        lines.compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 2, ["created", "revealed", "updated"].contains(words[0]),
                let id = EntryID(words[1])
            else { return nil }
            return (String(words[0]), id)
        }
    }

    /// Waits for the SIGKILL'd process to end (``waitForDeath()``); its acknowledged calls.
    func waitForDeathCollecting() async throws -> [(String, EntryID)] {
        _ = try await waitForDeath()
        return acknowledgedCalls()
    }

    /// Waits for the process to end on its own; its exit status, its stderr.
    func waitForExit(timeout: Duration) async throws -> (status: Int32, stderr: String) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning || !output.isFinished || !errors.isFinished {
            guard ContinuousClock.now < deadline else {
                terminate()
                throw WriterFailed(tag: tag, stderr: "still running after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return (process.terminationStatus, errors.text)
    }
}
