import Foundation

/// A throw-away PostgreSQL cluster of a test's own (Tools/pg-test-cluster.sh, docs/contract.md
/// §14), for a test that restarts the server: the shared one of `make test` serves the other
/// tests meanwhile. Role and database `pwvault_test` on a Unix socket in ``folder``; stopped and
/// removed when the value goes. Package access: this package's own tests use it; it is not part of
/// the StorageConformance product a consumer sees.
package final class PostgresTestCluster: Sendable {
    /// The socket folder (and the cluster's).
    package let folder: String

    /// The script failed; its standard error.
    package struct ScriptFailed: Error, CustomStringConvertible {
        /// What the script said.
        package var description: String
    }

    /// Tools/pg-test-cluster.sh, from this file's place in the repository.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tools/pg-test-cluster.sh")
        .path

    /// Starts a new cluster in a new temporary folder.
    package init() throws {
        folder =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("pwvault-pg-\(UUID().uuidString.prefix(8))").path
        try Self.run("start", folder)
    }

    /// A fast restart: every session is ended, its transaction rolled back; returns once the
    /// server accepts connections again.
    package func restart() throws { try Self.run("restart", folder) }

    deinit { try? Self.run("stop", folder) }

    /// Runs the script through `posix_spawn` and `waitpid`, not Foundation's `Process`: the server
    /// it starts inherits the descriptors Process watches for the child's end, so Process would
    /// wait as long as the server runs. Its standard error goes to a file, read on failure.
    private static func run(_ command: String, _ folder: String) throws {
        let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("pg-cluster-\(UUID()).err")
            .path
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let arguments = ["/bin/sh", script, command, folder]
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
