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
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibgit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "GitSource", dependencies: ["CLibgit2"], swiftSettings: strict),
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
            name: "StewardCLI",
            dependencies: [
                "GitSource", "Manifests", "Reconcile", "EventLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "steward", dependencies: ["StewardCLI"], swiftSettings: strict),
        .target(name: "StewardTesting", dependencies: ["GitSource", "Manifests"], swiftSettings: strict),

        .testTarget(name: "GitSourceTests", dependencies: ["GitSource", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "ManifestsTests", dependencies: ["Manifests", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile"], swiftSettings: strict),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "StewardCLITests", dependencies: ["StewardCLI", "StewardTesting"], swiftSettings: strict),
        .testTarget(name: "StewardTestingTests", dependencies: ["StewardTesting"], swiftSettings: strict),
    ]
)
