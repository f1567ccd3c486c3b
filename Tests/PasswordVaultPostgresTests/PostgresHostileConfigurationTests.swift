import PasswordVault
import PostgresNIO
import Testing

@testable import PasswordVaultPostgres

/// Hostile or wrong configuration is refused clearly, naming the server, and leaves the database
/// untouched (docs/contract.md §14).
@Suite("PostgresStorage hostile configuration")
struct PostgresHostileConfigurationTests {
    @Test func aMissingSocketFailsNamingTheServer() async throws {
        var configuration = try TestServer.configuration()
        configuration.endpoint = .unixSocket(folder: try TestServer.socketFolder(), port: 5499)
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(configuration) }
        let text = try #require(error).description
        #expect(text.contains(".s.PGSQL.5499"))
        #expect(text.contains("cannot connect"))
    }

    @Test func aRefusedTCPPortFailsNamingTheServer() async throws {
        let configuration = PostgresConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: 1), username: "pwvault_test", database: "pwvault_test",
            connectTimeout: .seconds(3))
        // No wall-clock bound here (the machine is shared): the timeout's bound is for a benchmark.
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(configuration) }
        #expect(try #require(error).description.contains("127.0.0.1:1"))
    }

    @Test func aMissingDatabaseIsNamed() async throws {
        var configuration = try TestServer.configuration()
        configuration.database = "no_such_database"
        let error = await #expect(throws: StorageError.self) { try await PostgresStorage.open(configuration) }
        #expect(try #require(error).description.contains("no_such_database"))
    }

    @Test func anotherApplicationsTablesAreRefusedUntouched() async throws {
        let schema = TestServer.freshSchema()
        let storage = try await PostgresStorage.open(try TestServer.configuration(schema: schema))
        // Make the schema look like another application's: drop ours, keep a foreign table.
        _ = try await storage.transaction { connection, logger in
            try await connection.rows("CREATE TABLE invoices (id integer PRIMARY KEY)", logger: logger)
            try await connection.rows("DROP TABLE pwvault_meta", logger: logger)
        }
        await storage.close()
        let error = await #expect(throws: StorageError.self) {
            try await PostgresStorage.open(try TestServer.configuration(schema: schema))
        }
        #expect(try #require(error).description.contains("another application"))
    }

    @Test func aNewerSchemaIsRefused() async throws {
        let schema = TestServer.freshSchema()
        let storage = try await PostgresStorage.open(try TestServer.configuration(schema: schema))
        _ = try await storage.transaction { connection, logger in
            try await connection.rows("UPDATE pwvault_meta SET schema_version = 99", logger: logger)
        }
        await storage.close()
        let error = await #expect(throws: StorageError.self) {
            try await PostgresStorage.open(try TestServer.configuration(schema: schema))
        }
        #expect(try #require(error).description.contains("newer PasswordVault"))
    }

    @Test func aURLWithAPasswordIsRefusedWithoutEchoingIt() {
        let error = #expect(throws: PostgresConfigurationError.self) {
            try PostgresConfiguration(url: "postgres://vault:hunter2@db.example:5432/vault")
        }
        #expect(error == .passwordInURL)
        #expect(!(error?.description.contains("hunter2") ?? true))
    }

    @Test func urlsAreRead() throws {
        let tcp = try PostgresConfiguration(url: "postgres://vault@db.example:6543/vaults")
        #expect(tcp.endpoint == .tcp(host: "db.example", port: 6543))
        #expect(tcp.username == "vault")
        #expect(tcp.database == "vaults")
        let socket = try PostgresConfiguration(url: "postgresql://vault@/vaults?host=/run/postgresql&port=5433")
        #expect(socket.endpoint == .unixSocket(folder: "/run/postgresql", port: 5433))
        #expect(throws: PostgresConfigurationError.badPort) { try PostgresConfiguration(url: "postgres://v@h:0/d") }
        #expect(throws: PostgresConfigurationError.notAPostgresURL) { try PostgresConfiguration(url: "mysql://v@h/d") }
    }

    @Test func thePasswordReachesNoDescriptionNorMirror() {
        let configuration = PostgresConfiguration(
            endpoint: .tcp(host: "db.example", port: 5432), username: "vault", password: "hunter2-canary",
            database: "vault")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [
            configuration.description, configuration.debugDescription, String(reflecting: configuration),
            "\(configuration)", dumped,
        ] {
            #expect(!text.contains("hunter2-canary"))
        }
        #expect(dumped.contains("<redacted>"))
    }
}
