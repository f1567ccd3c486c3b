import CSodium
import FuzzSupport
import PasswordVault

/// `Vault.open` over an in-memory storage whose header is made from the fuzz bytes.
///
/// The header ends with an unkeyed BLAKE2b checksum that random bytes never match, so most
/// modes recompute it, as a forger would, to reach the parser and the MAC behind it. The
/// first byte picks the mode:
/// - 0: the fuzz bytes as they are;
/// - 1: the fuzz bytes with a valid checksum appended;
/// - 2, 3: a genuine raw-key header with the fuzz bytes XORed in, checksum kept (2) or fixed (3);
/// - 4, 5: the same for a genuine passphrase header (Argon2id at libsodium's minimum cost).
/// Bit 3 of the first byte offers the wrong credential.
///
/// Oracles: opening succeeds exactly for the genuine header with the right credential, and then
/// reveals the genuine password; every failure is a `VaultKeyError` of the header or the
/// credential (never a storage failure), never a crash.
///
/// The harness offers a passphrase only when the header's Argon2id cost is tiny: the cost is
/// read before anything can authenticate it (a documented slow-unlock risk, see SECURITY.md), and
/// a forged cost would only make the fuzzer measure Argon2id.
@_cdecl("LLVMFuzzerTestOneInput")
public func vaultHeaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let choice = input.byte()
    let mode = Int(choice & 0x07) % 6
    let wrongCredential = choice & 0x08 != 0
    let fuzz = input.rest
    let setup = Setup.shared

    var header: [UInt8]
    var genuine = false
    let vault: Setup.Genuine?
    switch mode {
    case 0:
        header = fuzz
        vault = nil
    case 1:
        header = fuzz + checksum(fuzz)
        vault = nil
    default:
        vault = mode < 4 ? setup.rawKeyVault : setup.passphraseVault
        header = xor(vault!.header, fuzz, sparing: mode < 4 ? 0..<0 : costBytes)
        if mode % 2 == 1, header.count >= 32 { header = Array(header.dropLast(32)) + checksum(header.dropLast(32)) }
        genuine = header == vault!.header && !wrongCredential
    }

    // A passphrase only for a passphrase header of minimum cost; a raw key otherwise.
    var credential = setup.rawKeyVault.credential
    if let vault, vault.isPassphrase { credential = vault.credential }
    if credential.isPassphrase, !hasMinimumCost(header) { credential = setup.rawKeyVault.credential }
    if wrongCredential { credential = credential.isPassphrase ? setup.wrongPassphrase : setup.wrongRawKey }

    let (bytes, offered, entity) = (header, credential.value, vault?.entity)
    let outcome = runBlocking { await setup.open(bytes, with: offered, entity: entity) }
    switch outcome {
    case .opened(let revealed):
        expect(genuine, "a header that is not the genuine one opened (mode \(mode))")
        expect(revealed, "the opened vault does not reveal the genuine password")
    case .refused(let error):
        expect(!genuine, "the genuine header was refused: \(error)")
        var ofTheHeader = false
        if let error = error as? VaultKeyError {
            switch error {
            case .wrongPassphraseOrKey, .invalidKeyLength, .headerCorrupted, .unsupportedHeaderVersion, .costTooHigh,
                .keyDerivationFailed:
                ofTheHeader = true
            default: ofTheHeader = false
            }
        }
        expect(ofTheHeader, "refused with an error that is not the header's or the credential's: \(error)")
    }
    return 0
}

/// The header bytes holding the Argon2id opslimit and memlimit (offsets 22..<38).
let costBytes = 22..<38

/// `base` with `mask` XORed over its start, except over `sparing`; mask bytes past its end are appended.
func xor(_ base: [UInt8], _ mask: [UInt8], sparing: Range<Int>) -> [UInt8] {
    var result = base
    for (index, byte) in mask.enumerated() where !sparing.contains(index) {
        if index < result.count { result[index] ^= byte } else { result.append(byte) }
    }
    return result
}

/// The unkeyed BLAKE2b-256 that ends a header.
func checksum(_ bytes: some Collection<UInt8>) -> [UInt8] {
    let message = Array(bytes)
    var digest = [UInt8](repeating: 0, count: 32)
    _ = crypto_generichash(&digest, 32, message, UInt64(message.count), nil, 0)
    return digest
}

/// Whether the header asks for Argon2id at libsodium's minimum (or names no cost at all).
func hasMinimumCost(_ header: [UInt8]) -> Bool {
    guard header.count >= costBytes.upperBound, header[5] == 1 else { return true }
    func read(_ range: Range<Int>) -> UInt64 { header[range].reduce(0) { $0 << 8 | UInt64($1) } }
    let minimum = KeyDerivationCost.minimum
    return read(22..<30) <= minimum.opsLimit && read(30..<38) <= minimum.memLimit
}

enum Outcome: Sendable {
    case opened(revealed: Bool)
    case refused(any Error)
}

/// A credential's bytes, with whether they are a passphrase (the harness must not run Argon2id
/// at a forged cost).
///
/// The `VaultCredential` is made when needed rather than kept: it is an enum whose two cases
/// both hold a reference, which Swift tags in the reference's spare bits, so a long-lived one
/// looks like a leak to LeakSanitizer.
struct Credential: Sendable {
    let secret: SecretBytes
    let isPassphrase: Bool

    var value: VaultCredential { isPassphrase ? .passphrase(secret) : .rawKey(secret) }
}

/// Two genuine vaults, made once: one under a raw key, one under a passphrase.
final class Setup: Sendable {
    static let shared = runBlocking { await Setup() }
    static let password = "Canary-Password-41d9"

    struct Genuine: Sendable {
        let header: [UInt8]
        let entity: PasswordEntity
        let credential: Credential
        var isPassphrase: Bool { credential.isPassphrase }
    }

    let rawKeyVault: Genuine
    let passphraseVault: Genuine
    let wrongRawKey = Credential(secret: SecretBytes([UInt8](repeating: 7, count: 32)), isPassphrase: false)
    let wrongPassphrase = Credential(secret: SecretBytes(utf8: "not the passphrase"), isPassphrase: true)
    let directory = InMemoryDirectory()
    let owner: User

    init() async {
        owner = directory.addUser("alice", id: 1)
        do {
            rawKeyVault = try await Self.make(
                Credential(secret: SecretBytes([UInt8](repeating: 1, count: 32)), isPassphrase: false),
                directory: directory, owner: owner)
            passphraseVault = try await Self.make(
                Credential(secret: SecretBytes(utf8: "correct horse"), isPassphrase: true),
                directory: directory, owner: owner)
        } catch {
            fatalError("the genuine vaults could not be made: \(error)")
        }
    }

    private static func make(_ credential: Credential, directory: InMemoryDirectory, owner: User) async throws
        -> Genuine
    {
        let storage = InMemoryStorage()
        let vault = try await Vault.create(
            storage: storage, directory: directory, credential: credential.value, cost: .minimum)
        let id = try await vault.create(
            PasswordRequest(name: "mail", username: "alice", password: .value(password)), as: owner
        ).entity.identifier
        return Genuine(
            header: try await storage.readHeader()!.bytes, entity: try await storage.entity(id)!, credential: credential
        )
    }

    /// Opens a storage holding `header` (and `entity`, when given) and reveals the entity's password.
    func open(_ header: [UInt8], with credential: VaultCredential, entity: PasswordEntity?) async -> Outcome {
        let storage = InMemoryStorage()
        do {
            try await storage.writeHeader(header, expectedGeneration: .noHeader)
            // The genuine entity has identifier 1, the first a fresh store hands out.
            if let entity { try await storage.insert(headerGeneration: nil) { _ in entity } }
        } catch {
            fatalError("the fuzzing storage failed: \(error)")
        }
        let vault: Vault
        do {
            vault = try await Vault.open(storage: storage, directory: directory, credential: credential)
        } catch {
            return .refused(error)
        }
        guard let entity else { return .opened(revealed: false) }
        let password = try? await vault.revealPassword(entity.identifier, as: owner)
        return .opened(revealed: password?.revealUTF8() == Self.password)
    }
}
