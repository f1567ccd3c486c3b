import Foundation
import FuzzSupport
import PasswordVault

/// The wire handler on any bytes: the first byte picks a route, the second the caller, and
/// the rest is the body (or, for the last two routes, the path's tail or query). Each input
/// gets a fresh in-memory storage and vault holding the same three entries (copied from a
/// template sealed once), so a crash replays alone.
///
/// Oracles, for every answer:
/// - the status is one of 200, 201, 400, 403, 404 — and never 500: the storage is healthy,
///   so a 500 could only be an input error misreported as a failure;
/// - the body is one JSON value;
/// - the seeded password and TOTP seed appear only in answers to a GET, and a stranger
///   (`mallory`) never sees any seeded secret.
@_cdecl("LLVMFuzzerTestOneInput")
public func wireFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let route = Route.allCases[input.choice(Route.allCases.count)]
    let caller = Cast.users[input.choice(Cast.users.count)]
    let rest = input.rest
    let request = route.request(rest)
    let answer = runBlocking {
        let vault = await Cast.vault()
        return await WireHandler(vault: vault).handle(request, as: caller)
    }

    expect(
        [200, 201, 400, 403, 404].contains(answer.status),
        "status \(answer.status) for \(route) as \(caller.username): \(answer.bodyText)")
    expect(
        (try? JSONSerialization.jsonObject(with: Data(answer.body), options: .fragmentsAllowed)) != nil,
        "the answer is not JSON: \(answer.bodyText)")

    let sent = String(decoding: rest, as: UTF8.self)
    let body = answer.bodyText
    for secret in [Cast.password, Cast.seed] where !sent.contains(secret) {
        expect(request.method.uppercased() == "GET" || !body.contains(secret), "a secret in the answer to \(route)")
    }
    if caller == Cast.mallory {
        for secret in [Cast.password, Cast.seed, Cast.notes] where !sent.contains(secret) {
            expect(!body.contains(secret), "a stranger saw a secret through \(route)")
        }
    }
    return 0
}

/// The routes, each with a fixed path; the fuzz bytes are the body.
enum Route: CaseIterable, CustomStringConvertible {
    case create, updateOwn, updateShared, updateForeign, updateMissing, getOne, list
    case disable, enable, delete, savePasswords, anyPath, listQuery

    func request(_ bytes: [UInt8]) -> WireRequest {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .create: return WireRequest(method: "POST", path: "api/mysafe/password", body: bytes)
        case .updateOwn: return WireRequest(method: "PUT", path: "api/mysafe/password/update/1", body: bytes)
        case .updateShared: return WireRequest(method: "PUT", path: "api/mysafe/password/update/2", body: bytes)
        case .updateForeign: return WireRequest(method: "PUT", path: "api/mysafe/password/update/3", body: bytes)
        case .updateMissing: return WireRequest(method: "PUT", path: "api/mysafe/password/update/99", body: bytes)
        case .getOne: return WireRequest(method: "GET", path: "api/mysafe/password/1", body: bytes)
        case .list: return WireRequest(method: "GET", path: "api/mysafe/password", body: bytes)
        case .disable: return WireRequest(method: "POST", path: "api/mysafe/password/inactive/1", body: bytes)
        case .enable: return WireRequest(method: "POST", path: "api/mysafe/password/active/2", body: bytes)
        case .delete: return WireRequest(method: "DELETE", path: "api/mysafe/password/1", body: bytes)
        case .savePasswords:
            return WireRequest(method: "POST", path: "api/password-generator/save-passwords/", body: bytes)
        case .anyPath:
            let methods = ["GET", "POST", "PUT", "DELETE", "put"]
            let method = methods[Int(bytes.first ?? 0) % methods.count]
            return WireRequest(method: method, path: "api/mysafe/password/" + text.dropFirst(), body: Array("{}".utf8))
        case .listQuery: return WireRequest(method: "GET", path: "/api/mysafe/password?" + text)
        }
    }

    var description: String {
        switch self {
        case .create: "create"
        case .updateOwn: "update of an own entry"
        case .updateShared: "update of an entry shared for editing"
        case .updateForeign: "update of a foreign entry"
        case .updateMissing: "update of a missing entry"
        case .getOne: "get one"
        case .list: "list"
        case .disable: "disable"
        case .enable: "enable"
        case .delete: "delete"
        case .savePasswords: "save-passwords"
        case .anyPath: "a fuzzed path"
        case .listQuery: "a list with a fuzzed query"
        }
    }
}

/// The users and the three entries every input starts from.
///
/// Entry 1: alice's, shared with bob (editor) and the group `ops` (viewers: carol), with every
/// secret. Entry 2: bob's, disabled, shared with alice as editor. Entry 3: bob's, not shared.
enum Cast {
    static let alice = User(id: UserID(rawValue: 1), username: "alice")
    static let bob = User(id: UserID(rawValue: 2), username: "bob")
    static let carol = User(id: UserID(rawValue: 3), username: "carol")
    static let mallory = User(id: UserID(rawValue: 9), username: "mallory")
    static let users = [alice, bob, carol, mallory]

    static let password = "Canary-Password-6c1f0e"
    static let notes = "Canary-Notes-93b2d4"
    /// A base32 seed that cannot turn up by chance in an answer.
    static let seed = "MNQW4YLSPEWXGZLFMQWTCMRT"

    /// A fresh vault in a fresh in-memory storage, holding the template's header and entries:
    /// the same state for every input, without sealing anything again.
    static func vault() async -> Vault {
        do {
            let storage = InMemoryStorage()
            try await storage.writeHeader(template.header, expectedGeneration: .noHeader)
            // The template's identifiers are 1, 2, 3: the ones a fresh store hands out in turn.
            for entity in template.entities { try await storage.insert(headerGeneration: nil) { _ in entity } }
            return try await Vault.open(storage: storage, directory: directory, credential: .rawKey(rawKey))
        } catch {
            fatalError("the fuzzing vault could not be opened: \(error)")
        }
    }

    static let directory: InMemoryDirectory = {
        let directory = InMemoryDirectory()
        for user in users { directory.addUser(user.username, id: user.id.rawValue) }
        directory.addGroup("ops", members: ["carol"])
        return directory
    }()

    /// The header and entries that every input starts from, made once through the vault.
    static let template: (header: [UInt8], entities: [PasswordEntity]) = runBlocking {
        do {
            let storage = InMemoryStorage()
            let vault = try await Vault.create(storage: storage, directory: directory, credential: .rawKey(rawKey))
            _ = try await vault.create(
                PasswordRequest(
                    name: "mail", username: "alice@example.com", password: .value(password), url: "mail.example.com",
                    secretKey: .value(seed), notes: .value(notes), tags: .value(["mail", "personal"]),
                    usersAllowed: .value([ShareRequest(name: "bob", canEdit: true)]),
                    groupsAllowed: .value([ShareRequest(name: "ops")])),
                as: alice)
            let second = try await vault.create(
                PasswordRequest(
                    name: "build", username: "ci", password: .value(password),
                    usersAllowed: .value([ShareRequest(name: "alice", canEdit: true)])),
                as: bob)
            try await vault.disable(second.entity.identifier, as: bob)
            _ = try await vault.create(
                PasswordRequest(name: "bank", username: "bob", password: .value(password), notes: .value(notes)),
                as: bob)
            return (try await storage.readHeader()!.bytes, try await storage.entities(after: nil, limit: 10))
        } catch {
            fatalError("the fuzzing vault could not be set up: \(error)")
        }
    }

    /// The raw key, kept as bytes (a long-lived `VaultCredential` looks like a leak to LeakSanitizer).
    static let rawKeyBytes = [UInt8](repeating: 0x42, count: 32)
    static var rawKey: SecretBytes { SecretBytes(rawKeyBytes) }
}
