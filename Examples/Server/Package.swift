// swift-tools-version: 6.2
import PackageDescription

// The example HTTP server (issue 18): its own package, so that users of the library never
// resolve Hummingbird. `make example-test` builds, tests and drives it.
let package = Package(
    name: "MySafeServer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "PasswordVault", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    ],
    targets: [
        .target(
            name: "MySafeServer",
            dependencies: [
                .product(name: "PasswordVault", package: "PasswordVault"),
                .product(name: "PasswordVaultClients", package: "PasswordVault"),
                .product(name: "PasswordVaultSQLite", package: "PasswordVault"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "mysafe-server",
            dependencies: ["MySafeServer"]),
        .testTarget(
            name: "MySafeServerTests",
            dependencies: [
                "MySafeServer",
                .product(name: "PasswordVaultClients", package: "PasswordVault"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)
