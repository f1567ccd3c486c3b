// swift-tools-version: 6.2
import PackageDescription

// A program that links PasswordVault the way a user's package names it: by URL and version
// (issue 17). `make consumer-test` (Scripts/consumer-check.sh) clones this repository into a
// temporary folder, tags the clone with the library's version and passes its URL here in
// PASSWORDVAULT_URL; the dependency lines below are the README's "Add it to a package" lines,
// which the script checks word for word.
let passwordVaultURL = Context.environment["PASSWORDVAULT_URL"] ?? "https://github.com/your-org/PasswordVault.git"

let package = Package(
    name: "VaultConsumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: passwordVaultURL, from: "0.2.0")
    ],
    targets: [
        .target(
            name: "VaultConsumer",
            dependencies: [
                .product(name: "PasswordVault", package: "PasswordVault"),
                .product(name: "PasswordVaultSQLite", package: "PasswordVault"),  // only if you store in SQLite
                .product(name: "PasswordVaultPostgres", package: "PasswordVault"),  // only if you store in PostgreSQL
                .product(name: "PasswordVaultInterchange", package: "PasswordVault"),  // only for import and export
            ]),
        .executableTarget(name: "vault-consumer", dependencies: ["VaultConsumer"]),
        // The crash harnesses' writer, as an adapter in another package builds it.
        .executableTarget(
            name: "consumer-crash-writer",
            dependencies: [
                .product(name: "PasswordVault", package: "PasswordVault"),
                .product(name: "StorageConformance", package: "PasswordVault"),
            ]),
        .testTarget(
            name: "VaultConsumerTests",
            dependencies: [
                "VaultConsumer",
                .product(name: "PasswordVault", package: "PasswordVault"),
                .product(name: "PasswordVaultTesting", package: "PasswordVault"),  // only in test targets
                .product(name: "StorageConformance", package: "PasswordVault"),
            ]),
    ]
)
