import Benchmark
import CPeers
@_spi(Benchmarks) import PasswordVault

/// Sealing and opening a secret of 32 B, 200 B and 4 KiB.
///
/// The library keeps its key ring internal (keys never leave a `Vault`); the benchmarks reach
/// it through `@_spi(Benchmarks)`, so our rows are `KeyRing.seal` then `KeyRing.open` of one
/// value, with a fresh random nonce per seal as the library draws it — the same work as the
/// peer, libsodium's secretbox with a random nonce, called directly. A reference row does the
/// library's construction in C (entry and field in front of the secret, checked on open), to
/// split design from overhead. A last row goes through a whole vault request for 200 B:
/// `Vault.update` of the notes then `Vault.revealNotes`.
func registerSealingBenchmarks() {
    let configuration = Suite.configuration(scaling: .kilo)
    for (label, count) in Inputs.sealSizes {
        let name = "secretbox seal+open \(label)"
        let secret = SecretBytes(utf8: Inputs.text(count))

        benchmark(name, configuration, setup: { try SealingRing() }) { benchmark, fixture in
            for _ in benchmark.scaledIterations {
                let sealed = try fixture.ring.seal(secret, entry: fixture.entry, field: .notes)
                blackHole(try fixture.ring.open(sealed, entry: fixture.entry, field: .notes))
            }
        }

        benchmark(name + " [C]", configuration) { benchmark in
            try sealPeer(benchmark, count: count, bound: false)
        }
        benchmark(name + " with entry and field bound [C]", configuration) { benchmark in
            try sealPeer(benchmark, count: count, bound: true)
        }
    }

    let notes = Inputs.text(200)
    benchmark(
        "vault update notes + revealNotes 200 B, in memory", configuration,
        setup: { try await SealingFixture(notes: notes) }
    ) { benchmark, fixture in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.vault.update(fixture.id, fixture.change, as: fixture.owner))
            blackHole(try await fixture.vault.revealNotes(fixture.id, as: fixture.owner))
        }
    }
}

/// libsodium from C: `count` bytes sealed with a fresh random nonce, then opened; `bound`, the
/// library's construction (binding ‖ secret, binding checked).
private func sealPeer(_ benchmark: Benchmark, count: Int, bound: Bool) throws {
    guard peer_init() == 0 else { throw PeerFailure(what: "peer_init", status: -1) }
    let key = [UInt8](repeating: 0x42, count: 32)
    let message = Array(Inputs.text(count).utf8)
    var sealed = [UInt8](repeating: 0, count: 24 + 16 + 9 + count)
    var opened = [UInt8](repeating: 0, count: 9 + count)
    let entry = SealingRing.entry.rawValue
    for _ in benchmark.scaledIterations {
        let status =
            bound
            ? peer_secretbox_bound_seal_open(
                key, UInt64(entry), SecretField.notes.rawValue, message, count, &sealed, &opened)
            : peer_secretbox_seal_open(key, message, count, &sealed, &opened)
        guard status == 0 else { throw PeerFailure(what: "crypto_secretbox_open_easy", status: Int(status)) }
        blackHole(opened[0])
    }
}

/// A key ring made from a random raw key, as a vault holds it.
struct SealingRing: Sendable {
    static let entry = EntryID(rawValue: 312)!
    let ring: KeyRing
    var entry: EntryID { Self.entry }

    init() throws {
        ring = try KeyRing.create(credential: .rawKey(try SecretBytes.random(count: 32)), cost: .minimum).ring
    }
}

/// An in-memory vault with one entry whose notes the benchmark replaces and reads back.
struct SealingFixture: @unchecked Sendable {
    let vault: Vault
    let owner: User
    let id: EntryID
    let change: PasswordRequest

    init(notes: String) async throws {
        let storage = InMemoryStorage()
        owner = User(id: UserID(rawValue: 1), username: "alice")
        try await storage.addUser(owner)
        vault = try await Vault.create(
            storage: storage, credential: .rawKey(try SecretBytes.random(count: 32)))
        id = try await vault.create(Inputs.request(name: Inputs.name, notes: notes), as: owner).entity.identifier
        change = PasswordRequest(notes: .value(notes))
    }
}
