import Benchmark
import Foundation

/// Settings shared by every benchmark of the suite.
enum Suite {
    /// `BENCH_SMOKE=1`: every benchmark runs once, with small stores, to prove that it still works.
    static let smoke: Bool = {
        let value = ProcessInfo.processInfo.environment["BENCH_SMOKE"] ?? ""
        return !value.isEmpty && value != "0"
    }()

    /// `full` in a measuring run, `small` in a smoke run.
    static func size(_ full: Int, smoke small: Int) -> Int { smoke ? small : full }

    /// Medians in nanoseconds per operation, and allocations per operation.
    static func configureDefaults() {
        Benchmark.defaultConfiguration = configuration()
    }

    /// A configuration: `scaling` operations per measured iteration (the loop over
    /// `benchmark.scaledIterations`), at most `seconds` of measuring (or `iterations`), after
    /// `warmups` iterations not measured.
    static func configuration(
        scaling: BenchmarkScalingFactor = .one, seconds: Int = 2, iterations: Int = 10_000, warmups: Int = 2,
        metrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal]
    ) -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: metrics,
            timeUnits: .nanoseconds,
            warmupIterations: smoke ? 0 : warmups,
            scalingFactor: scaling,
            maxDuration: smoke ? .milliseconds(1) : .seconds(seconds),
            maxIterations: smoke ? 1 : iterations)
    }
}

/// Registers a benchmark whose state is built once, before warm-up, outside the measurement.
/// An error thrown by the body fails the benchmark (with its description) instead of crashing it.
func benchmark<State>(
    _ name: String, _ configuration: Benchmark.Configuration, setup: @escaping () async throws -> State,
    teardown: (() -> Void)? = nil, _ body: @escaping (Benchmark, State) async throws -> Void
) {
    Benchmark(
        name, configuration: configuration,
        closure: { (benchmark: Benchmark, state: State) async in
            do {
                try await body(benchmark, state)
            } catch {
                benchmark.error("\(name): \(error)")
            }
        },
        setup: setup,
        teardown: { teardown?() })
}

/// Registers a benchmark without state.
func benchmark(
    _ name: String, _ configuration: Benchmark.Configuration, teardown: (() -> Void)? = nil,
    _ body: @escaping (Benchmark) throws -> Void
) {
    Benchmark(
        name, configuration: configuration,
        closure: { benchmark in
            do {
                try body(benchmark)
            } catch {
                benchmark.error("\(name): \(error)")
            }
        },
        teardown: { teardown?() })
}

/// A failure of a peer call, with the C status.
struct PeerFailure: Error, CustomStringConvertible {
    var what: String
    var status: Int
    var description: String { "\(what) failed with status \(status)" }
}
