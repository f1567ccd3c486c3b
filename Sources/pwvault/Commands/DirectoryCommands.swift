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
        @Option(
            help: ArgumentHelp(
                "The numeric id, 1 to 9223372036854775807 (default: one above the highest in use).", valueName: "n"))
        var id: Int64?

        func run() async throws {
            try await runReporting {
                let user = try await vault.openVault().addUser(named: username, id: id)
                print("Added user \(user.username) (id \(user.id))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: JSONFlag

        func run() async throws {
            try await runReporting {
                let users = try await vault.openVault().users()
                if output.json { return JSONOutput.printLines(users.map(JSONOutput.user)) }
                for user in users {
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
                try await vault.openVault().addGroup(named: name, members: members)
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
                try await vault.openVault().addMember(username, to: group)
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
                try await vault.openVault().removeMember(username, from: group)
                print("Removed \(username) from \(group)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the groups and their members.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: JSONFlag

        func run() async throws {
            try await runReporting {
                let groups = try await vault.openVault().groups()
                if output.json { return JSONOutput.printLines(groups.map(JSONOutput.group)) }
                for group in groups {
                    print("\(group.name)\t\(group.members.sorted().joined(separator: ", "))")
                }
            }
        }
    }
}
