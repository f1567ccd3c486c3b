// bench-profile: one scenario of the benchmark suite in a plain process, without the harness
// (no malloc interposer, no child processes), for profilers:
//
//     swift build -c release --product bench-profile
//     valgrind --tool=callgrind .build/release/bench-profile ring-seal-open-200 20000
//
// Scenarios: totp-sha1 base32-16 ring-seal-open-200 seal-open-200 reveal update create memory
// sqlite-bulk sqlite-reveal sqlite-reveal-c sqlite-reveal-8 sqlite-create sqlite-create-c (the
// create row and its C peer: COUNT creates, one commit each, after 1,000) sqlite-update
// sqlite-history sqlite-verify (verifyAudit of a trail of COUNT records)
import CPeers
import Foundation
@_spi(Benchmarks) import PasswordVault

#if SQLITE_ADAPTER
    import PasswordVaultSQLite
#endif

/// The scenarios, run off the main actor as the benchmarks are (an `await` from the main
/// actor would add two thread hops to every call).
enum Scenario {
    static let owner = User(id: UserID(rawValue: 1), username: "alice")
    static let name = "Production database"
    static let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    static func request(_ name: String, notes: String? = nil) -> PasswordRequest {
        var request = PasswordRequest(
            name: .value(name), username: "dba.admin@example.com", password: "correct-horse-42",
            url: "https://db.example.com/admin", secretKey: .value(seed), tags: .value(["work"]))
        if let notes { request.notes = .value(notes) }
        return request
    }

    static func memoryVault() async throws -> Vault {
        let storage = InMemoryStorage()
        try await storage.addUser(owner)
        return try await Vault.create(storage: storage, credential: .rawKey(try SecretBytes.random(count: 32)))
    }

    #if SQLITE_ADAPTER
        /// A vault on a new SQLite file in `directory`, with the owner in its directory.
        static func sqliteVault(in directory: URL) async throws -> Vault {
            let storage = try SQLiteStorage.create(at: directory.appendingPathComponent("vault.db").path)
            try await storage.addUser(owner)
            return try await Vault.create(storage: storage, credential: .rawKey(try SecretBytes.random(count: 32)))
        }
    #endif

    /// A new folder for this process's database files.
    static func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-profile-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `scenario` `count` times; returns a checksum of the results, or `nil` for an unknown scenario.
    static func run(_ scenario: String, count: Int) async throws -> Int? {
        var sink = 0
        switch scenario {
        case "totp-sha1":
            let totp = try TOTP(secret: SecretBytes(Array("12345678901234567890".utf8)))
            for step in 0..<count { sink &+= try totp.code(atUnixTime: 59 + Int64(step) * 30).utf8.count }
        case "base32-16":
            for _ in 0..<count { sink &+= try Base32.decode("JBSWY3DPEHPK3PXP").count }
        case "ring-seal-open-200":
            // KeyRing.seal then open of 200 bytes, as the "secretbox seal+open 200 B" row.
            let ring = try KeyRing.create(credential: .rawKey(try SecretBytes.random(count: 32)), cost: .minimum).ring
            let secret = SecretBytes(utf8: String(repeating: "abcdefghij", count: 20))
            let id = EntryID(rawValue: 312)!
            for _ in 0..<count {
                let sealed = try ring.seal(secret, entry: id, field: .notes)
                sink &+= try ring.open(sealed, entry: id, field: .notes).count
            }
        case "seal-open-200":
            // Vault.update of the notes then revealNotes, as the "vault update notes + revealNotes" row.
            let vault = try await memoryVault()
            let notes = String(repeating: "abcdefghij", count: 20)
            let id = try await vault.create(request(name, notes: notes), as: owner).entity.identifier
            let change = PasswordRequest(notes: .value(notes))
            for _ in 0..<count {
                _ = try await vault.update(id, change, as: owner)
                sink &+= try await vault.revealNotes(id, as: owner)?.count ?? 0
            }
        case "reveal":
            let vault = try await memoryVault()
            let id = try await vault.create(request(name), as: owner).entity.identifier
            for _ in 0..<count { sink &+= try await vault.revealPassword(id, as: owner).count }
        case "update":
            let vault = try await memoryVault()
            let id = try await vault.create(request(name), as: owner).entity.identifier
            let changes = ["battery-staple-17", "correct-horse-42"].map { PasswordRequest(password: .value($0)) }
            for step in 0..<count {
                sink &+= Int(try await vault.update(id, changes[step % 2], as: owner).entity.version)
            }
        case "create":
            let vault = try await memoryVault()
            for step in 0..<count {
                sink &+= try await vault.create(request("\(name) \(step)"), as: owner).sharedErrors.count
            }
        case "memory":
            // The memory row without the harness (no interposer header on each allocation):
            // `count` typical entries, each with its own buffers, as VaultFixture builds them.
            let storage = InMemoryStorage()
            try await storage.addUser(owner)
            let vault = try await Vault.create(storage: storage, credential: .rawKey(try SecretBytes.random(count: 32)))
            let template = try await vault.create(request(name), as: owner).entity
            let heap = bench_heap_in_use()
            let resident = residentBytes()
            for number in 0..<count {
                try await storage.insert(headerGeneration: nil) { id in
                    var entity = template
                    entity.identifier = id
                    entity.name = "\(name) \(number)"
                    entity.owner = UserID(rawValue: 1_000 + Int64(number % 1_000))
                    entity.tags = template.tags.map { String(decoding: Array($0.utf8), as: UTF8.self) }
                    entity.username = String(decoding: Array(template.username.utf8), as: UTF8.self)
                    entity.url = String(decoding: Array(template.url.utf8), as: UTF8.self)
                    entity.sealedPassword = SealedValue(
                        bytes: template.sealedPassword.bytes.withUnsafeBufferPointer { Array($0) })
                    entity.sealedSecretKey = template.sealedSecretKey.map { sealed in
                        SealedValue(bytes: sealed.bytes.withUnsafeBufferPointer { Array($0) })
                    }
                    return entity
                }
            }
            let heapPerEntry = (Int(bench_heap_in_use()) - Int(heap)) / count
            let residentPerEntry = (residentBytes() - resident) / count
            print("memory: \(heapPerEntry) B heap, \(residentPerEntry) B resident per entry")
            print(
                "an entity is \(MemoryLayout<PasswordEntity>.stride) B inline, its key \(MemoryLayout<EntryID>.stride) B"
            )
            sink = heapPerEntry
        #if SQLITE_ADAPTER
            case "sqlite-bulk":
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let staging = try await memoryVault()
                let template = try await staging.create(request(name), as: owner).entity
                let storage = try SQLiteStorage.create(at: directory.appendingPathComponent("vault.db").path)
                let entities = (1...count).map { number in
                    var entity = template
                    entity.identifier = EntryID(rawValue: Int64(number))!
                    entity.name = "\(name) \(number)"
                    entity.owner = UserID(rawValue: 1_000 + Int64(number % 1_000))
                    return entity
                }
                let clock = ContinuousClock.now
                _ = try await storage.allocateIdentifiers(count)
                try await storage.insert(contentsOf: entities)
                print("insert: \(ContinuousClock.now - clock)")
            case "sqlite-reveal":
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                let id = try await vault.create(request(name), as: owner).entity.identifier
                let clock = ContinuousClock.now
                for _ in 0..<count { sink &+= try await vault.revealPassword(id, as: owner).count }
                print("reveals: \((ContinuousClock.now - clock) / count) each")
            case "sqlite-create":
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                for number in 0..<1_000 { _ = try await vault.create(request("\(name) \(number)"), as: owner) }
                let clock = ContinuousClock.now
                for step in 0..<count {
                    sink &+= try await vault.create(request("\(name) new \(step)"), as: owner).sharedErrors.count + 1
                }
                print("creates: \((ContinuousClock.now - clock) / count) each")
            case "sqlite-create-c":
                // The create row's peer (peer_audit_create) on a vault file the library made.
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                _ = try await sqliteVault(in: directory)
                guard let db = peer_audit_open(directory.appendingPathComponent("vault.db").path) else { return nil }
                defer { peer_audit_close(db) }
                let password = [UInt8](repeating: 0xA5, count: 70)
                let secretKey = [UInt8](repeating: 0x5A, count: 89)
                var id: Int64 = 0
                for number in 0..<(1_000 + count) {
                    if number == 1_000 { sink = 0 }
                    let label = number < 1_000 ? "\(name) \(number)" : "\(name) new \(number - 1_000)"
                    guard
                        peer_audit_create(
                            db, label, "dba.admin@example.com", "https://db.example.com/admin", 1, "alice", password,
                            password.count, secretKey, secretKey.count, AuditTime(Date()).rawValue, &id) == 0
                    else { return nil }
                    sink &+= 1
                }
            case "sqlite-reveal-c":
                // The reveal row's peer: the entry row, then the record's commit.
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                let id = try await vault.create(request(name), as: owner).entity.identifier
                guard let db = peer_audit_open(directory.appendingPathComponent("vault.db").path) else { return nil }
                defer { peer_audit_close(db) }
                let clock = ContinuousClock.now
                for _ in 0..<count {
                    let read = peer_audit_reveal(db, id.rawValue, 1, "alice", AuditTime(Date()).rawValue)
                    guard read > 0 else { return nil }
                    sink &+= read
                }
                print("reveals: \((ContinuousClock.now - clock) / count) each")
            case "sqlite-reveal-8":
                // 8 callers revealing at once (the 8-caller row), COUNT reveals in all; prints how
                // many storage commits they took.
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                var made: [EntryID] = []
                for number in 0..<8 {
                    made.append(try await vault.create(request("\(name) \(number)"), as: owner).entity.identifier)
                }
                let ids = made
                let before = try await vault.auditRecords().count
                let clock = ContinuousClock.now
                let perCaller = max(count / 8, 1)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for caller in 0..<8 {
                        group.addTask {
                            var sum = 0
                            for _ in 0..<perCaller {
                                sum &+= try await vault.revealPassword(ids[caller], as: owner).count
                            }
                            return sum
                        }
                    }
                    for try await sum in group { sink &+= sum }
                }
                let elapsed = ContinuousClock.now - clock
                let records = try await vault.auditRecords().count - before
                print("8 callers: \(elapsed / (perCaller * 8)) a reveal, \(records) records")
            case "sqlite-verify":
                // verifyAudit of a trail of COUNT reveal records (filled first, in commits of 50,000).
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                let id = try await vault.create(request(name), as: owner).entity.identifier
                let actor = AuditActor.user(id: owner.id, username: owner.username)
                let start = AuditTime(Date()).rawValue
                var made = 0
                while made < count {
                    let batch = min(50_000, count - made)
                    try await vault.appendAuditEvents(
                        (made..<(made + batch)).map { number in
                            AuditEvent(
                                time: AuditTime(rawValue: start + Int64(number)), actor: actor, action: .reveal,
                                entry: id, fields: ["password"])
                        })
                    made += batch
                }
                let clock = ContinuousClock.now
                let verdict = try await vault.verifyAudit()
                print("verify: \(ContinuousClock.now - clock): \(verdict)")
                guard case .intact(let records) = verdict else { return nil }
                sink = Int(records)
            case "sqlite-update":
                // The update row: the password changed, with history and its record, after 1,000 entries.
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                let id = try await vault.create(request(name), as: owner).entity.identifier
                let changes = ["battery-staple-17", "correct-horse-42"].map { PasswordRequest(password: .value($0)) }
                let clock = ContinuousClock.now
                for step in 0..<count {
                    sink &+= Int(try await vault.update(id, changes[step % 2], as: owner).entity.version)
                }
                print("updates: \((ContinuousClock.now - clock) / count) each")
            case "sqlite-history":
                // The history row: an entry with 10 versions listed COUNT times.
                let directory = try scratchDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let vault = try await sqliteVault(in: directory)
                let id = try await vault.create(request(name), as: owner).entity.identifier
                let changes = ["battery-staple-17", "correct-horse-42"].map { PasswordRequest(password: .value($0)) }
                for step in 1...9 { _ = try await vault.update(id, changes[step % 2], as: owner) }
                let clock = ContinuousClock.now
                for _ in 0..<count { sink &+= try await vault.history(id, as: owner).count }
                print("history: \((ContinuousClock.now - clock) / count) each")
        #endif
        default:
            return nil
        }
        return sink
    }
}

/// The resident set, from /proc/self/statm.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: bench-profile SCENARIO [COUNT]")
    exit(2)
}
let count = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let start = ContinuousClock.now
// A synchronous main that waits for a task, as package-benchmark runs async benchmarks: an
// async main parks the main thread in a way valgrind 3.19 does not survive.
let done = DispatchSemaphore(value: 0)
nonisolated(unsafe) var outcome: Result<Int?, any Error> = .success(nil)
Task.detached {
    do {
        outcome = .success(try await Scenario.run(arguments[1], count: count))
    } catch {
        outcome = .failure(error)
    }
    done.signal()
}
done.wait()
switch outcome {
case .success(let sink?):
    print("\(arguments[1]) × \(count): \(ContinuousClock.now - start) (\(sink))")
case .success(nil):
    print("unknown scenario \(arguments[1])")
    exit(2)
case .failure(let error):
    print("\(arguments[1]) failed: \(error)")
    exit(1)
}
