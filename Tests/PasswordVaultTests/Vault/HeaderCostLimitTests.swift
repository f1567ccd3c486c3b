import Foundation
import Testing

@_spi(Benchmarks) @testable import PasswordVault

/// An edited header that states an Argon2id cost above the maximum (default the `sensitive`
/// preset, raisable by the host) is refused on open with a clear error, before any derivation
/// runs (docs/contract.md §6, issue 12's hardening).
@Suite("header cost limit")
struct HeaderCostLimitTests {
    static let passphrase = VaultCredential.passphrase(SecretBytes(utf8: "correct horse"))

    /// A vault whose header then states `cost`, its checksum recomputed (as an editor would).
    static func vaultStating(_ cost: KeyDerivationCost) async throws -> InMemoryStorage {
        let storage = InMemoryStorage()
        _ = try await Vault.create(storage: storage, credential: passphrase, cost: .minimum)
        let stored = try #require(try await storage.readHeader())
        var bytes = stored.bytes
        // docs/format.md §3: opslimit at offset 22, memlimit at 30 (u64 big-endian), checksum last.
        var limits: [UInt8] = []
        limits.appendBigEndian(cost.opsLimit)
        limits.appendBigEndian(cost.memLimit)
        bytes.replaceSubrange(22..<38, with: limits)
        bytes.replaceSubrange((bytes.count - 32)..., with: try Sodium.blake2b(bytes.dropLast(32)))
        try await storage.writeHeader(bytes, expectedGeneration: stored.generation)
        return storage
    }

    /// 16 GiB: had the derivation run, opening would fill the memory (or fail for the lack of it).
    static let sixteenGiB = KeyDerivationCost(opsLimit: 4, memLimit: 16 << 30)

    @Test func aHeaderAskingForMoreThanTheSensitivePresetIsRefusedBeforeDeriving() async throws {
        let storage = try await Self.vaultStating(Self.sixteenGiB)
        let started = ContinuousClock.now
        let error = await #expect(throws: VaultKeyError.self) {
            _ = try await Vault.open(storage: storage, credential: Self.passphrase)
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(error == .costTooHigh(stated: Self.sixteenGiB, maximum: .sensitive))
        #expect(
            error?.description
                == "the vault header asks for Argon2id with 4 passes over 17179869184 bytes, above the allowed maximum of 4 passes over 1073741824 bytes"
        )
        // One limit above the maximum is enough: 5 passes over the minimum memory.
        let passes = KeyDerivationCost(opsLimit: 5, memLimit: KeyDerivationCost.minimum.memLimit)
        let morePasses = try await Self.vaultStating(passes)
        await #expect(throws: VaultKeyError.costTooHigh(stated: passes, maximum: .sensitive)) {
            _ = try await Vault.open(storage: morePasses, credential: Self.passphrase)
        }
    }

    @Test func theHostMayRaiseTheMaximum() async throws {
        // Cheap to derive, but 5 passes: refused by default, derived once the host allows it —
        // and then the edit shows (the key derived from the edited cost opens nothing).
        let passes = KeyDerivationCost(opsLimit: 5, memLimit: KeyDerivationCost.minimum.memLimit)
        let storage = try await Self.vaultStating(passes)
        await #expect(throws: VaultKeyError.wrongPassphraseOrKey) {
            _ = try await Vault.open(storage: storage, credential: Self.passphrase, maximumCost: passes)
        }
        // The limit is checked by KeyRing itself, for every caller.
        let header = try #require(try await storage.readHeader()).bytes
        #expect(throws: CryptoError.costTooHigh(stated: passes, maximum: .interactive)) {
            _ = try KeyRing.unlock(header: header, credential: Self.passphrase, maximumCost: .interactive)
        }
    }
}
