// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Steward",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "steward", targets: ["steward"]),
        .executable(name: "steward-console", targets: ["StewardConsole"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "GitSource", dependencies: ["CLibgit2", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CFileSystem", path: "Sources/CFileSystem"),
        .target(
            name: "Manifests",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(name: "Reconcile", dependencies: ["Manifests"], swiftSettings: strict),
        .target(
            name: "EventLog",
            dependencies: [
                "Manifests",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StateStore",
            dependencies: [
                "Reconcile", "EventLog",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Actions",
            dependencies: [
                "Reconcile", "Manifests", "EventLog", "StateStore", "CFileSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Controller",
            dependencies: [
                "GitSource", "Manifests", "Reconcile", "EventLog", "StateStore", "Actions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "Controller", "Reconcile", "EventLog", "StateStore", "Manifests",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StewardCLI",
            dependencies: [
                "GitSource", "Manifests", "Reconcile", "EventLog", "StateStore", "Actions", "Controller", "HTTPAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "steward", dependencies: ["StewardCLI", "CMalloc"], swiftSettings: strict),
        // The in-repo console double (the DevOps guide's deployment API), to try the http driver and examples/aureus by hand.
        .executableTarget(name: "StewardConsole", dependencies: ["StewardTesting"], swiftSettings: strict),
        .target(
            name: "StewardTesting",
            dependencies: [
                "GitSource", "Manifests",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "GitSourceTests", dependencies: ["GitSource", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "ManifestsTests", dependencies: ["Manifests", "StewardTesting"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile"], swiftSettings: strict),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "StateStoreTests", dependencies: ["StateStore", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "ActionsTests", dependencies: ["Actions", "StewardTesting"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "StewardTesting"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "HTTPAPITests",
            dependencies: ["HTTPAPI", "StewardTesting", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardCLITests",
            dependencies: ["StewardCLI", "StewardTesting", "StateStore", "EventLog", "Reconcile", "Manifests"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StewardTestingTests",
            dependencies: [
                "StewardTesting", "Manifests",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
    ]
)

// The libFuzzer harness (scripts/fuzz): present only with STEWARD_FUZZ=1, so normal builds and CI
// never build it. Build flags: -sanitize=fuzzer -parse-as-library (FuzzEntry.swift starts libFuzzer's driver).
if Context.environment["STEWARD_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "StewardFuzz", dependencies: ["Manifests", "Reconcile"], swiftSettings: strict))
}
