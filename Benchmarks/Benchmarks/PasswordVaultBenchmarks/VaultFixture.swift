import Foundation
import PasswordVault

/// A vault in memory holding `total` entries, of which 100 are visible to alice: 60 she owns,
/// 20 that bob shares with her, 20 that carol shares with her group "team". They are spread
/// evenly among the others, which belong to 1,000 other users.
///
/// The visible entries are created through the vault (sealed for real). The others are copies
/// of one typical entry, each with its own buffers (so memory is counted as for real entries),
/// inserted into the storage directly: building a store of a million takes seconds instead of
/// minutes, and lists and memory see the same shapes.
struct VaultFixture: @unchecked Sendable {
    let storage: InMemoryStorage
    let vault: Vault
    let alice: User
    let bob: User
    let carol: User
    /// The 60 entries alice owns.
    let ownedIDs: [EntryID]
    /// Every entry visible to alice (100).
    let visibleIDs: [EntryID]

    static let visible = 100

    init(total: Int) async throws {
        precondition(total >= Self.visible)
        storage = InMemoryStorage()
        alice = User(id: UserID(rawValue: 1), username: "alice")
        bob = User(id: UserID(rawValue: 2), username: "bob")
        carol = User(id: UserID(rawValue: 3), username: "carol")
        for user in [alice, bob, carol] { try await storage.addUser(user) }
        try await storage.addGroup(named: "team")
        try await storage.setMembership(group: "team", username: "alice", isMember: true)
        vault = try await Vault.create(storage: storage, credential: .rawKey(try SecretBytes.random(count: 32)))

        // The template of the other entries: a typical entry sealed once, by someone else.
        let template = try await vault.create(Inputs.request(name: Inputs.name), as: carol).entity
        var owned: [EntryID] = []
        var visible: [EntryID] = []
        let others = total - Self.visible - 1
        var made = 0
        for index in 0..<Self.visible {
            let target = others * (index + 1) / Self.visible
            while made < target {
                try await Self.insertCopy(of: template, number: made, into: storage)
                made += 1
            }
            let request = Inputs.request(name: "\(Inputs.name) \(index)")
            let id: EntryID
            switch index {
            case 0..<60:
                id = try await vault.create(request, as: alice).entity.identifier
                owned.append(id)
            case 60..<80:
                var shared = request
                shared.usersAllowed = .value([ShareRequest(name: "alice")])
                id = try await vault.create(shared, as: bob).entity.identifier
            default:
                var shared = request
                shared.groupsAllowed = .value([ShareRequest(name: "team")])
                id = try await vault.create(shared, as: carol).entity.identifier
            }
            visible.append(id)
        }
        ownedIDs = owned
        visibleIDs = visible
    }

    /// Inserts a copy of `template` under a fresh identifier, owned by one of 1,000 other users.
    static func insertCopy(of template: PasswordEntity, number: Int, into storage: InMemoryStorage) async throws {
        // The storage hands out the identifier inside the commit (one write per create).
        try await storage.insert(headerGeneration: nil) { id in
            var entity = template
            entity.identifier = id
            entity.name = "\(Inputs.name) \(number)"
            entity.owner = UserID(rawValue: 1_000 + Int64(number % 1_000))
            entity.tags = template.tags.map { String(decoding: Array($0.utf8), as: UTF8.self) }
            entity.username = String(decoding: Array(template.username.utf8), as: UTF8.self)
            entity.url = String(decoding: Array(template.url.utf8), as: UTF8.self)
            entity.sealedPassword = copy(template.sealedPassword)
            entity.sealedSecretKey = template.sealedSecretKey.map(copy)
            entity.sealedNotes = template.sealedNotes.map(copy)
            return entity
        }
    }

    /// A sealed value with a buffer of its own (`Array(array)` would share the buffer).
    private static func copy(_ sealed: SealedValue) -> SealedValue {
        SealedValue(bytes: sealed.bytes.withUnsafeBufferPointer { Array($0) })
    }
}
