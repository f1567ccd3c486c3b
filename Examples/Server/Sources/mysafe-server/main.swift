import Foundation
import Logging
import MySafeServer
import PasswordVault
import PasswordVaultClients
import PasswordVaultSQLite
import ServiceLifecycle

/// mysafe-server [--vault PATH] [--passphrase-file PATH] [--host HOST] [--port N]
/// mysafe-server client add USER | client list | client revoke ID | client remove ID  [--vault PATH] …
let usage = """
    usage: mysafe-server [--vault PATH] [--passphrase-file PATH|-] [--host 127.0.0.1] [--port 8080]
           mysafe-server client add USER|list|revoke ID|remove ID [--vault PATH] [--passphrase-file PATH|-]
    The passphrase comes from --passphrase-file (first line; - for stdin) or $PWVAULT_PASSPHRASE.
    """

func fail(_ message: String, status: Int32 = 64) -> Never {
    FileHandle.standardError.write(Data(("mysafe-server: " + message + "\n").utf8))
    exit(status)
}

var options: [String: String] = [:]
var positional: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--vault", "--passphrase-file", "--host", "--port":
        guard let value = arguments.popFirst() else { fail("\(argument) needs a value\n" + usage) }
        options[argument] = value
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        if argument.hasPrefix("--") { fail("unknown option \(argument)\n" + usage) }
        positional.append(argument)
    }
}
let vaultPath = options["--vault"] ?? ProcessInfo.processInfo.environment["PWVAULT_PATH"] ?? "./vault.db"
let registry = ClientRegistry.beside(vaultPath: vaultPath)

@MainActor func passphrase() -> SecretBytes {
    if let file = options["--passphrase-file"] {
        let text: String?
        if file == "-" {
            text = readLine(strippingNewline: true)
        } else {
            text = (try? String(contentsOfFile: file, encoding: .utf8))?.split(
                separator: "\n", omittingEmptySubsequences: false
            ).first.map(String.init)
        }
        guard let text else { fail("cannot read the passphrase file \(file)") }
        return SecretBytes(utf8: text)
    }
    guard let text = ProcessInfo.processInfo.environment["PWVAULT_PASSPHRASE"] else {
        fail("no passphrase: give --passphrase-file or set PWVAULT_PASSPHRASE")
    }
    return SecretBytes(utf8: text)
}

@MainActor func openVault() async -> Vault {
    guard FileManager.default.fileExists(atPath: vaultPath) else {
        fail("no vault at \(vaultPath): create one with `pwvault init`")
    }
    do {
        return try await Vault.open(
            storage: try SQLiteStorage.open(at: vaultPath), credential: .passphrase(passphrase()))
    } catch {
        fail("cannot open the vault at \(vaultPath): \(error)", status: 1)
    }
}

if positional.first == "client" {
    do {
        switch Array(positional.dropFirst()) {
        case let rest where rest.count == 2 && rest[0] == "add":
            let vault = await openVault()
            guard (try await vault.user(named: rest[1])) != nil else { fail("unknown user \(rest[1])") }
            let (client, secret) = try registry.add(username: rest[1])
            print("client_id: \(client.id)")
            print("client_secret: \(secret)")
            print("(the secret is shown once; only its Argon2id hash is stored in \(registry.path))")
        case ["list"]:
            for client in try registry.clients() {
                print("\(client.id)\t\(client.username)\t\(client.revoked ? "revoked" : "active")")
            }
        case let rest where rest.count == 2 && rest[0] == "revoke":
            try registry.revoke(id: rest[1])
            print("revoked \(rest[1])")
        case let rest where rest.count == 2 && rest[0] == "remove":
            try registry.remove(id: rest[1])
            print("removed \(rest[1])")
        default:
            fail(usage)
        }
    } catch {
        fail("\(error)", status: 1)
    }
    exit(0)
}
guard positional.isEmpty else { fail(usage) }
guard let port = Int(options["--port"] ?? "8080"), (0...65535).contains(port) else { fail("bad --port") }
LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
let logger = Logger(label: "mysafe-server")
let vault = await openVault()
let app = makeApplication(
    vault: vault, registry: registry, host: options["--host"] ?? "127.0.0.1", port: port, logger: logger)
// SIGTERM/SIGINT: stop accepting, let the requests in progress finish (each answered whole),
// then exit 0; a client that keeps a request open past 30 s is cut off (cancellation).
var configuration = ServiceGroupConfiguration(
    services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
configuration.maximumGracefulShutdownDuration = .seconds(30)
let group = ServiceGroup(configuration: configuration)
do {
    try await group.run()
} catch {
    fail("\(error)", status: 1)
}
