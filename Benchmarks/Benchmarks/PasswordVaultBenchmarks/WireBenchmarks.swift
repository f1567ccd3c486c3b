import Benchmark
import PasswordVault

/// One create through the transport-free API: JSON body decoded, entry validated, sealed and
/// stored in memory, answer encoded.
func registerWireBenchmarks() {
    benchmark(
        "wire create round trip, in memory", Suite.configuration(scaling: .kilo),
        setup: { try await VaultFixture(total: Suite.size(10_000, smoke: 1_000)) }
    ) { benchmark, f in
        let handler = WireHandler(vault: f.vault)
        let request = WireRequest(method: "POST", path: "api/mysafe/password", body: Inputs.createBody)
        for _ in benchmark.scaledIterations {
            let answer = await handler.handle(request, as: f.alice)
            guard answer.status == 201 else { throw PeerFailure(what: answer.bodyText, status: answer.status) }
            blackHole(answer)
        }
    }
}
