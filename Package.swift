// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "FeatureDB",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "FeatureDB", targets: ["FeatureDB"]),
    .library(name: "FeaturePipeline", targets: ["FeaturePipeline"]),
    .executable(name: "fdb", targets: ["fdb"]),
    .executable(name: "fdb-bench", targets: ["fdb-bench"]),
    .executable(name: "fdb-server", targets: ["fdb-server"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    // `swift package generate-documentation` (DocC catalog in Sources/FeatureDB/FeatureDB.docc).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    // The HTTP server (only FeatureServer and fdb-server depend on these; fdb links no SwiftNIO).
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
  ],
  targets: [
    // Layer 1: the C libraries, from Debian's liblmdb-dev and libzstd-dev.
    .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    // CRC-32C with the processor's crc32 instruction, which Swift cannot reach.
    .target(name: "CChecksum"),
    // Layers 2-4: storage wrapper, encoding and the engine.
    .target(name: "FeatureDB", dependencies: ["CLMDB", "CZstd", "CChecksum"]),
    // Layer 5: events to features, exactly once, on FeatureDB's public API only.
    .target(name: "FeaturePipeline", dependencies: ["FeatureDB"]),
    // Layer 6: the command-line tool. FDBCLI holds every command and the argument parsers (a
    // library, so unit tests and fuzz targets can call them); `fdb` is its one-line main.
    .target(
      name: "FDBCLI",
      dependencies: [
        "FeatureDB", "FeaturePipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "fdb", dependencies: ["FDBCLI"]),
    // Layer 7: the HTTP server — Feast's wire format and FeatureDB's own JSON API on Hummingbird 2.
    // A library, so tests drive its routes without a socket; `fdb-server` is its main.
    .target(
      name: "FeatureServer",
      dependencies: [
        "FeatureDB", "FDBCLI",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ]
    ),
    .executableTarget(
      name: "fdb-server",
      dependencies: [
        "FeatureServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    // Benchmarks against raw LMDB (run with `swift run -c release fdb-bench`).
    .executableTarget(
      name: "fdb-bench", dependencies: ["FeatureDB", "FeaturePipeline", "FDBCLI", "CLMDB"]),
    // A child process the tests start as a second writer or reader (multi-process and crash tests).
    .executableTarget(name: "fdb-test-child", dependencies: ["FeatureDB"], path: "Tests/Child"),
    // What every test target shares: temporary directories, stores, child processes, a seeded
    // random generator.
    .target(name: "TestSupport", dependencies: ["FeatureDB"], path: "Tests/TestSupport"),
    .testTarget(
      name: "FeatureDBTests",
      dependencies: [
        "FeatureDB", "CLMDB", "TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    // Extractor formulas, exactly once (kills a child `fdb pipeline run`), late events.
    .testTarget(
      name: "FeaturePipelineTests", dependencies: ["FeaturePipeline", "FeatureDB", "TestSupport"]),
    // Parser unit tests and end-to-end tests of the built `fdb` binary.
    .testTarget(name: "fdbTests", dependencies: ["FDBCLI", "FeatureDB", "TestSupport"]),
    // The server's routes in process (HummingbirdTesting) and Feast's recorded wire exchanges.
    .testTarget(
      name: "FeatureServerTests",
      dependencies: [
        "FeatureServer", "FeatureDB", "TestSupport",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ],
      resources: [.copy("Recordings")]
    ),
  ],
  swiftLanguageModes: [.v6]
)
