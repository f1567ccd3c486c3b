import FuzzSupport
import PasswordVault

/// Opening sealed values from arbitrary bytes, through the public path: the fuzz bytes replace
/// one sealed field of a stored entry, straight in the storage, and the vault reveals it.
///
/// The first byte picks the field and how the bytes are made:
/// - 0: the fuzz bytes as they are;
/// - 1: the genuine sealed value with the fuzz bytes XORed over its start (and any excess
///   appended): it must open, to the genuine secret, exactly when nothing changed;
/// - 2: a genuine value of another field or entry, moved here, with the fuzz bytes XORed in.
///
/// Anything but the genuine bytes must be refused with an error naming the entry and the
/// field, never crash, never return a secret; no message may hold a secret.
@_cdecl("LLVMFuzzerTestOneInput")
public func sealedValueFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let choice = input.byte()
    let field = SecretField.allCases[Int(choice) % 3]
    let mode = Int(choice / 3) % 3
    let fuzz = input.rest

    let sealed: [UInt8]
    let genuine: Bool
    switch mode {
    case 0:
        sealed = fuzz
        genuine = false
    case 1:
        let original = Setup.shared.sealed(Setup.shared.entry, field)
        sealed = xor(original, fuzz)
        genuine = sealed == original
    default:
        let other = SecretField.allCases[(Int(choice) / 9 + 1) % 3]
        let source = other == field ? Setup.shared.otherEntry : Setup.shared.entry
        sealed = xor(Setup.shared.sealed(source, other), fuzz)
        genuine = false
    }

    let outcome = runBlocking { await Setup.shared.reveal(SealedValue(bytes: sealed), in: field) }
    switch outcome {
    case .opened(let matches):
        expect(genuine, "bytes that were not sealed for this entry and field opened")
        expect(matches, "the genuine value opened to something else")
    case .refused(let error):
        expect(!genuine, "the genuine value was refused: \(error)")
        let entry = Setup.shared.entry.description
        switch error {
        case .unexpected(let cause as CryptoError):
            switch cause {
            case .sealedValueRejected(entry, field.name), .unknownDataKey(entry, field.name, _): break
            default: expect(false, "refused for another reason: \(cause)")
            }
        default: expect(false, "refused with another error: \(error)")
        }
        for text in [error.description, error.message, "\(error)", String(reflecting: error)] {
            for secret in Setup.secrets { expect(!text.contains(secret), "an error shows a secret") }
        }
    }
    return 0
}

/// `base` with `mask` XORed over its start; mask bytes past its end are appended.
func xor(_ base: [UInt8], _ mask: [UInt8]) -> [UInt8] {
    var result = base
    for (index, byte) in mask.enumerated() {
        if index < result.count { result[index] ^= byte } else { result.append(byte) }
    }
    return result
}

enum Outcome: Sendable {
    /// The field opened; whether to the genuine secret.
    case opened(matchesGenuine: Bool)
    case refused(VaultError)
}

/// One vault for the whole run, with two entries holding every secret.
final class Setup: Sendable {
    static let shared = runBlocking { await Setup() }
    static let secrets = ["Canary-Password-2a7c", "Canary-Notes-5e1b", seed]
    static let seed = "MNQW4YLSPEWXGZLFMQWTCMRT"

    let storage = InMemoryStorage()
    let vault: Vault
    let owner = User(id: UserID(rawValue: 1), username: "alice")
    let entry: EntryID
    let otherEntry: EntryID
    /// The entries as created, with their genuine sealed values.
    let originals: [EntryID: PasswordEntity]

    init() async {
        do {
            let directory = InMemoryDirectory()
            directory.addUser("alice", id: 1)
            vault = try await Vault.create(
                storage: storage, directory: directory, credential: .rawKey(SecretBytes.random(count: 32)))
            let request = PasswordRequest(
                name: "mail", username: "alice", password: .value(Self.secrets[0]), secretKey: .value(Self.seed),
                notes: .value(Self.secrets[1]))
            entry = try await vault.create(request, as: owner).entity.identifier
            otherEntry = try await vault.create(request, as: owner).entity.identifier
            var originals: [EntryID: PasswordEntity] = [:]
            for id in [entry, otherEntry] { originals[id] = try await storage.entity(id)! }
            self.originals = originals
        } catch {
            fatalError("the fuzzing vault could not be set up: \(error)")
        }
    }

    func sealed(_ id: EntryID, _ field: SecretField) -> [UInt8] {
        let entity = originals[id]!
        switch field {
        case .password: return entity.sealedPassword.bytes
        case .notes: return entity.sealedNotes!.bytes
        case .secretKey: return entity.sealedSecretKey!.bytes
        }
    }

    /// Stores `sealed` as `field` of ``entry`` (the other fields genuine) and reveals that field.
    func reveal(_ sealed: SealedValue, in field: SecretField) async -> Outcome {
        do {
            let current = try await storage.entity(entry)!
            var changed = originals[entry]!
            changed.version = current.version + 1
            switch field {
            case .password: changed.sealedPassword = sealed
            case .notes: changed.sealedNotes = sealed
            case .secretKey: changed.sealedSecretKey = sealed
            }
            try await storage.replace(changed, expectedVersion: current.version)
        } catch {
            fatalError("the fuzzing storage failed: \(error)")
        }
        do throws(VaultError) {
            _ = try await vault.reveal(entry, as: owner)
            switch field {
            case .password:
                return .opened(
                    matchesGenuine: try await vault.revealPassword(entry, as: owner).revealUTF8() == Self.secrets[0])
            case .notes:
                return .opened(
                    matchesGenuine: try await vault.revealNotes(entry, as: owner)?.revealUTF8() == Self.secrets[1])
            case .secretKey:
                let totp = try await vault.revealSecretKey(entry, as: owner)
                return .opened(matchesGenuine: totp.map { Base32.encode($0.secret) } == Self.seed)
            }
        } catch {
            return .refused(error)
        }
    }
}
