import Foundation
import Testing

@testable import PasswordVault

/// One-time codes through the vault at the edges docs/contract.md §5 names: a time before T0,
/// and an hotp URI given as `secret_key`.
@Suite("One-time codes through the vault")
struct VaultOneTimeCodeTests {
    /// RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890", in base32.
    static let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    static let beforeT0 = VaultError.invalidParameter(
        field: "time", reason: "the time is before the start of the first time step (T0)")

    func entry(in f: VaultFixture) async throws -> EntryID {
        try await f.vault.create(
            PasswordRequest(name: "n", username: "u", password: "p", secretKey: .value(Self.seed)), as: f.alice
        ).entity.identifier
    }

    /// docs/contract.md §5: a time before T0 (0 for every seed a request can carry) is an error
    /// with the one-time codes' reason, never a crash and never a code; T0 itself is step 0.
    @Test func aCodeAskedForBeforeT0IsRefusedWithTheContractsReason() async throws {
        let f = try await VaultFixture()
        let id = try await entry(in: f)
        for time in [-1, -0.5, -30, -1e9] {
            await #expect(throws: Self.beforeT0, "\(time)") {
                try await f.vault.code(id, at: Date(timeIntervalSince1970: time), as: f.alice)
            }
            await #expect(throws: Self.beforeT0, "\(time)") {
                try await f.vault.reveal(id, at: Date(timeIntervalSince1970: time), as: f.alice)
            }
        }
        // RFC 4226 Appendix D, counter 0 (T0 itself), then the RFC 6238 T = 59 s step.
        #expect(try await f.vault.code(id, at: Date(timeIntervalSince1970: 0), as: f.alice) == "755224")
        #expect(try await f.vault.code(id, at: Date(timeIntervalSince1970: 59), as: f.alice) == "287082")
    }

    @Test func aVaultClockBeforeT0RefusesTheCurrentCodeButNotTheOtherSecrets() async throws {
        let f = try await VaultFixture(clock: FixedClock(Date(timeIntervalSince1970: -86_400)))
        let id = try await entry(in: f)
        await #expect(throws: Self.beforeT0) { try await f.vault.code(id, as: f.alice) }
        #expect(try await f.vault.revealPassword(id, as: f.alice).revealUTF8() == "p")
        let seed = try #require(try await f.vault.revealSecretKey(id, as: f.alice))
        #expect(Base32.encode(seed.secret) == Self.seed)
    }

    /// docs/contract.md §5: an hotp URI is refused as `secret_key` (the vault gives TOTP codes):
    /// 1002 naming the field, on create and update alike, and nothing is stored.
    @Test(arguments: [
        (
            "otpauth://hotp/ACME:alice?secret=JBSWY3DPEHPK3PXP&counter=5&issuer=ACME",
            "not a usable otpauth URI: not a totp URI"
        ),
        ("OTPAUTH://HOTP/alice?secret=JBSWY3DPEHPK3PXP&counter=0", "not a usable otpauth URI: not a totp URI"),
        (
            "otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP",
            "not a usable otpauth URI: the counter parameter is required for hotp"
        ),
    ])
    func anHOTPURIIsRefusedAsSecretKey(uri: String, reason: String) async throws {
        let f = try await VaultFixture()
        let refusal = VaultError.invalidParameter(field: "secret_key", reason: reason)
        await #expect(throws: refusal) {
            try await f.vault.create(
                PasswordRequest(name: "n", username: "u", password: "p", secretKey: .value(uri)), as: f.alice)
        }
        #expect(f.storage.count == 0)

        let id = try await entry(in: f)
        let before = try await f.vault.entity(id, as: f.alice)
        await #expect(throws: refusal) {
            try await f.vault.update(id, PasswordRequest(secretKey: .value(uri)), as: f.alice)
        }
        #expect(try await f.vault.entity(id, as: f.alice) == before)

        let api = WireHandler(vault: f.vault)
        let answer = await api.handle(
            WireRequest(
                method: "POST", path: "api/mysafe/password",
                body: Array(#"{"name": "n", "username": "u", "password": "p", "secret_key": "\#(uri)"}"#.utf8)),
            as: f.alice)
        #expect(answer.status == 400)
        #expect(try json(answer.body)["exception"]?["message"] == .string(refusal.message))
        #expect(f.storage.count == 1)
    }
}
