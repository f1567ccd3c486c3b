import Foundation
import StorageConformance
import Testing

/// A database of its own on the throw-away PostgreSQL server of `make test`
/// (Tools/with-pg-cluster.sh, `PWVAULT_TEST_PG_SOCKET`), for `pwvault --vault postgres://…`.
/// Without the server the tests fail, saying how to run them; they never skip.
struct PostgresTestDatabase {
    struct NotStarted: Error, CustomStringConvertible {
        var description: String {
            "PWVAULT_TEST_PG_SOCKET is not set: run these tests through `make test`, or as "
                + "`Tools/with-pg-cluster.sh swift test --disable-xctest --filter PostgresMultiProcessTests`"
        }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    static let psql = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin/psql")
    let folder: String
    let name: String

    init() throws {
        guard let folder = ProcessInfo.processInfo.environment["PWVAULT_TEST_PG_SOCKET"], !folder.isEmpty else {
            throw NotStarted()
        }
        self.folder = folder
        name = "mp_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))"
        _ = try sql("CREATE DATABASE \(name)", database: "pwvault_test")
    }

    /// The `--vault` / `PWVAULT_PATH` value.
    var url: String { "postgres://pwvault_test@/\(name)?host=\(folder)" }

    /// Runs `statement` through psql (unaligned, tuples only); its output.
    @discardableResult
    func sql(_ statement: String, database: String? = nil, user: String = "pwvault_test") throws -> String {
        let run = try PWVaultRun.run(
            ["-h", folder, "-U", user, "-d", database ?? name, "-v", "ON_ERROR_STOP=1", "-tAc", statement],
            executable: Self.psql)
        guard run.status == 0 else { throw Failed(description: "psql: \(run.stderr)") }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func drop() {
        _ = try? sql("DROP DATABASE \(name) WITH (FORCE)", database: "pwvault_test")
    }
}

/// Several `pwvault` processes on one PostgreSQL vault (docs/contract.md §14): writers while
/// another process rotates the data key or changes the passphrase, writers killed at random, a
/// connection lost mid-create. The SQLite runs of the same rules are MultiProcessRotationTests,
/// CrossProcessKeyChangeTests and CrashAuditCommandTests.
@Suite("pwvault on PostgreSQL: several processes", .serialized)
struct PostgresMultiProcessTests {
    static let passphrase = "postgres multi-process passphrase"
    static let newPassphrase = "postgres passphrase after passwd"
    let database: PostgresTestDatabase
    let env: [String: String]

    init() throws {
        database = try PostgresTestDatabase()
        env = ["PWVAULT_PATH": database.url, "PWVAULT_PASSPHRASE": Self.passphrase]
    }

    func pw(_ arguments: String..., stdin: String = "", passphrase: String = passphrase, extra: [String: String] = [:])
        throws -> PWVaultRun
    {
        var environment = env.merging(extra) { $1 }
        environment["PWVAULT_PASSPHRASE"] = passphrase
        return try PWVaultRun.run(arguments, stdin: stdin, environment: environment)
    }

    func initVault() throws {
        let made = try pw("init", "--cost", "minimum")
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try pw("user", "add", "npass", "--id", "1").status == 0)
    }

    /// Every acknowledged create opens with `passphrase`, with its password; identifiers unique;
    /// the list holds exactly `expected` entries.
    func expectEveryAcknowledgedReadable(_ created: [CreatedEntry], passphrase: String, expected: Int) throws {
        let acknowledged = created.filter { $0.status == 0 && !$0.id.isEmpty }
        #expect(Set(acknowledged.map(\.id)).count == acknowledged.count, "an identifier was handed out twice")
        for create in acknowledged {
            let got = try pw("api", "GET", "api/mysafe/password/\(create.id)", "--as", "npass", passphrase: passphrase)
            #expect(got.status == 0, "entry \(create.id) does not open: \(got.stderr)")
            #expect(got.stdout.contains(#""password":"\#(create.password)""#), "entry \(create.id)")
        }
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass", passphrase: passphrase)
        #expect(listed.stdout.matches(of: /"identifier":/).count == expected)
    }

    @Test func everyEntryCreatedDuringRotationsInAnotherProcessStaysReadable() async throws {
        defer { database.drop() }
        try initVault()
        let created = try await PWVaultRun.createsDuringRotations(
            writers: 3, count: 8, rotations: 4, environment: env)
        try expectEveryAcknowledgedReadable(created, passphrase: Self.passphrase, expected: created.count)
        let last = try pw("rotate-key")
        #expect(last.status == 0, "\(last.stderr)")
        try expectEveryAcknowledgedReadable(created, passphrase: Self.passphrase, expected: created.count)
        #expect(try pw("audit", "verify").status == 0)
    }

    @Test func everyEntryCreatedDuringAPassphraseChangeOpensWithTheNewOneAndNoneWithTheOld() async throws {
        defer { database.drop() }
        try initVault()
        let env = self.env
        // Each writer tries the old passphrase, and the new one once the old is refused (a host
        // that was given the new credential).
        let writers = (1...3).map { writer in
            Task.detached {
                try (0..<8).map { index -> CreatedEntry in
                    let first = try PWVaultRun.createEntry(writer: writer, index: index, environment: env)
                    guard first.status != 0 else { return first }
                    #expect(first.status == 1, "not a refused credential: \(first.stderr)")
                    var renewed = env
                    renewed["PWVAULT_PASSPHRASE"] = Self.newPassphrase
                    return try PWVaultRun.createEntry(writer: writer, index: index, environment: renewed)
                }
            }
        }
        let changed = try pw("passwd", extra: ["PWVAULT_NEW_PASSPHRASE": Self.newPassphrase])
        #expect(changed.status == 0, "passwd: \(changed.stderr)")
        let rotated = try pw("rotate-key", passphrase: Self.newPassphrase)
        #expect(rotated.status == 0, "rotate-key: \(rotated.stderr)")
        var created: [CreatedEntry] = []
        for writer in writers { created += try await writer.value }
        for create in created {
            #expect(create.status == 0 && !create.id.isEmpty, "a create failed: \(create.stderr)")
        }
        try expectEveryAcknowledgedReadable(created, passphrase: Self.newPassphrase, expected: created.count)
        // The old passphrase opens nothing: neither an entry nor the list.
        for create in created.prefix(3) {
            let old = try pw("api", "GET", "api/mysafe/password/\(create.id)", "--as", "npass")
            #expect(old.status == 1 && !old.stdout.contains(create.password), "entry \(create.id) opened")
        }
        #expect(try pw("api", "GET", "api/mysafe/password", "--as", "npass").status == 1)
        #expect(try pw("audit", "verify", passphrase: Self.newPassphrase).status == 0)
    }

    @Test func killedWritersLoseNoAcknowledgedCreateAndTheTrailVerifies() throws {
        defer { database.drop() }
        try initVault()
        var acknowledged: [CreatedEntry] = []
        var killed = 0
        for round in 0..<6 {
            let writers = try (0..<4).map { writer in
                let (body, password) = PWVaultRun.createBody(writer: writer, index: round)
                let started = try PWVaultRun.start(
                    ["api", "POST", "api/mysafe/password", "--as", "npass"], stdin: body, environment: env)
                return (started, password)
            }
            // Kill two of the four at a random moment: before, during or after their commit.
            for ((process, _), _) in writers.shuffled().prefix(2) {
                usleep(UInt32.random(in: 1_000...80_000))
                kill(process.processIdentifier, SIGKILL)
                killed += 1
            }
            for ((process, output), password) in writers {
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                guard process.terminationReason == .exit, process.terminationStatus == 0 else { continue }
                acknowledged.append(
                    CreatedEntry(id: PWVaultRun.createdIdentifier(text), password: password, status: 0, stderr: ""))
            }
        }
        #expect(acknowledged.count >= 12, "only \(acknowledged.count) of 24 creates acknowledged, \(killed) killed")
        let verified = try pw("audit", "verify")
        #expect(verified.status == 0, "\(verified.stderr)")
        // Every acknowledged create is stored, readable, with its `create` record.
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass")
        for create in acknowledged {
            #expect(listed.stdout.contains(#""identifier":"\#(create.id)""#), "acknowledged \(create.id) was lost")
            let got = try pw("api", "GET", "api/mysafe/password/\(create.id)", "--as", "npass")
            #expect(got.stdout.contains(#""password":"\#(create.password)""#), "entry \(create.id)")
            let trail = try pw("audit", "--json", "--entry", create.id).stdout.split(separator: "\n")
            #expect(
                trail.filter { $0.contains(#""action":"create""#) && $0.contains(#""outcome":"ok""#) }.count == 1,
                "entry \(create.id) has no create record")
        }
        #expect(try pw("audit", "verify").status == 0)
    }

    @Test func aConnectionLostMidCreateExitsThreeStoringNothingAndTheNextCreateSucceeds() throws {
        defer { database.drop() }
        try initVault()
        #expect(try PWVaultRun.createEntry(writer: 0, index: 0, environment: env).status == 0)
        // A session of the superuser holds the audit head's row lock, so the next create waits on
        // it inside its transaction, its entry row inserted, when its backend is terminated.
        let holder = Process()
        holder.executableURL = PostgresTestDatabase.psql
        holder.arguments = ["-h", database.folder, "-U", "postgres", "-d", database.name, "-q"]
        let holderInput = Pipe()
        holder.standardInput = holderInput
        holder.standardOutput = FileHandle.nullDevice
        ignoreBrokenPipes
        try holder.run()
        holderInput.fileHandleForWriting.write(Data("BEGIN;\nSELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE;\n".utf8))
        let (body, _) = PWVaultRun.createBody(writer: 0, index: 1)
        let create = Process()
        create.executableURL = PWVaultRun.binary
        create.arguments = ["api", "POST", "api/mysafe/password", "--as", "npass"]
        create.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let createInput = Pipe()
        let createErrors = Pipe()
        create.standardInput = createInput
        create.standardOutput = FileHandle.nullDevice
        create.standardError = createErrors
        try create.run()
        createInput.fileHandleForWriting.write(Data(body.utf8))
        try createInput.fileHandleForWriting.close()
        var blocked = ""
        for _ in 0..<6_000 where blocked.isEmpty {
            blocked = try database.sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND application_name = 'PasswordVault' AND wait_event_type = 'Lock'")
            if blocked.isEmpty { usleep(20_000) }
        }
        let pid = try #require(Int32(blocked.split(separator: "\n")[0]), "no create waiting on the lock")
        try database.sql("SELECT pg_terminate_backend(\(pid))")
        let errors = String(decoding: createErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        create.waitUntilExit()
        #expect(create.terminationStatus == 3, "\(errors)")
        #expect(errors.contains("Unexpected error."), "\(errors)")
        holderInput.fileHandleForWriting.write(Data("ROLLBACK;\n\\q\n".utf8))
        try holderInput.fileHandleForWriting.close()
        holder.waitUntilExit()
        // Nothing half-written: one entry; the trail verifies; the next create succeeds.
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass")
        #expect(listed.stdout.matches(of: /"identifier":/).count == 1)
        #expect(try pw("audit", "verify").status == 0)
        #expect(try PWVaultRun.createEntry(writer: 0, index: 2, environment: env).status == 0)
        #expect(try pw("audit", "verify").status == 0)
    }
}

/// `pwvault` with a wrong database password (docs/contract.md §14): a clear error naming the
/// server, exit 3, the password in no output, whether it came from `PGPASSWORD` or
/// `--db-password-file`. The test cluster's role `pwvault_scram` logs in with SCRAM-SHA-256 only.
@Suite("pwvault on PostgreSQL: a wrong database password")
struct PostgresPasswordCommandTests {
    @Test func aWrongPasswordIsRefusedNamingTheServerWithoutEchoingIt() throws {
        guard let folder = ProcessInfo.processInfo.environment["PWVAULT_TEST_PG_SOCKET"], !folder.isEmpty else {
            throw PostgresTestDatabase.NotStarted()
        }
        let url = "postgres://pwvault_scram@/pwvault_test?host=\(folder)"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-dbpw-\(UUID().uuidString)")
        try Data("wrong-file-canary\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let runs = [
            (
                "wrong-env-canary",
                try PWVaultRun.run(
                    ["list", "--vault", url, "--as", "npass"],
                    environment: ["PGPASSWORD": "wrong-env-canary", "PWVAULT_PASSPHRASE": "x"])
            ),
            (
                "wrong-file-canary",
                try PWVaultRun.run(
                    ["list", "--vault", url, "--db-password-file", file.path, "--as", "npass"],
                    environment: ["PWVAULT_PASSPHRASE": "x"])
            ),
        ]
        for (password, run) in runs {
            #expect(run.status == 3, "\(run.stderr)")
            #expect(run.stderr.contains("\(folder)/.s.PGSQL.5432"), "\(run.stderr)")
            #expect(run.stderr.contains("password authentication failed"), "\(run.stderr)")
            #expect(!(run.stdout + run.stderr).contains(password))
        }
    }
}

/// Writer processes while the server restarts (docs/contract.md §14), on a cluster of the test's
/// own: a create the restart interrupts, or one that finds the server down, exits 3; every
/// acknowledged create is stored with its `create` record, and the trail verifies.
@Suite("pwvault on PostgreSQL: a server restart mid-run")
struct PostgresRestartCommandTests {
    @Test func writersAcrossServerRestartsLoseNoAcknowledgedCreate() async throws {
        let cluster = try PostgresTestCluster()
        let env = [
            "PWVAULT_PATH": "postgres://pwvault_test@/pwvault_test?host=\(cluster.folder)",
            "PWVAULT_PASSPHRASE": "restart passphrase",
        ]
        func pw(_ arguments: String...) throws -> PWVaultRun { try PWVaultRun.run(arguments, environment: env) }
        #expect(try pw("init", "--cost", "minimum").status == 0)
        #expect(try pw("user", "add", "npass", "--id", "1").status == 0)
        let writers = (1...3).map { writer in
            Task.detached {
                try (0..<10).map { try PWVaultRun.createEntry(writer: writer, index: $0, environment: env) }
            }
        }
        for _ in 0..<2 {
            usleep(UInt32.random(in: 200_000...600_000))
            try cluster.restart()
        }
        var created: [CreatedEntry] = []
        for writer in writers { created += try await writer.value }
        for create in created {
            #expect(create.status == 0 || create.status == 3, "\(create.status): \(create.stderr)")
        }
        let acknowledged = created.filter { $0.status == 0 }
        #expect(!acknowledged.isEmpty)
        print("\(acknowledged.count) of \(created.count) creates acknowledged across two restarts")
        #expect(try pw("audit", "verify").status == 0)
        let listed = try pw("api", "GET", "api/mysafe/password", "--as", "npass")
        for create in acknowledged {
            #expect(listed.stdout.contains(#""identifier":"\#(create.id)""#), "acknowledged \(create.id) was lost")
            let trail = try pw("audit", "--json", "--entry", create.id).stdout
            #expect(trail.contains(#""action":"create""#), "entry \(create.id) has no create record")
        }
        withExtendedLifetime(cluster) {}
    }
}
