import Benchmark
import CPeers
import PasswordVault

/// Sealing and opening a secret of 32 B, 200 B and 4 KiB.
///
/// The library keeps its sealing internal (keys never leave a `Vault`), so our row goes through
/// the cheapest public path that seals one value and opens one: `Vault.update` of the notes
/// (validate, seal under the entry's field key, compare-and-set in memory) then
/// `Vault.revealNotes` (load, access check, open). The peer is libsodium's secretbox with a
/// random nonce, called directly; a second C row adds what the library's layout requires
/// (a field key from `crypto_kdf` for the seal and for the open), to split design from overhead.
func registerSealingBenchmarks() {
    let configuration = Suite.configuration(scaling: .kilo)
    for (label, count) in Inputs.sealSizes {
        let name = "secretbox seal+open \(label)"
        let notes = Inputs.text(count)

        benchmark(name, configuration, setup: { try await SealingFixture(notes: notes) }) { benchmark, fixture in
            for _ in benchmark.scaledIterations {
                blackHole(try await fixture.vault.update(fixture.id, fixture.change, as: fixture.owner))
                blackHole(try await fixture.vault.revealNotes(fixture.id, as: fixture.owner))
            }
        }

        benchmark(name + " [C]", configuration) { benchmark in
            try sealPeer(benchmark, count: count, fieldKeys: false)
        }
        benchmark(name + " with field keys [C]", configuration) { benchmark in
            try sealPeer(benchmark, count: count, fieldKeys: true)
        }
    }
}

/// libsodium from C: `count` bytes sealed with a fresh random nonce, then opened.
private func sealPeer(_ benchmark: Benchmark, count: Int, fieldKeys: Bool) throws {
    guard peer_init() == 0 else { throw PeerFailure(what: "peer_init", status: -1) }
    let key = [UInt8](repeating: 0x42, count: 32)
    let message = Array(Inputs.text(count).utf8)
    var sealed = [UInt8](repeating: 0, count: 24 + 16 + count)
    var opened = [UInt8](repeating: 0, count: count)
    var subkeyID: UInt64 = 4 << 2 | 2
    for _ in benchmark.scaledIterations {
        let status =
            fieldKeys
            ? peer_secretbox_kdf_seal_open(key, subkeyID, message, count, &sealed, &opened)
            : peer_secretbox_seal_open(key, message, count, &sealed, &opened)
        guard status == 0 else { throw PeerFailure(what: "crypto_secretbox_open_easy", status: Int(status)) }
        blackHole(opened[0])
        subkeyID &+= 4
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
