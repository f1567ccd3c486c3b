import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// Properties over generated cases (see `Support/PropertyTesting.swift`: a failure prints the
/// seed that replays it, `PROPERTY_SEED=<seed> swift test --filter PropertyTests`).
@Suite("Properties")
struct PropertyTests {
    // MARK: Base32

    @Test func base32RoundTripsAnyBytes() throws {
        try Property.forAll(3000) { gen in
            let bytes = gen.bytes(1...300)
            let text = Base32.encode(bytes)
            guard text.count == (bytes.count * 8 + 4) / 5 else {
                return "\(bytes.count) bytes gave \(text.count) symbols"
            }
            guard try Base32.decode(text) == bytes else { return "\(bytes) → \(text) decodes to other bytes" }
            guard try Base32.decodeSecret(text) == SecretBytes(bytes) else { return "decodeSecret differs for \(text)" }
            return nil
        }
        #expect(Base32.encode([UInt8]()).isEmpty)
        #expect(throws: Base32Error.empty) { try Base32.decode("") }
    }

    /// Lower case, spaces, tabs, line breaks and dashes anywhere, and the right padding (itself
    /// followed by ignored characters or not): every lenient form decodes to the same bytes.
    @Test func lenientFormsDecodeToTheSameBytes() throws {
        let ignored = [" ", "\t", "\r", "\n", "\r\n", "-", "  "]
        try Property.forAll(3000) { gen in
            let bytes = gen.bytes(1...80)
            let canonical = Base32.encode(bytes)
            var text = gen.bool(0.2) ? gen.element(ignored) : ""
            for symbol in canonical {
                if gen.bool(0.15) { text += gen.element(ignored) }
                text += gen.bool() ? symbol.lowercased() : String(symbol)
            }
            if gen.bool() { text += String(repeating: "=", count: (8 - canonical.count % 8) % 8) }
            if gen.bool(0.2) { text += gen.element(ignored) }
            guard let decoded = try? Base32.decode(text) else { return "\(text.debugDescription) is refused" }
            guard decoded == bytes else { return "\(text.debugDescription) decodes to other bytes" }
            guard try Base32.decodeSecret(text) == SecretBytes(bytes) else { return "decodeSecret differs" }
            return nil
        }
    }

    /// Any character outside the alphabet and the ignored ones is refused at its position.
    @Test func aForeignCharacterIsRefusedAtItsPosition() throws {
        Property.forAll(2000) { gen in
            let canonical = Base32.encode(gen.bytes(1...40))
            let cut = canonical.index(canonical.startIndex, offsetBy: gen.int(0...canonical.count))
            let foreign = gen.element(["1", "8", "0", "!", "é", "~", "🎉", "\u{0}", "+", "/"])
            let text = String(canonical[..<cut]) + foreign + String(canonical[cut...])
            let expected = Base32Error.invalidCharacter(position: canonical[..<cut].count + 1)
            do throws(Base32Error) {
                _ = try Base32.decode(text)
                return "\(text.debugDescription) was accepted"
            } catch {
                return error == expected ? nil : "\(text.debugDescription): \(error), not \(expected)"
            }
        }
    }

    // MARK: Tags

    @Test func tagNormalisationIsIdempotentAndSurvivesTheWire() {
        Property.forAll(3000) { gen in
            let pieces = (0..<gen.int(0...12)).map { _ in gen.text(0...6, from: Gen.awkward) }
            let once = Tags.normalize(pieces)
            // Compared by Unicode scalars, as the rule compares repeats (docs/contract.md §2):
            // Swift's `==` would call an NFC and an NFD spelling equal.
            let scalars = { (tags: [String]) in tags.map { Array($0.unicodeScalars) } }
            guard scalars(Tags.normalize(once)) == scalars(once) else {
                return "not idempotent on \(pieces.debugDescription)"
            }
            guard Set(scalars(once)).count == once.count else { return "repeats in \(once.debugDescription)" }
            guard once.allSatisfy({ !$0.isEmpty && $0 == $0.trimmedWhitespace }) else {
                return "an empty or untrimmed tag in \(once.debugDescription)"
            }
            // Written as one string and read back, the tags are the same (no piece holds a comma).
            let wire = Tags.join(once)
            guard scalars(Tags.normalize(Tags.split(wire))) == scalars(once) else {
                return "\(once.debugDescription) → \(wire.debugDescription) → \(Tags.normalize(Tags.split(wire)))"
            }
            return nil
        }
    }

    @Test func commasSplitWhateverSurroundsThem() {
        #expect(Tags.split("a,\u{301}b") == ["a", "\u{301}b"])
        #expect(Tags.split("x\u{600},y") == ["x\u{600}", "y"])
        #expect(Tags.normalize(Tags.split("x\u{600}, y")) == ["x\u{600}", "y"])
    }

    // MARK: Access

    static let names = ["u1", "u2", "u3", "u4"]
    static let groupNames = ["g1", "g2", "g3"]
    static let owner = User(id: UserID(rawValue: 100), username: "owner")
    static let users = [owner] + names.enumerated().map { User(id: UserID(rawValue: Int64($0 + 1)), username: $1) }

    static func rank(_ role: Role?) -> Int { role?.rawValue ?? 0 }

    /// Granting (a new share, an edit right, a group membership) never lowers anyone's role;
    /// revoking never raises one. The owner stays owner throughout.
    @Test func grantingNeverReducesAccessAndRevokingNeverIncreasesIt() {
        Property.forAll(3000) { gen in
            var entity = PasswordEntity(
                identifier: EntryID(rawValue: 1)!, name: "n", username: "u", owner: Self.owner.id,
                usersAllowed: Self.names.filter { _ in gen.bool(0.4) }.map {
                    UserShare(username: $0, canEdit: gen.bool())
                },
                groupsAllowed: Self.groupNames.filter { _ in gen.bool(0.4) }.map {
                    GroupShare(name: $0, canEdit: gen.bool())
                },
                createdAt: .distantPast, updatedAt: .distantPast, sealedPassword: SealedValue(bytes: []))
            var membership = Dictionary(
                uniqueKeysWithValues: Self.users.map { user in
                    (user.username, Set(Self.groupNames.filter { _ in gen.bool(0.4) }))
                })
            func roles() -> [Int] {
                Self.users.map { Self.rank(entity.role(of: $0, memberOf: membership[$0.username]!)) }
            }

            let before = roles()
            let grant = gen.bool()
            let change = Self.change(&entity, &membership, grant: grant, using: &gen)
            let after = roles()
            guard after[0] == Role.owner.rawValue else { return "the owner lost ownership after \(change)" }
            for (index, user) in Self.users.enumerated() {
                let monotonic = grant ? after[index] >= before[index] : after[index] <= before[index]
                if !monotonic { return "\(change) moved \(user.username) from \(before[index]) to \(after[index])" }
            }
            return nil
        }
    }

    /// One random grant (or revoke) on the entry's shares or the group memberships; returns what it did.
    static func change(
        _ entity: inout PasswordEntity, _ membership: inout [String: Set<String>], grant: Bool, using gen: inout Gen
    ) -> String {
        let user = gen.element(users).username
        let group = gen.element(groupNames)
        switch (gen.int(0...2), grant) {
        case (0, true):
            entity.usersAllowed.append(UserShare(username: user, canEdit: gen.bool()))
            return "sharing with \(user)"
        case (0, false):
            entity.usersAllowed.removeAll { $0.username == user }
            return "unsharing \(user)"
        case (1, true):
            if let index = entity.groupsAllowed.indices.randomElement(using: &gen) {
                entity.groupsAllowed[index].canEdit = true
                return "letting \(entity.groupsAllowed[index].name) edit"
            }
            entity.groupsAllowed.append(GroupShare(name: group, canEdit: gen.bool()))
            return "sharing with \(group)"
        case (1, false):
            if let index = entity.usersAllowed.indices.randomElement(using: &gen) {
                entity.usersAllowed[index].canEdit = false
                return "stopping \(entity.usersAllowed[index].username) editing"
            }
            entity.groupsAllowed.removeAll { $0.name == group }
            return "unsharing \(group)"
        case (_, true):
            membership[user, default: []].insert(group)
            return "adding \(user) to \(group)"
        case (_, false):
            membership[user, default: []].remove(group)
            return "removing \(user) from \(group)"
        }
    }

    /// The same through a vault: the owner replaces the share lists with a larger (or smaller)
    /// set, or the directory gains (or loses) a member; every user's effective role follows.
    @Test func sharingThroughAVaultIsMonotonic() async throws {
        let f = try await VaultFixture()
        let id = try await f.vault.create(PasswordRequest(name: "n", username: "u", password: "p"), as: f.alice)
            .entity.identifier
        let people = [f.alice, f.bob, f.carol, f.dave, f.erin, f.frank, f.mallory]
        let groups = ["editors", "viewers", "Test group"]
        func roles() async throws -> [Int] {
            var ranks: [Int] = []
            for person in people { ranks.append(Self.rank(try await f.vault.effectiveRole(of: id, for: person))) }
            return ranks
        }
        func apply(users: [String: Bool], groups: [String: Bool]) async throws {
            let request = PasswordRequest(
                usersAllowed: .value(
                    users.sorted { $0.key < $1.key }.map { ShareRequest(name: .value($0), canEdit: .value($1)) }),
                groupsAllowed: .value(
                    groups.sorted { $0.key < $1.key }.map { ShareRequest(name: .value($0), canEdit: .value($1)) }))
            _ = try await f.vault.update(id, request, as: f.alice)
        }

        try await Property.forAll(300) { gen in
            var users: [String: Bool] = [:]
            for person in people.dropFirst() where gen.bool(0.4) { users[person.username] = gen.bool() }
            var shared: [String: Bool] = [:]
            for group in groups where gen.bool(0.4) { shared[group] = gen.bool() }
            try await apply(users: users, groups: shared)
            let before = try await roles()

            let grant = gen.bool()
            let person = gen.element(Array(people.dropFirst())).username
            let group = gen.element(groups)
            let what: String
            switch gen.int(0...2) {
            case 0:
                users[person] = grant ? (users[person] ?? false) || gen.bool() : nil
                what = grant ? "sharing with \(person)" : "unsharing \(person)"
                try await apply(users: users, groups: shared)
            case 1:
                shared[group] = grant ? (shared[group] ?? false) || gen.bool() : (shared[group] == true ? false : nil)
                what = grant ? "sharing with \(group)" : "reducing \(group)"
                try await apply(users: users, groups: shared)
            default:
                what = grant ? "adding \(person) to \(group)" : "removing \(person) from \(group)"
                if grant {
                    f.directory.addMember(person, to: group)
                } else {
                    f.directory.removeMember(person, from: group)
                }
            }
            let after = try await roles()
            for (index, person) in people.enumerated() {
                let monotonic = grant ? after[index] >= before[index] : after[index] <= before[index]
                if !monotonic { return "\(what) moved \(person.username) from \(before[index]) to \(after[index])" }
            }
            return after[0] == Role.owner.rawValue ? nil : "alice lost ownership"
        }
    }

    // MARK: Sealing

    /// Any bytes, sealed for any entry and field, open there and nowhere else.
    @Test func sealedValuesOpenWhereTheyWereSealedOnly() throws {
        let ring = Fixture.ring
        let last = Int64.max
        try Property.forAll(1500) { gen in
            let secret = gen.bytes(0...2048)
            let anywhere = Int64.random(in: 1...Int64.max, using: &gen)
            let raw = gen.element([1, 2, last, last - 1, anywhere])
            let entry = EntryID(rawValue: raw)!
            let field = gen.element(SecretField.allCases)
            let sealed = try ring.seal(SecretBytes(secret), entry: entry, field: field)
            guard sealed.bytes.count == SealedValue.Layout.overhead + secret.count else { return "wrong length" }
            guard try ring.open(sealed, entry: entry, field: field) == SecretBytes(secret) else {
                return "\(secret.count) bytes for entry \(raw), \(field) open to something else"
            }
            let neighbour = EntryID(rawValue: raw == last ? raw - 1 : raw + 1)!
            let otherField = SecretField.allCases.first { $0 != field }!
            for (elsewhere, place) in [(neighbour, field), (entry, otherField)] {
                if (try? ring.open(sealed, entry: elsewhere, field: place)) != nil {
                    return "a value for entry \(raw), \(field) opens for entry \(elsewhere), \(place)"
                }
            }
            return nil
        }
    }

    /// The same through a vault: any password, notes and seed come back as they were created
    /// and updated.
    @Test func secretsRoundTripThroughAVault() async throws {
        let f = try await VaultFixture()
        let secretAlphabet = Gen.awkward.filter { $0 != "\t" && $0 != "\n" }
        try await Property.forAll(300) { gen in
            let password = "p" + gen.text(0...300, from: secretAlphabet)
            let notes = gen.text(1...400, from: Gen.awkward + ["\n", "\r\n", "\t"])
            let seed = gen.bytes(1...64)
            let created = try await f.vault.create(
                PasswordRequest(
                    name: "n", username: "u", password: .value(password), secretKey: .value(Base32.encode(seed)),
                    notes: .value(notes)),
                as: f.alice)
            let id = created.entity.identifier
            guard try await f.vault.revealPassword(id, as: f.alice) == SecretBytes(utf8: password) else {
                return "the password \(password.debugDescription) came back changed"
            }
            guard try await f.vault.revealNotes(id, as: f.alice) == SecretBytes(utf8: notes) else {
                return "the notes came back changed"
            }
            guard try await f.vault.revealSecretKey(id, as: f.alice)?.secret == SecretBytes(seed) else {
                return "the seed came back changed"
            }
            let newPassword = "q" + gen.text(0...300, from: secretAlphabet)
            _ = try await f.vault.update(id, PasswordRequest(password: .value(newPassword)), as: f.alice)
            guard try await f.vault.revealPassword(id, as: f.alice) == SecretBytes(utf8: newPassword) else {
                return "the updated password came back changed"
            }
            return nil
        }
    }
}
