import Foundation
import PasswordVault
import PostgresNIO
import Synchronization

/// A small pool of `PostgresConnection`s, at most ``PostgresConfiguration/maximumConnections``.
///
/// Ours rather than `PostgresClient`'s: a connection that cannot be opened (a refused port, a
/// failed login, a missing database) must fail the request that asked for it, within the connect
/// timeout, with an error naming the server — the client pool keeps retrying in the background
/// and leaves the request waiting. A connection that broke (the server restarted, the network
/// went away) is dropped when it comes back, so the next request opens a fresh one.
actor ConnectionPool {
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextID = 1
    private var closed = false

    init(_ configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// A storage dropped without ``close()``: its idle connections are closed now, each kept alive
    /// until its close completes (postgres-nio requires a connection to be closed before it goes).
    deinit {
        for connection in idle {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// A connection for the caller alone; give it back with ``release(_:reusable:)``.
    func lease() async throws(StorageError) -> PostgresConnection {
        while true {
            guard !closed else { throw .failure("the PostgreSQL storage is closed") }
            while let connection = idle.popLast() {
                if !connection.isClosed { return connection }
                open -= 1
            }
            if open < configuration.maximumConnections {
                open += 1
                do {
                    return try await connect()
                } catch {
                    open -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    /// Takes a connection back: kept for the next caller when `reusable` and still open, else
    /// closed and forgotten.
    func release(_ connection: PostgresConnection, reusable: Bool) {
        if reusable, !connection.isClosed, !closed {
            idle.append(connection)
        } else {
            open -= 1
            Task { try? await connection.close() }
        }
        wakeOne()
    }

    /// Closes every idle connection and refuses new leases.
    func close() async {
        closed = true
        let connections = idle
        idle = []
        open -= connections.count
        for connection in connections { try? await connection.close() }
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// Opens one connection, within the connect timeout as a whole (TCP, authentication and
    /// start-up), so that a server that accepts and never answers cannot hang the caller. The
    /// caller resumes at the timeout even if the attempt ignores cancellation; a connection that
    /// arrives after it is closed (docs/contract.md §14).
    private func connect() async throws(StorageError) -> PostgresConnection {
        let id = nextID
        nextID += 1
        let configuration = self.configuration
        let logger = self.logger
        let timeout = configuration.connectTimeout
        do {
            return try await Self.bounded(
                by: timeout,
                {
                    try await PostgresConnection.connect(
                        configuration: Self.connectionConfiguration(configuration), id: id, logger: logger)
                },
                discardingLate: { connection in try? await connection.close() })
        } catch is ConnectTimedOut {
            throw .failure("cannot reach the PostgreSQL server at \(configuration.server): no answer within \(timeout)")
        } catch {
            throw PostgresErrors.storageError(error, server: configuration.server, connecting: true)
        }
    }

    struct ConnectTimedOut: Error {}

    /// Runs `operation` and returns what it returns, or throws ``ConnectTimedOut`` once `timeout`
    /// has passed, or `CancellationError` when the caller is cancelled — whichever comes first.
    /// The caller never waits for `operation` beyond that: it is cancelled and left to finish on
    /// its own, and a value it returns too late goes to `discardingLate` (a connection to close).
    static func bounded<T: Sendable>(
        by timeout: Duration, _ operation: @escaping @Sendable () async throws -> T,
        discardingLate: @escaping @Sendable (T) async -> Void
    ) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation)
                let attempt = Task {
                    do {
                        let value = try await operation()
                        if !race.finish(.success(value)) { await discardingLate(value) }
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    race.finish(.failure(ConnectTimedOut()))
                }
                race.onFinish {
                    attempt.cancel()
                    timer.cancel()
                }
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// One continuation resumed once, by whichever of the attempt, the timer and the caller's
    /// cancellation finishes first.
    final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            /// An outcome that came before the continuation (a cancellation ahead of the start).
            var early: Result<T, any Error>?
            var done = false
            var cleanup: (@Sendable () -> Void)?
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            let early: Result<T, any Error>? = state.withLock { state in
                if let early = state.early {
                    state.early = nil
                    return early
                }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(with: early) }
        }

        /// Runs `cleanup` once the race is decided (now, if it already is).
        func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
            let now = state.withLock { state in
                if state.done { return true }
                state.cleanup = cleanup
                return false
            }
            if now { cleanup() }
        }

        /// Resumes the caller with `outcome` if nothing did yet; whether it did.
        @discardableResult
        func finish(_ outcome: Result<T, any Error>) -> Bool {
            let (won, continuation, cleanup) = state.withLock {
                state -> (Bool, CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
                if state.done { return (false, nil, nil) }
                state.done = true
                let continuation = state.continuation
                state.continuation = nil
                if continuation == nil { state.early = outcome }
                let cleanup = state.cleanup
                state.cleanup = nil
                return (true, continuation, cleanup)
            }
            continuation?.resume(with: outcome)
            cleanup?()
            return won
        }
    }

    private static func connectionConfiguration(_ configuration: PostgresConfiguration)
        -> PostgresConnection.Configuration
    {
        var result: PostgresConnection.Configuration
        switch configuration.endpoint {
        case .tcp(let host, let port):
            result = .init(
                host: host, port: port, username: configuration.username, password: configuration.password,
                database: configuration.database, tls: .disable)
        case .unixSocket(let folder, let port):
            result = .init(
                unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: configuration.username,
                password: configuration.password, database: configuration.database)
        }
        // The bound is ours (``bounded(by:_:discardingLate:)``); NIO's own timeout, later, only ends
        // an attempt the caller already gave up on.
        let seconds = configuration.connectTimeout.components.seconds
        result.options.connectTimeout = .seconds(max(1, seconds) + 10)
        result.options.additionalStartupParameters = [
            ("application_name", "PasswordVault"),
            // Every value as the adapter writes and reads it, whatever the server's defaults.
            ("client_encoding", "UTF8"), ("TimeZone", "UTC"), ("DateStyle", "ISO"),
            // Every statement reads a few rows from an index: no parallel workers. For the listing
            // at 1,000,000 entries the planner, misled by the shares' GIN estimates (empty arrays
            // give it no statistics), chose a Gather of 2 workers whose start-up alone took 14 of
            // the statement's 17 ms; without them it runs in 0.3 ms (docs/contract.md §14).
            ("max_parallel_workers_per_gather", "0"),
        ]
        if let schema = configuration.schema {
            result.options.additionalStartupParameters.append(("search_path", schema))
        }
        return result
    }
}

/// How PostgreSQL's errors become ``StorageError``s, at the adapter's boundary: by SQLSTATE and
/// the server's message for the connection-level classes, by SQLSTATE alone for the others
/// (whose messages and details can quote a statement's values). Never a statement's arguments.
enum PostgresErrors {
    /// The C library's text for `code` ("Connection refused").
    static func strerrorText(_ code: CInt) -> String { String(cString: strerror(code)) }

    static func storageError(_ error: any Error, server: String, connecting: Bool = false) -> StorageError {
        if let error = error as? StorageError { return error }
        guard let error = error as? PSQLError else {
            if error is CancellationError { return .failure("cancelled") }
            let prefix = connecting ? "cannot connect to" : "lost the connection to"
            return .failure("\(prefix) the PostgreSQL server at \(server): \(type(of: error))")
        }
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? ""
            return mapped(state: state, message: message, server: server)
        }
        let prefix = connecting ? "cannot connect to" : "lost the connection to"
        // The socket's own error (NIO's IOError: the system call and errno), which names no value.
        let cause =
            error.underlying.map { underlying -> String in
                if let io = underlying as? IOError { return ": " + strerrorText(io.errnoCode) }
                if let failed = underlying as? NIOConnectionError,
                    let io = failed.connectionErrors.lazy.compactMap({ $0.error as? IOError }).first
                {
                    return ": " + strerrorText(io.errnoCode)
                }
                if let channel = underlying as? ChannelError { return ": \(channel)" }
                return ": \(type(of: underlying))"
            } ?? ""
        return .failure("\(prefix) the PostgreSQL server at \(server) (\(error.code.description))\(cause)")
    }

    static func mapped(state: String, message: String, server: String) -> StorageError {
        let shortMessage = String(message.prefix(200))
        switch state.prefix(2) {
        // Connection exceptions, invalid authorization, missing database, resources, shutdown:
        // their messages name a role, a database or the server's state, never a value.
        case "08", "28", "3D", "53", "57":
            return .failure("the PostgreSQL server at \(server) refused: \(shortMessage) (SQLSTATE \(state))")
        case "40":
            return .busy("PostgreSQL \(state == "40P01" ? "deadlock" : "serialization failure") (SQLSTATE \(state))")
        case "42" where state == "42P01":
            return .corrupted("a table PasswordVault needs is missing: \(shortMessage) (SQLSTATE \(state))")
        // Syntax and access rule violations: their messages quote the statement's text (ours), never
        // its bound values.
        case "42":
            return .failure("PostgreSQL refused a statement: \(shortMessage) (SQLSTATE \(state))")
        default:
            return .failure("PostgreSQL error (SQLSTATE \(state))")
        }
    }
}
