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
//   SQLite: the same operations, sizes and inputs as our rows; and on libpq (apt libpq-dev), the
//   PostgreSQL adapter's statements.

// The SQLite rows need the library's SQLite adapter (`SQLiteStorage`, in the PasswordVaultSQLite
// product): they are compiled (SQLITE_ADAPTER) as soon as the library has it.
let hasSQLiteAdapter = FileManager.default.fileExists(
    atPath: Context.packageDirectory + "/../Sources/PasswordVaultSQLite/SQLiteStorage.swift")

// The PostgreSQL rows need the PostgreSQL adapter (`PostgresStorage`, in PasswordVaultPostgres):
// compiled (POSTGRES_ADAPTER) as soon as the library has it. They run against the throw-away
// server `make bench` starts (Tools/with-pg-cluster.sh).
let hasPostgresAdapter = FileManager.default.fileExists(
    atPath: Context.packageDirectory + "/../Sources/PasswordVaultPostgres/PostgresStorage.swift")

let adapterProducts: [Target.Dependency] =
    (hasSQLiteAdapter ? [.product(name: "PasswordVaultSQLite", package: "PasswordVault")] : [])
    + (hasPostgresAdapter ? [.product(name: "PasswordVaultPostgres", package: "PasswordVault")] : [])
let adapterDefines: [SwiftSetting] =
    (hasSQLiteAdapter ? [.define("SQLITE_ADAPTER")] : []) + (hasPostgresAdapter ? [.define("POSTGRES_ADAPTER")] : [])

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
            // Debian's libpq-dev puts libpq-fe.h in /usr/include/postgresql (`pkg-config --cflags libpq`).
            cSettings: [.unsafeFlags(["-I/usr/include/postgresql"])],
            linkerSettings: [
                .linkedLibrary("oath"), .linkedLibrary("sodium"), .linkedLibrary("sqlite3"), .linkedLibrary("pq"),
            ]),
        // The plugin finds benchmark targets only under Benchmarks/<Name>/.
        .executableTarget(
            name: "PasswordVaultBenchmarks",
            dependencies: [
                "CPeers",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PasswordVault", package: "PasswordVault"),
            ] + adapterProducts,
            path: "Benchmarks/PasswordVaultBenchmarks",
            swiftSettings: adapterDefines,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // One scenario in a plain process (no harness, no malloc interposer): for callgrind.
        .executableTarget(
            name: "bench-profile",
            dependencies: [
                "CPeers",
                .product(name: "PasswordVault", package: "PasswordVault"),
            ] + adapterProducts,
            path: "Sources/BenchProfile",
            swiftSettings: adapterDefines),
    ]
)
