import Foundation
import PasswordVault

/// A vault with a cast of users and groups for the engine's tests.
///
/// - alice (1) owns entries; bob (2) gets a direct editor share; carol (3) is in
///   `editors`; dave (4) is a direct viewer and in `editors`; erin (5) is a direct
///   viewer; frank (6) is in `viewers`; mallory (9) is a stranger; pduarte (7)
///   and npass (8) are the seeds' users; "Test group" is the seeds' group.
struct VaultFixture {
    let vault: Vault
    let directory: InMemoryDirectory
    let storage: InMemoryStorage

    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    let alice = User(id: UserID(rawValue: 1), username: "alice")
    let bob = User(id: UserID(rawValue: 2), username: "bob")
    let carol = User(id: UserID(rawValue: 3), username: "carol")
    let dave = User(id: UserID(rawValue: 4), username: "dave")
    let erin = User(id: UserID(rawValue: 5), username: "erin")
    let frank = User(id: UserID(rawValue: 6), username: "frank")
    let pduarte = User(id: UserID(rawValue: 7), username: "pduarte")
    let npass = User(id: UserID(rawValue: 8), username: "npass")
    let mallory = User(id: UserID(rawValue: 9), username: "mallory")

    init(clock: any VaultClock = FixedClock(VaultFixture.now)) async throws {
        directory = InMemoryDirectory()
        for (name, id) in [
            ("alice", 1), ("bob", 2), ("carol", 3), ("dave", 4), ("erin", 5), ("frank", 6), ("pduarte", 7),
            ("npass", 8), ("mallory", 9),
        ] {
            directory.addUser(name, id: Int64(id))
        }
        directory.addGroup("editors", members: ["carol", "dave"])
        directory.addGroup("viewers", members: ["frank"])
        directory.addGroup("Test group", members: ["pduarte"])
        storage = InMemoryStorage()
        vault = try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try SecretBytes.random(count: 32)),
            clock: clock)
    }

    /// The request that shares an entry with the whole cast.
    static var sharedRequest: PasswordRequest {
        PasswordRequest(
            name: "shared", username: "svc", password: "p4ssw0rd!", url: "www.example.com",
            secretKey: "JBSWY3DPEHPK3PXP", notes: "the notes", tags: .value(["ops", "prod"]),
            usersAllowed: .value([
                ShareRequest(name: "bob", canEdit: true), ShareRequest(name: "dave", canEdit: false),
                ShareRequest(name: "erin"),
            ]),
            groupsAllowed: .value([ShareRequest(name: "editors", canEdit: true), ShareRequest(name: "viewers")]))
    }

    /// Creates the shared entry as alice.
    func createShared() async throws -> EntryID {
        try await vault.create(Self.sharedRequest, as: alice).entity.identifier
    }
}
