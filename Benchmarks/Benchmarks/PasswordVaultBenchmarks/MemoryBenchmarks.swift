import Benchmark
import CPeers
import Foundation
import PasswordVault

/// Memory per entry of an in-memory vault of 1,000,000 typical entries (password and TOTP
/// seed sealed, one tag, three indexes): the heap in use and the resident set, before and after
/// building the store, divided by the number of entries.
///
/// The figures are upper bounds: package-benchmark's malloc interposer adds a 16-byte header
/// to every allocation it counts. The allocation count per entry is reported beside them.
func registerMemoryBenchmarks() {
    let total = Suite.size(1_000_000, smoke: 20_000)
    var configuration = Suite.configuration(
        scaling: .mega, iterations: 1,
        metrics: [.wallClock, .mallocCountTotal, Memory.heapPerEntry, Memory.residentPerEntry])
    configuration.warmupIterations = 0
    benchmark("memory per entry, 1,000,000 entries in memory", configuration, setup: { total }) { benchmark, total in
        let heapBefore = Memory.heapInUse()
        let residentBefore = Memory.resident()
        let fixture = try await VaultFixture(total: total)
        let heap = Memory.heapInUse() - heapBefore
        let resident = Memory.resident() - residentBefore
        // package-benchmark divides every metric by the scaling factor (a million entries) on
        // output, custom ones too: record the growth scaled to a million entries.
        benchmark.measurement(Memory.heapPerEntry, heap * (1_000_000 / total))
        benchmark.measurement(Memory.residentPerEntry, resident * (1_000_000 / total))
        blackHole(fixture)
    }
}

enum Memory {
    static let heapPerEntry = BenchmarkMetric.custom("heap bytes per entry")
    static let residentPerEntry = BenchmarkMetric.custom("resident bytes per entry")

    /// Bytes malloc holds for the program (`mallinfo2().uordblks`).
    static func heapInUse() -> Int {
        Int(bench_heap_in_use())
    }

    /// The resident set, from /proc/self/statm.
    static func resident() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
