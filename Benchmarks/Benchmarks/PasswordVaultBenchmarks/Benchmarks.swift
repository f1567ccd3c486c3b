import Benchmark

/// The suite: our rows and, beside each, the peer row in C (named `… [C]`).
///
/// `make bench` runs it and prints one table; `make bench-smoke` (BENCH_SMOKE=1) runs every
/// benchmark once, with small stores. Each benchmark runs in a process of its own.
let benchmarks: @Sendable () -> Void = {
    Suite.configureDefaults()
    registerOneTimeCodeBenchmarks()
    registerSealingBenchmarks()
    registerKeyDerivationBenchmarks()
    registerVaultBenchmarks()
    registerPolicyBenchmarks()
    registerWireBenchmarks()
    registerSQLiteBenchmarks()
    registerAuditBenchmarks()
    registerPostgresBenchmarks()
    registerMemoryBenchmarks()
}
