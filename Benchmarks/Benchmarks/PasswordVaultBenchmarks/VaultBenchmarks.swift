import Benchmark
import Foundation
import PasswordVault

/// The vault's operations on the in-memory storage. No peer: C has no password vault.
func registerVaultBenchmarks() {
    let small = Suite.size(10_000, smoke: 1_000)
    let big = Suite.size(1_000_000, smoke: 20_000)
    let fast = Suite.configuration(scaling: .kilo)
    let smallName = "10,000"
    let bigName = "1,000,000"

    benchmark("vault create, in memory", fast, setup: { try await VaultFixture(total: small) }) { benchmark, f in
        var number = 0
        for _ in benchmark.scaledIterations {
            blackHole(try await f.vault.create(Inputs.request(name: "\(Inputs.name) new \(number)"), as: f.alice))
            number += 1
        }
    }

    benchmark("vault revealPassword warm, in memory", fast, setup: { try await VaultFixture(total: small) }) {
        benchmark, f in
        var index = 0
        for _ in benchmark.scaledIterations {
            blackHole(try await f.vault.revealPassword(f.ownedIDs[index], as: f.alice))
            index = (index + 1) % f.ownedIDs.count
        }
    }

    benchmark("vault code(at:), in memory", fast, setup: { try await VaultFixture(total: small) }) { benchmark, f in
        var index = 0
        var time = Date(timeIntervalSince1970: 1_700_000_000)
        for _ in benchmark.scaledIterations {
            blackHole(try await f.vault.code(f.ownedIDs[index], at: time, as: f.alice))
            index = (index + 1) % f.ownedIDs.count
            time += 30
        }
    }

    benchmark("vault update password, in memory", fast, setup: { try await VaultFixture(total: small) }) {
        benchmark, f in
        let changes = [Inputs.otherPassword, Inputs.password].map { PasswordRequest(password: .value($0)) }
        var index = 0
        for _ in benchmark.scaledIterations {
            // Each entry alternates between two passwords, so every update writes.
            let round = index / f.ownedIDs.count
            blackHole(try await f.vault.update(f.ownedIDs[index % f.ownedIDs.count], changes[round % 2], as: f.alice))
            index += 1
        }
    }

    for (total, label) in [(small, smallName), (big, bigName)] {
        benchmark(
            "vault list 100 among \(label), in memory", Suite.configuration(seconds: 3),
            setup: { try await VaultFixture(total: total) }
        ) { benchmark, f in
            for _ in benchmark.scaledIterations {
                let listed = try await f.vault.list(as: f.alice)
                guard listed.count == VaultFixture.visible else {
                    throw PeerFailure(what: "list: \(listed.count) entries instead of 100", status: -1)
                }
                blackHole(listed)
            }
        }
    }
}
