import ArgumentParser
import Foundation
import PasswordVault

/// `pwvault user …`: the vault's users.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the vault's users.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user.")
        @OptionGroup var vault: VaultOptions
        @Argument(help: "The username.") var username: String
        @Option(help: "The numeric id (default: one above the highest).") var id: Int64?

        func run() async throws {
            try await runReporting {
                guard !username.isEmpty, !username.isBlank, username.unicodeScalars.count <= 200,
                    username.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
                else { throw CLIFailure.usage("a username is 1 to 200 printable characters") }
                let opened = try await vault.openVault()
                let users = try await opened.storage.users()
                let newID = id ?? ((users.map(\.id.rawValue).max() ?? 0) + 1)
                do {
                    try await opened.storage.addUser(User(id: UserID(rawValue: newID), username: username))
                } catch StorageError.duplicate(let what) {
                    throw CLIFailure.refused("pwvault: \(what) is already taken")
                }
                print("Added user \(username) (id \(newID))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")
        @OptionGroup var vault: VaultOptions

        func run() async throws {
            try await runReporting {
                for user in try await vault.openVault().storage.users() {
                    print("\(user.id)\t\(user.username)")
                }
            }
        }
    }
}

/// `pwvault group …`: groups and their members.
struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage groups and their members.",
        subcommands: [Add.self, AddMember.self, RemoveMember.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a group, optionally with members.")
        @OptionGroup var vault: VaultOptions
        @Argument(help: "The group's name.") var name: String
        @Option(name: .customLong("member"), help: "A member's username (repeat for more).") var members: [String] = []

        func run() async throws {
            try await runReporting {
                guard !name.isBlank, name.unicodeScalars.count <= 200,
                    name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
                else { throw CLIFailure.usage("a group name is 1 to 200 printable characters") }
                let storage = try await vault.openVault().storage
                for member in members where try await storage.user(named: member) == nil {
                    throw CLIFailure.refused("pwvault: unknown user '\(member)'")
                }
                do {
                    try await storage.addGroup(named: name)
                } catch StorageError.duplicate {
                    throw CLIFailure.refused("pwvault: group '\(name)' already exists")
                }
                for member in members {
                    try await storage.setMembership(group: name, username: member, isMember: true)
                }
                print("Added group \(name)" + (members.isEmpty ? "" : " with \(members.joined(separator: ", "))"))
            }
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add a user to a group.")
        @OptionGroup var vault: VaultOptions
        @Argument(help: "The group's name.") var group: String
        @Argument(help: "The member's username.") var username: String

        func run() async throws {
            try await runReporting {
                try await setMembership(vault: vault, group: group, username: username, isMember: true)
                print("Added \(username) to \(group)")
            }
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-member", abstract: "Remove a user from a group (their access through it ends at once)."
        )
        @OptionGroup var vault: VaultOptions
        @Argument(help: "The group's name.") var group: String
        @Argument(help: "The member's username.") var username: String

        func run() async throws {
            try await runReporting {
                try await setMembership(vault: vault, group: group, username: username, isMember: false)
                print("Removed \(username) from \(group)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the groups and their members.")
        @OptionGroup var vault: VaultOptions

        func run() async throws {
            try await runReporting {
                for group in try await vault.openVault().storage.groups() {
                    print("\(group.name)\t\(group.members.sorted().joined(separator: ", "))")
                }
            }
        }
    }
}

private func setMembership(vault: VaultOptions, group: String, username: String, isMember: Bool) async throws {
    let storage = try await vault.openVault().storage
    guard try await storage.group(named: group) != nil else {
        throw CLIFailure.refused("pwvault: unknown group '\(group)'")
    }
    guard try await storage.user(named: username) != nil else {
        throw CLIFailure.refused("pwvault: unknown user '\(username)'")
    }
    try await storage.setMembership(group: group, username: username, isMember: isMember)
}

extension String {
    /// Empty or only white space.
    var isBlank: Bool { unicodeScalars.allSatisfy(\.properties.isWhitespace) }
}
