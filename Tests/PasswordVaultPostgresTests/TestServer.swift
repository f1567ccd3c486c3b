import Foundation
import PasswordVault
import PasswordVaultPostgres
import PostgresNIO
import Synchronization
import Testing

/// The throw-away PostgreSQL server that `make test` starts (Tools/with-pg-cluster.sh): its Unix
/// socket folder is in `PWVAULT_TEST_PG_SOCKET`, role and database `pwvault_test`, trust login.
/// Without it every test here fails (never skips), saying how to run them.
enum TestServer {
    struct NotStarted: Error, CustomStringConvertible {
        var description: String {
            "PWVAULT_TEST_PG_SOCKET is not set: run these tests through `make test`, or as "
                + "`Tools/with-pg-cluster.sh swift test --filter PasswordVaultPostgresTests`"
        }
    }

    static func socketFolder() throws -> String {
        guard let folder = ProcessInfo.processInfo.environment["PWVAULT_TEST_PG_SOCKET"], !folder.isEmpty else {
            throw NotStarted()
        }
        return folder
    }

    /// The test database, in a schema of its own (so each test starts from an empty vault).
    static func configuration(schema: String? = freshSchema()) throws -> PostgresConfiguration {
        PostgresConfiguration(
            endpoint: .unixSocket(folder: try socketFolder(), port: 5432), username: "pwvault_test",
            database: "pwvault_test", connectTimeout: .seconds(5), schema: schema)
    }

    /// A schema name used by no other test: `t_<pid>_<counter>_<random>`.
    static func freshSchema() -> String {
        "t_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))_\(counter.next())"
    }

    private static let counter = Counter()

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    /// A new, empty storage in a fresh schema.
    static func freshStorage() async throws -> PostgresStorage {
        try await PostgresStorage.open(try configuration())
    }
}

extension TestServer {
    /// A connection as the cluster's superuser (`postgres`, trust on the socket) to the test
    /// database, in `schema`: for the fault tests' locks and `pg_terminate_backend`.
    static func adminConnection(folder: String? = nil, schema: String?) async throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            unixSocketPath: "\(try folder ?? socketFolder())/.s.PGSQL.5432", username: "postgres", password: nil,
            database: "pwvault_test")
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        return try await PostgresConnection.connect(
            configuration: configuration, id: 0, logger: Logger(label: "PasswordVaultPostgresTests.admin"))
    }

    /// Waits until backend `pid` waits for a lock (a request of ours blocked mid-transaction).
    /// Polls; gives up (throws) only after minutes, as a hung test would.
    static func waitUntilBlocked(_ pid: Int32, admin: PostgresConnection) async throws {
        for _ in 0..<12_000 {
            let rows = try await admin.query(
                "SELECT 1 FROM pg_stat_activity WHERE pid = \(pid) AND wait_event_type = 'Lock'",
                logger: Logger(label: "PasswordVaultPostgresTests.admin")
            ).collect()
            if !rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw NeverBlocked()
    }

    struct NeverBlocked: Error {}

    /// Tools/pg-test-cluster.sh, from this file's place in the repository.
    static let clusterScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tools/pg-test-cluster.sh")
        .path
}

/// A throw-away cluster of a test's own (Tools/pg-test-cluster.sh), for a test that restarts the
/// server: the shared one serves the other tests meanwhile.
final class PrivateCluster: Sendable {
    let folder: String

    struct ScriptFailed: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("pwvault-pg-\(UUID().uuidString.prefix(8))")
            .path
        try Self.script("start", folder)
    }

    func restart() throws { try Self.script("restart", folder) }

    deinit { try? Self.script("stop", folder) }

    var configuration: PostgresConfiguration {
        PostgresConfiguration(
            endpoint: .unixSocket(folder: folder, port: 5432), username: "pwvault_test", database: "pwvault_test",
            connectTimeout: .seconds(5), maximumConnections: 1)
    }

    /// Runs the script through `posix_spawn` and `waitpid`, not Foundation's `Process`: the server
    /// it starts inherits the descriptors Process watches for the child's end, so Process would
    /// wait as long as the server runs. Its standard error goes to a file, read on failure.
    private static func script(_ command: String, _ folder: String) throws {
        let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cluster-\(UUID()).err").path
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let arguments = ["/bin/sh", TestServer.clusterScript, command, folder]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, &argv, environ)
        guard spawned == 0 else { throw ScriptFailed(description: "cannot start pg-test-cluster.sh: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
            throw ScriptFailed(description: "pg-test-cluster.sh \(command) failed (\(status)): \(text)")
        }
    }
}
