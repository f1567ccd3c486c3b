import Foundation

/// Where a ``PostgresStorage`` finds its server and how it logs in (docs/contract.md §14).
///
/// ```swift
/// let configuration = try PostgresConfiguration(url: "postgres://vault@db.internal:5432/vault")
/// let storage = try await PostgresStorage.open(configuration, password: passwordFromASecretStore)
/// ```
///
/// The password is never part of the value's ``description`` (nor of any error): a URL that
/// carries one is refused, so that it cannot end up in a shell history or a process list; give
/// it as ``password`` instead (the command line reads `PGPASSWORD` or a file).
public struct PostgresConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// How the server is reached.
    public enum Endpoint: Sendable, Equatable {
        /// A host name or address and a TCP port (no TLS: use a Unix socket, a private network or
        /// a TLS-terminating proxy; see docs/storage.md).
        case tcp(host: String, port: Int)
        /// The folder of the server's Unix socket and its port (the socket is
        /// `<folder>/.s.PGSQL.<port>`, as libpq names it).
        case unixSocket(folder: String, port: Int)
    }

    /// The server.
    public var endpoint: Endpoint
    /// The role to log in as.
    public var username: String
    /// The role's password, if the server asks for one.
    public var password: String?
    /// The database.
    public var database: String
    /// How long opening one connection (TCP, authentication, start-up) may take before it fails.
    public var connectTimeout: Duration
    /// How many connections the storage keeps open at most.
    public var maximumConnections: Int
    /// The PostgreSQL schema that holds the vault's tables (created when missing), so that one
    /// database can hold several vaults; `nil` for the role's first `search_path` schema (usually
    /// `public`). A name of 1 to 63 lower-case ASCII letters, digits and `_`, not starting with a digit.
    public var schema: String?

    /// A configuration.
    public init(
        endpoint: Endpoint, username: String, password: String? = nil, database: String,
        connectTimeout: Duration = .seconds(10), maximumConnections: Int = 8, schema: String? = nil
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.maximumConnections = max(1, maximumConnections)
        self.schema = schema
    }

    /// Whether `name` may name a schema (see ``schema``): it is then safe to quote in a statement.
    public static func isValidSchemaName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63,
            !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    /// Reads `postgres://USER@HOST:PORT/DB` (also `postgresql://`; the port defaults to 5432, the
    /// database to the user's name). A Unix socket is named as libpq does, by a `host` parameter
    /// holding its folder: `postgres://USER@/DB?host=/run/postgresql&port=5433`.
    /// - Throws: ``PostgresConfigurationError`` for anything else, a password in the URL included.
    public init(url text: String) throws(PostgresConfigurationError) {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else { throw .notAPostgresURL }
        guard components.password == nil else { throw .passwordInURL }
        guard let user = components.user?.removingPercentEncoding, !user.isEmpty else { throw .missingUser }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value, parameters[item.name] == nil else { throw .badParameter(item.name) }
            guard item.name == "host" || item.name == "port" else { throw .badParameter(item.name) }
            parameters[item.name] = value
        }
        let portText = parameters["port"] ?? components.port.map(String.init)
        let port: Int
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else { throw .badPort }
            port = value
        } else {
            port = 5432
        }
        let path = components.path
        let database = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !database.contains("/") else { throw .badDatabase }
        let databaseName = database.isEmpty ? user : (database.removingPercentEncoding ?? database)
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        switch (host, parameters["host"]) {
        case (let host?, nil): endpoint = .tcp(host: host, port: port)
        case (nil, let folder?) where folder.hasPrefix("/"): endpoint = .unixSocket(folder: folder, port: port)
        case (nil, let host?): endpoint = .tcp(host: host, port: port)
        case (nil, nil): endpoint = .tcp(host: "localhost", port: port)
        case (_?, _?): throw .badParameter("host")
        }
        username = user
        password = nil
        self.database = databaseName
        connectTimeout = .seconds(10)
        maximumConnections = 8
        schema = nil
    }

    /// The server, as errors name it: `HOST:PORT` or the socket's path. Never the password.
    public var server: String {
        switch endpoint {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let folder, let port): "\(folder)/.s.PGSQL.\(port)"
        }
    }

    /// `postgres://USER@SERVER/DB`, without the password.
    public var description: String {
        "postgres://\(username)@\(server)/\(database)" + (schema.map { " (schema \($0))" } ?? "")
    }

    /// The same as ``description``: never the password.
    public var debugDescription: String { description }

    /// A mirror without the password (`dump`, a debugger, a logging library's reflection), which
    /// says only whether one is set.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "endpoint": endpoint, "username": username, "password": password == nil ? "none" : "<redacted>",
                "database": database, "connectTimeout": connectTimeout, "maximumConnections": maximumConnections,
                "schema": schema as Any,
            ])
    }

    /// Equal when every field is; the password compares too.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.username == rhs.username && lhs.password == rhs.password
            && lhs.database == rhs.database && lhs.connectTimeout == rhs.connectTimeout
            && lhs.maximumConnections == rhs.maximumConnections && lhs.schema == rhs.schema
    }
}

/// Why a PostgreSQL URL was refused. The messages never repeat the URL (it may hold a password).
public enum PostgresConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAPostgresURL
    case passwordInURL
    case missingUser
    case badPort
    case badDatabase
    case badParameter(String)

    /// A description that never shows the URL.
    public var description: String {
        switch self {
        case .notAPostgresURL: "not a PostgreSQL URL (postgres://USER@HOST:PORT/DB)"
        case .passwordInURL:
            "a PostgreSQL URL must not hold a password: give it in PGPASSWORD or --db-password-file"
        case .missingUser: "a PostgreSQL URL must name the user (postgres://USER@HOST:PORT/DB)"
        case .badPort: "the PostgreSQL port must be a number from 1 to 65535"
        case .badDatabase: "the PostgreSQL database name must not contain '/'"
        case .badParameter(let name):
            "unsupported or repeated PostgreSQL URL parameter '\(name.prefix(40))' (only host and port are read)"
        }
    }
}
