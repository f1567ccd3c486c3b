// swift-tools-version: 6.2
import PackageDescription

/// Our own targets: Swift 6 language mode (the default for tools 6.x), complete
/// concurrency checking, and every warning an error.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "PasswordVault",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PasswordVault", targets: ["PasswordVault"]),
        .library(name: "PasswordVaultSQLite", targets: ["PasswordVaultSQLite"]),
        // KeePass KDBX and Bitwarden import / export (docs/contract.md §15): its own product, for
        // the libraries the core does not carry (libargon2, zlib, libcrypto's AES, libxml2).
        .library(name: "PasswordVaultInterchange", targets: ["PasswordVaultInterchange"]),
        // PostgreSQL storage on postgres-nio (docs/contract.md §14): its own product, so that only a
        // consumer that uses it builds SwiftNIO.
        .library(name: "PasswordVaultPostgres", targets: ["PasswordVaultPostgres"]),
        // For the unit tests of a program that links the library (docs/contract.md §17): a vault
        // for a test in one line, a stepping clock, refusals asserted by their catalogue code.
        .library(name: "PasswordVaultTesting", targets: ["PasswordVaultTesting"]),
        // The checks every storage adapter passes (docs/contract.md §17), for adapters of other stores.
        .library(name: "StorageConformance", targets: ["StorageConformance"]),
        .executable(name: "pwvault", targets: ["pwvault"]),
        // The OAuth client registry of an HTTP host (Examples/Server) and `pwvault client`.
        .library(name: "PasswordVaultClients", targets: ["PasswordVaultClients"]),
        // Counters through swift-metrics from the committed audit records (docs/contract.md §12):
        // its own product, so that the core does not depend on swift-metrics.
        .library(name: "PasswordVaultMetrics", targets: ["PasswordVaultMetrics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        // `make docs` only: the DocC catalogs of PasswordVault and PasswordVaultSQLite.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "PasswordVault",
            dependencies: ["CSodium", "COpenSSL"],
            swiftSettings: strict),
        .target(name: "PasswordVaultClients", dependencies: ["CSodium"], swiftSettings: strict),
        .target(
            name: "PasswordVaultMetrics",
            dependencies: ["PasswordVault", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: strict),
        .systemLibrary(
            name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Interchange only: libcrypto's AES (EVP AES-256-CBC, AES-256-ECB for AES-KDF).
        .systemLibrary(
            name: "CLibcrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "PasswordVaultInterchange",
            dependencies: ["PasswordVault", "CSodium", "CLibcrypto", "CArgon2", "CZlib"],
            swiftSettings: strict),
        .target(
            name: "PasswordVaultSQLite",
            dependencies: [
                "PasswordVault", .product(name: "GRDB", package: "GRDB.swift"),
                // The batch insert binds through SQLite's C API (SQLiteStorage+BatchInsert.swift only).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .target(
            name: "PasswordVaultPostgres",
            dependencies: ["PasswordVault", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: strict),
        .target(
            name: "PasswordVaultTesting",
            dependencies: ["PasswordVault"],
            swiftSettings: strict),
        // pwvault only: prctl(PR_SET_DUMPABLE) is variadic in C and cannot be called from Swift.
        .target(name: "CProcessHardening"),
        .executableTarget(
            name: "pwvault",
            dependencies: [
                "PasswordVault", "PasswordVaultSQLite", "PasswordVaultPostgres", "PasswordVaultInterchange",
                "PasswordVaultClients",
                "CProcessHardening",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // Test support: a writer process the crash tests start and kill.
        .executableTarget(
            name: "storage-crash-writer",
            dependencies: ["PasswordVault", "PasswordVaultSQLite", "StorageConformance"],
            swiftSettings: strict),
        // The storage conformance suite every adapter runs (a product: adapters of other stores run it too).
        .target(
            name: "StorageConformance",
            dependencies: ["PasswordVault"],
            swiftSettings: strict),
        .testTarget(
            name: "PasswordVaultTests",
            dependencies: [
                "PasswordVault", "PasswordVaultTesting", "StorageConformance",
                // Metrics/ and the redaction audit: the metrics product against swift-metrics' test backend.
                "PasswordVaultMetrics", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            resources: [.copy("Vectors")],
            swiftSettings: strict),
        .testTarget(
            name: "PasswordVaultTestingTests",
            dependencies: ["PasswordVaultTesting", "PasswordVault"],
            swiftSettings: strict),
        .testTarget(
            name: "PasswordVaultInterchangeTests",
            dependencies: ["PasswordVaultInterchange", "PasswordVault"],
            swiftSettings: strict),
        .testTarget(
            name: "PasswordVaultSQLiteTests",
            dependencies: [
                "PasswordVaultSQLite", "StorageConformance",
                // TimedStorage around SQLiteStorage, into swift-metrics' test backend.
                "PasswordVaultMetrics", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "PasswordVaultPostgresTests",
            dependencies: ["PasswordVaultPostgres", "PasswordVault", "StorageConformance"],
            swiftSettings: strict),
        .testTarget(
            name: "pwvaultTests",
            // PasswordVaultSQLite: a vault in the test process beside `pwvault` processes on one file.
            // StorageConformance: the first release's fixtures (FirstReleaseFixture), kept in Fixtures/.
            dependencies: ["PasswordVault", "PasswordVaultSQLite", "StorageConformance"],
            exclude: ["Fixtures"],
            swiftSettings: strict),
    ] + fuzzTargets()
)

/// libFuzzer targets (`make fuzz`): each an executable with one file defining
/// `LLVMFuzzerTestOneInput`, built with `--sanitize=fuzzer --sanitize=address` in its own
/// scratch path. An ordinary build links them too (they then do nothing), so they stay compiled.
func fuzzTargets() -> [Target] {
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("Base32Fuzz", []),
        ("OTPAuthURIFuzz", []),
        ("WireFuzz", []),
        ("SealedValueFuzz", []),
        ("VaultHeaderFuzz", ["CSodium"]),
        ("KDBXReaderFuzz", ["PasswordVaultInterchange"]),
    ]
    return [
        .target(
            name: "FuzzSupport",
            dependencies: ["PasswordVault"],
            path: "Fuzz/Support",
            swiftSettings: strict)
    ]
        + harnesses.map { harness in
            .executableTarget(
                name: harness.name,
                dependencies: ["PasswordVault", "FuzzSupport"] + harness.dependencies,
                path: "Fuzz/\(harness.name)",
                swiftSettings: strict,
                // gold warns about every ASan symbol it cannot export; lld (in the toolchain) does not.
                linkerSettings: [.unsafeFlags(["-use-ld=lld"])])
        }
}
