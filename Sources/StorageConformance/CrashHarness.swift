import Foundation
import PasswordVault
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts two writer processes (``CrashWriter``) on one store, kills both with SIGKILL
/// at random moments, reopens the store and checks that nothing acknowledged was
/// lost or damaged; round after round.
///
/// Audited (docs/contract.md §12), every write carries its audit record in the same commit,
/// and each check also verifies the chain and matches the trail against the store: every
/// acknowledged write has its record, and every record's change is in the store.
public struct CrashHarness: Sendable {
    /// The store's name, the writer's first argument: `file`, `sqlite` or an adapter's own.
    public var kind: String
    /// How many kill-and-check rounds.
    public var rounds: Int
    /// Creates an empty store at a path.
    public var create: @Sendable (String) async throws -> any VaultStorage
    /// Opens the store at a path.
    public var open: @Sendable (String) async throws -> any VaultStorage
    /// Whether every write appends its audit record (the writers' `audit` argument).
    public var audited: Bool
    /// The writer executable: one whose program is ``CrashWriter/main(_:open:)`` on the store.
    public var writer: URL

    /// A harness.
    /// - Parameters:
    ///   - kind: the store's name, passed to the writer's `open` (`file`, `sqlite`, or an
    ///     adapter's own).
    ///   - writer: the writer executable; by default this package's `storage-crash-writer`
    ///     (file and SQLite). Another package's adapter passes its own
    ///     (``writerBinary(named:)``).
    public init(
        kind: String, rounds: Int, audited: Bool = false, writer: URL = CrashHarness.writerBinary,
        create: @escaping @Sendable (String) async throws -> any VaultStorage,
        open: @escaping @Sendable (String) async throws -> any VaultStorage
    ) {
        self.kind = kind
        self.rounds = rounds
        self.audited = audited
        self.writer = writer
        self.create = create
        self.open = open
    }

    /// This package's writer, `storage-crash-writer` (file and SQLite), beside the test runner.
    public static var writerBinary: URL { writerBinary(named: "storage-crash-writer") }

    /// An executable product of the package under test, built beside the test runner
    /// (`/proc/self/exe`'s folder): `swift build --build-tests` builds it with the tests.
    public static func writerBinary(named name: String) -> URL {
        let runner =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? ""
        return URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// What the rounds did.
    public struct Summary: Sendable {
        /// Entries acknowledged by the writers, in all rounds.
        public var acknowledged = 0
        /// Rounds in which both writers got at least one entry acknowledged.
        public var roundsWhereBothWrote = 0
    }

    /// Seeds a store at `path`, then runs the rounds.
    public func run(at path: String) async throws -> Summary {
        try #require(
            FileManager.default.isExecutableFile(atPath: writer.path),
            "build the writer first: swift build --product \(writer.lastPathComponent)")
        do {
            let storage = try await create(path)
            try await storage.writeHeader(CrashRecord.header, expectedGeneration: .noHeader)
            try await storage.addUser(CrashRecord.reader)
            try await storage.addGroup(named: CrashRecord.crew)
            try await storage.setMembership(
                group: CrashRecord.crew, username: CrashRecord.reader.username, isMember: true)
        }
        var summary = Summary()
        var acknowledged: [EntryID: String] = [:]
        var users: [UserID] = []
        for round in 0..<rounds {
            let tags = ["r\(round)a", "r\(round)b"]
            let writers = try tags.map { try WriterProcess(writer, kind: kind, path: path, tag: $0, audited: audited) }
            if round % 4 != 0 {
                // Most rounds let the writers open the store first; the others may
                // kill a writer while it is still opening it.
                for writer in writers { try await writer.waitUntilReady() }
            }
            let delays = writers.map { _ in Int.random(in: 20...200) }
            var elapsed = 0
            for (writer, delay) in zip(writers, delays).sorted(by: { $0.1 < $1.1 }) {
                try await Task.sleep(for: .milliseconds(delay - elapsed))
                elapsed = delay
                writer.terminate()
            }
            var wroteBoth = true
            for (writer, tag) in zip(writers, tags) {
                let output = try await writer.waitForDeath()
                wroteBoth = wroteBoth && !output.done.isEmpty
                for id in output.done {
                    #expect(acknowledged[id] == nil, "identifier \(id) was handed out twice")
                    acknowledged[id] = tag
                }
                users += output.users
            }
            summary.acknowledged = acknowledged.count
            if wroteBoth { summary.roundsWhereBothWrote += 1 }
            try await check(path, acknowledged: acknowledged, users: users, round: round)
        }
        return summary
    }

    /// Reopens the store and checks it against everything acknowledged so far.
    private func check(_ path: String, acknowledged: [EntryID: String], users: [UserID], round: Int) async throws {
        let storage = try await open(path)
        #expect(try await storage.readHeader()?.bytes == CrashRecord.header, "round \(round): header")
        #expect(try await storage.user(id: CrashRecord.reader.id) == CrashRecord.reader, "round \(round): directory")
        #expect(
            try await storage.group(named: CrashRecord.crew)?.members == [CrashRecord.reader.username],
            "round \(round): group")
        for id in users {
            #expect(try await storage.user(id: id) != nil, "round \(round): acknowledged user \(id) is missing")
        }
        // Every stored entry, acknowledged or not, is intact; identifiers strictly ascend.
        var stored = Set<EntryID>()
        var after: EntryID?
        while true {
            let page = try await storage.entities(after: after, limit: 500)
            for entity in page {
                #expect(after.map { entity.identifier > $0 } ?? true, "round \(round): entries out of order")
                #expect(stored.insert(entity.identifier).inserted, "round \(round): entry \(entity.identifier) twice")
                #expect(
                    entity == CrashRecord.entity(entity.identifier, writer: entity.username),
                    "round \(round): entry \(entity.identifier) is damaged")
                after = entity.identifier
            }
            if page.count < 500 { break }
        }
        let lost = acknowledged.keys.filter { !stored.contains($0) }.sorted()
        #expect(lost.isEmpty, "round \(round): acknowledged entries lost: \(lost.prefix(10))")
        for (id, tag) in acknowledged where stored.contains(id) {
            #expect(try await storage.entity(id)?.username == tag, "round \(round): entry \(id) has the wrong writer")
        }
        if audited {
            try await checkTrail(storage, stored: stored, acknowledged: acknowledged, users: users, round: round)
        }
        let next: EntryID
        let version = CrashRecord.entity(EntryID(rawValue: 1)!, writer: "check").version
        if audited {
            let inserted = try await CrashRecord.commitAudited(
                ChangeSet(entry: .insert { CrashRecord.entity($0, writer: "check") }), to: storage
            ) { CrashRecord.created($0!, writer: "check") }.inserted
            next = try #require(inserted).identifier
        } else {
            next = try await storage.insert(headerGeneration: nil) { CrashRecord.entity($0, writer: "check") }
                .identifier
        }
        // Above every identifier stored or acknowledged (a round whose writers were killed before
        // their first write has neither: any fresh identifier is then fine).
        let highest = max(acknowledged.keys.max()?.rawValue ?? 0, stored.max()?.rawValue ?? 0)
        #expect(next.rawValue > highest, "round \(round): identifier \(next) reused")
        if audited {
            try await CrashRecord.commitAudited(ChangeSet(entry: .delete(next, expectedVersion: version)), to: storage)
            {
                _ in CrashRecord.deleted(next)
            }
        } else {
            try await storage.delete(next, expectedVersion: version)
        }
    }

    /// The trail verifies from seq 1 to its head; every acknowledged entry and user has its
    /// record; and the records' changes are exactly the store's: the entries created and not
    /// deleted are the entries stored, the users added are the users stored (but the seeded one).
    private func checkTrail(
        _ storage: any VaultStorage, stored: Set<EntryID>, acknowledged: [EntryID: String], users: [UserID], round: Int
    ) async throws {
        let head = try await storage.auditHead()
        let records = try await storage.auditRecords(AuditQuery())
        #expect(
            AuditChain.verify(records, head: head, key: try CrashRecord.auditKey()) == .intact(records: head.seq),
            "round \(round): the trail does not verify")
        func entries(_ action: AuditAction) -> [EntryID] {
            records.filter { $0.event.action == action }.compactMap(\.event.entry)
        }
        let created = entries(.create)
        #expect(Set(created).count == created.count, "round \(round): an entry has two create records")
        let live = Set(created).subtracting(entries(.delete))
        #expect(live == stored, "round \(round): the trail's entries are not the store's")
        var creations: [EntryID: AuditEvent] = [:]
        for record in records where record.event.action == .create {
            if let id = record.event.entry { creations[id] = record.event }
        }
        for (id, tag) in acknowledged {
            #expect(creations[id] == CrashRecord.created(id, writer: tag), "round \(round): entry \(id) has no record")
        }
        let added = records.filter { $0.event.action == .userAdd }.flatMap(\.event.fields)
        let directory = try await storage.users().filter { $0.id != CrashRecord.reader.id }
        #expect(
            added.sorted() == directory.map(\.username).sorted(),
            "round \(round): the trail's users are not the store's")
        for id in users {
            let user = try await storage.user(id: id)
            #expect(user.map { added.contains($0.username) } == true, "round \(round): user \(id) has no record")
        }
    }
}

/// One writer process, its output collected as it comes.
final class WriterProcess: Sendable {
    let process: Process
    let output = Collected()
    let errors = Collected()
    let tag: String

    convenience init(_ writer: URL, kind: String, path: String, tag: String, audited: Bool) throws {
        try self.init(writer, kind: kind, path: path, tag: tag, extra: audited ? ["audit"] : [])
    }

    init(_ writer: URL, kind: String, path: String, tag: String, extra: [String] = []) throws {
        self.tag = tag
        let process = Process()
        process.executableURL = writer
        process.arguments = [kind, path, tag] + extra
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        self.process = process
        try process.run()
        output.collect(out.fileHandleForReading)
        errors.collect(err.fileHandleForReading)
    }

    /// The complete lines so far: a line cut by the kill was never acknowledged.
    var lines: [Substring] {
        output.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !lines.contains("ready") {
            guard process.isRunning else { throw WriterFailed(tag: tag, stderr: errors.text) }
            guard ContinuousClock.now < deadline else { throw WriterFailed(tag: tag, stderr: "not ready after 30 s") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Sends SIGKILL.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the process to end; it must have died of SIGKILL, not of an error of its own.
    func waitForDeath() async throws -> (done: [EntryID], users: [UserID]) {
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning || !output.isFinished || !errors.isFinished, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(
            process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
            "writer \(tag) ended on its own: \(errors.text)")
        var done: [EntryID] = []
        var users: [UserID] = []
        for line in lines {
            let words = line.split(separator: " ")
            if words.first == "done", words.count == 2, let id = EntryID(words[1]) { done.append(id) }
            if words.first == "user", words.count == 2, let id = Int64(words[1]) { users.append(UserID(rawValue: id)) }
        }
        return (done, users)
    }
}

/// Bytes read from a pipe by a thread of its own, until end of file.
final class Collected: Sendable {
    private let state = Mutex<(bytes: [UInt8], finished: Bool)>(([], false))

    func collect(_ handle: FileHandle) {
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                self.state.withLock { $0.bytes += data }
            }
            self.state.withLock { $0.finished = true }
        }
    }

    var text: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }
    var isFinished: Bool { state.withLock { $0.finished } }
}

struct WriterFailed: Error, CustomStringConvertible {
    var tag: String
    var stderr: String
    var description: String { "writer \(tag) failed: \(stderr)" }
}
