import Foundation
import PasswordVault
import Testing

extension StorageConformanceSuite {
    /// Users are unique by id and by username; lookups by either; listed ascending by id.
    public func usersUniqueByIDAndName() async throws {
        let storage = try await make()
        #expect(try await storage.users() == [])
        let users = [
            User(id: UserID(rawValue: 30), username: "zed"), User(id: UserID(rawValue: -4), username: "neg"),
            User(id: UserID(rawValue: 7), username: "Ana María"), User(id: UserID(rawValue: 8), username: "ana maría"),
        ]
        for user in users { try await storage.addUser(user) }
        await expectError(.duplicate, "same id") {
            try await storage.addUser(User(id: UserID(rawValue: 30), username: "x"))
        }
        await expectError(.duplicate, "same name") {
            try await storage.addUser(User(id: UserID(rawValue: 31), username: "zed"))
        }
        #expect(try await storage.user(id: UserID(rawValue: 31)) == nil)
        #expect(try await storage.user(named: "x") == nil)
        #expect(try await storage.users() == users.sorted { $0.id < $1.id })
        #expect(try await storage.user(named: "Ana María") == users[2])
        #expect(try await storage.user(named: "ana maría") == users[3])
        #expect(try await storage.user(named: "ANA MARÍA") == nil)
        #expect(try await storage.user(id: UserID(rawValue: -4)) == users[1])
        #expect(try await storage.user(id: UserID(rawValue: 5)) == nil)
    }

    /// Groups are unique by name and listed ascending; members come and go; a
    /// user's groups follow at once.
    public func groupsAndMembership() async throws {
        let storage = try await make()
        #expect(try await storage.groups() == [])
        for name in ["ops", "Admins", "dev"] { try await storage.addGroup(named: name) }
        await expectError(.duplicate) { try await storage.addGroup(named: "ops") }
        await expectError(.notFound) {
            try await storage.setMembership(group: "nobody", username: "alice", isMember: true)
        }
        #expect(try await storage.group(named: "nobody") == nil)
        #expect(try await storage.group(named: "ops") == Group(name: "ops"))
        try await storage.setMembership(group: "ops", username: "alice", isMember: true)
        try await storage.setMembership(group: "ops", username: "alice", isMember: true)
        try await storage.setMembership(group: "ops", username: "bob", isMember: true)
        try await storage.setMembership(group: "dev", username: "alice", isMember: true)
        try await storage.setMembership(group: "dev", username: "not-a-user", isMember: true)
        #expect(try await storage.group(named: "ops") == Group(name: "ops", members: ["alice", "bob"]))
        #expect(try await storage.groups(containing: "alice") == ["ops", "dev"])
        #expect(try await storage.groups(containing: "nobody") == [])
        try await storage.setMembership(group: "ops", username: "alice", isMember: false)
        try await storage.setMembership(group: "ops", username: "carol", isMember: false)
        #expect(try await storage.groups(containing: "alice") == ["dev"])
        #expect(try await storage.groups(containing: "bob") == ["ops"])
        #expect(
            try await storage.groups() == [
                Group(name: "Admins"), Group(name: "dev", members: ["alice", "not-a-user"]),
                Group(name: "ops", members: ["bob"]),
            ])
    }
}
