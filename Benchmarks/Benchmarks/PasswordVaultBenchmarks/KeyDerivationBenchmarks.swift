import Benchmark
import CPeers
import PasswordVault

/// Argon2id at libsodium's minimum (the tests' preset) and interactive presets: opening a
/// vault with a passphrase (derive the key-encryption key, unwrap the data key) against
/// `crypto_pwhash` alone from C.
func registerKeyDerivationBenchmarks() {
    let passphrase = "correct horse battery staple"
    for (label, cost, scaling, seconds) in [
        ("minimum", KeyDerivationCost.minimum, BenchmarkScalingFactor.kilo, 2),
        ("interactive", KeyDerivationCost.interactive, BenchmarkScalingFactor.one, 3),
    ] {
        let name = "Argon2id \(label)"
        let configuration = Suite.configuration(scaling: scaling, seconds: seconds)

        benchmark(
            name, configuration,
            setup: { () async throws -> InMemoryStorage in
                let storage = InMemoryStorage()
                _ = try await Vault.create(
                    storage: storage, credential: .passphrase(SecretBytes(utf8: passphrase)), cost: cost)
                return storage
            }
        ) { benchmark, storage in
            for _ in benchmark.scaledIterations {
                blackHole(
                    try await Vault.open(storage: storage, credential: .passphrase(SecretBytes(utf8: passphrase))))
            }
        }

        benchmark(name + " [C]", configuration) { benchmark in
            guard peer_init() == 0 else { throw PeerFailure(what: "peer_init", status: -1) }
            var key = [UInt8](repeating: 0, count: 32)
            let salt = [UInt8](repeating: 7, count: 16)
            for _ in benchmark.scaledIterations {
                let status = peer_argon2id(
                    &key, passphrase, passphrase.utf8.count, salt, cost.opsLimit, Int(cost.memLimit))
                guard status == 0 else { throw PeerFailure(what: "crypto_pwhash", status: Int(status)) }
                blackHole(key[0])
            }
        }
    }
}
