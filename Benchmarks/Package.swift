// swift-tools-version: 6.1
import Foundation
import PackageDescription

// The benchmark suite: its own package, so that users of the library never resolve the
// benchmark harness. `make bench` runs it and prints one table (Scripts/bench_table.py);
// `make bench-smoke` runs every benchmark once (BENCH_SMOKE=1).
//
// - PasswordVaultBenchmarks: our rows (library products only) and, in the same processes,
//   the peer rows in C.
// - CPeers: the peers, in C, on the system libraries liboath (apt liboath-dev), libsodium and
//   SQLite: the same operations, sizes and inputs as our rows.

// The SQLite rows need the library's SQLite adapter (`SQLiteStorage`, in the PasswordVaultSQLite
// product): they are compiled (SQLITE_ADAPTER) as soon as the library has it.
let hasSQLiteAdapter = FileManager.default.fileExists(
    atPath: Context.packageDirectory + "/../Sources/PasswordVaultSQLite/SQLiteStorage.swift")

let package = Package(
    name: "PasswordVaultBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(name: "PasswordVault", path: ".."),
    ],
    targets: [
        .target(
            name: "CPeers",
            path: "Sources/CPeers",
            linkerSettings: [.linkedLibrary("oath"), .linkedLibrary("sodium"), .linkedLibrary("sqlite3")]),
        // The plugin finds benchmark targets only under Benchmarks/<Name>/.
        .executableTarget(
            name: "PasswordVaultBenchmarks",
            dependencies: [
                "CPeers",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PasswordVault", package: "PasswordVault"),
            ] + (hasSQLiteAdapter ? [.product(name: "PasswordVaultSQLite", package: "PasswordVault")] : []),
            path: "Benchmarks/PasswordVaultBenchmarks",
            swiftSettings: hasSQLiteAdapter ? [.define("SQLITE_ADAPTER")] : [],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // One scenario in a plain process (no harness, no malloc interposer): for callgrind.
        .executableTarget(
            name: "bench-profile",
            dependencies: [
                "CPeers",
                .product(name: "PasswordVault", package: "PasswordVault"),
            ] + (hasSQLiteAdapter ? [.product(name: "PasswordVaultSQLite", package: "PasswordVault")] : []),
            path: "Sources/BenchProfile",
            swiftSettings: hasSQLiteAdapter ? [.define("SQLITE_ADAPTER")] : []),
    ]
)
