import ArgumentParser
import Foundation
import PasswordVault
import PasswordVaultClients

/// `pwvault client add|list|revoke`: the OAuth 2.0 clients of the example HTTP server
/// (`Examples/Server`), in `<vault>.clients.json` beside a file vault (the same registry as
/// `mysafe-server client`). A secret is printed once and stored only as its Argon2id hash.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Manage the HTTP server's OAuth clients (client credentials).",
        subcommands: [Add.self, List.self, Revoke.self])

    /// The registry beside the vault file; a PostgreSQL vault has no file to sit beside.
    static func registry(_ vault: VaultOptions) throws(CLIFailure) -> ClientRegistry {
        guard case .file(let path) = try vault.location() else {
            throw .usage("the client registry sits beside a vault file: give --vault PATH")
        }
        return ClientRegistry.beside(vaultPath: path)
    }

    /// A registry failure as the command line reports it (exit 1): never a secret.
    static func refused(_ error: ClientRegistryError) -> CLIFailure { .refused("pwvault: \(error.description)") }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a client acting as USER; prints its id and secret once.")
        @OptionGroup var vault: VaultOptions
        @Argument(help: "The vault user the client acts as.") var username: String

        func run() async throws {
            try await runReporting {
                let registry = try ClientCommand.registry(vault)
                // The user must exist: opening the vault needs its passphrase.
                guard try await vault.openVault().user(named: username) != nil else {
                    throw CLIFailure.refused("pwvault: unknown user \(NameRule.quoted(username))")
                }
                do throws(ClientRegistryError) {
                    let (client, secret) = try registry.add(username: username)
                    print("client_id: \(client.id)")
                    print("client_secret: \(secret)")
                    print("(the secret is shown once; only its Argon2id hash is stored in \(registry.path))")
                } catch {
                    throw ClientCommand.refused(error)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the clients: id, user, active or revoked (never a secret).")
        @OptionGroup var vault: VaultOptions

        func run() async throws {
            try await runReporting {
                do {
                    for client in try ClientCommand.registry(vault).clients() {
                        print("\(client.id)\t\(client.username)\t\(client.revoked ? "revoked" : "active")")
                    }
                } catch let error as ClientRegistryError {
                    throw ClientCommand.refused(error)
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a client: it gets no token, and the server refuses the tokens it has.")
        @OptionGroup var vault: VaultOptions
        @Argument(help: "The client id.") var id: String

        func run() async throws {
            try await runReporting {
                do {
                    try ClientCommand.registry(vault).revoke(id: id)
                    print("revoked \(id)")
                } catch let error as ClientRegistryError {
                    throw ClientCommand.refused(error)
                }
            }
        }
    }
}
