import Foundation
import PasswordVaultSQLite
import Testing

@testable import PasswordVault

/// `pwvault` on a vault whose header was edited to state an Argon2id cost above the `sensitive`
/// preset: a clear error and exit 3 at once, without running the derivation (docs/contract.md §9).
extension VaultCommandTests {
    @Test func aHeaderAskingForSixteenGiBIsRefusedWithoutDeriving() async throws {
        try makeVault()
        let storage = try SQLiteStorage.open(at: path)
        let stored = try #require(try await storage.readHeader())
        var bytes = stored.bytes
        // docs/format.md §3: memlimit (u64 big-endian) at offset 30; the checksum recomputed.
        var memLimit: [UInt8] = []
        memLimit.appendBigEndian(UInt64(16) << 30)
        bytes.replaceSubrange(30..<38, with: memLimit)
        bytes.replaceSubrange((bytes.count - 32)..., with: try Sodium.blake2b(bytes.dropLast(32)))
        try await storage.writeHeader(bytes, expectedGeneration: stored.generation)

        let started = ContinuousClock.now
        let run = try pw("list", "--as", "npass")
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(run.status == 3)
        #expect(run.stdout.isEmpty)
        #expect(
            run.stderr
                == "pwvault: the vault header asks for Argon2id with 1 passes over 17179869184 bytes, above the allowed maximum of 4 passes over 1073741824 bytes\n"
        )
    }
}
