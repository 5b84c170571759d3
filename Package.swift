// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["ferry"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter's packages are never built.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        // Configuration from environment variables only: no file formats (JSON, YAML) are built.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: []),
        // Property-based tests (Swift Testing): generated webhook bodies against the validator and the gateway.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Pure domain: no I/O, standard library and Foundation only.
        .target(name: "FerryCore"),
        // Ferry's readers over swift-configuration's ConfigReader: keys are the environment variables' names, a value
        // Ferry cannot parse throws with its key named.
        .target(
            name: "FerryConfiguration",
            dependencies: ["FerryCore", .product(name: "Configuration", package: "swift-configuration")]
        ),

        // libnats (Debian libnats-dev) and the small Swift layer over it.
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        .target(
            name: "FerryNATS",
            dependencies: [
                "CNATS",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Adapters, one per external system.
        .target(
            name: "FerryPostgres",
            dependencies: [
                "FerryCore",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FerryNetSuite",
            dependencies: [
                "FerryCore", "FerryMetricCatalogue",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "FerryPrestaShop",
            dependencies: [
                "FerryCore",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The metric catalogue and its recording helpers: swift-metrics only, so clients and services can record
        // metrics without linking the exporters below.
        .target(
            name: "FerryMetricCatalogue",
            dependencies: [.product(name: "Metrics", package: "swift-metrics")]
        ),
        // JSON logs, the Prometheus registry and the tracing bootstrap (the only target that depends on swift-otel).
        .target(
            name: "FerryObservability",
            dependencies: [
                "FerryMetricCatalogue",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),

        // Sandboxes of NetSuite and PrestaShop: product, not test scaffolding. They share the generated
        // world in FerrySandboxData and no API model types with the clients above.
        .target(name: "FerrySandboxData"),
        .target(
            name: "FerryNetSuiteSandbox",
            dependencies: [
                "FerrySandboxData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FerryPrestaShopSandbox",
            dependencies: [
                "FerrySandboxData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Services.
        .target(
            name: "FerryGateway",
            dependencies: [
                "FerryCore", "FerryNATS", "FerryPrestaShop", "FerryObservability",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "FerryWorker",
            dependencies: [
                "FerryCore", "FerryNATS", "FerryNetSuite", "FerryPrestaShop", "FerryPostgres", "FerryMetricCatalogue",
                // The builder serves the worker's /metrics from the Prometheus registry.
                "FerryObservability",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),

        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryCore", "FerryNATS", "FerryNetSuite", "FerryPrestaShop", "FerryObservability", "FerryPostgres",
                "FerryGateway", "FerryWorker",
                "FerrySandboxData", "FerryNetSuiteSandbox", "FerryPrestaShopSandbox",
                "FerryConfiguration", .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),

        .testTarget(name: "FerryCoreTests", dependencies: ["FerryCore"]),
        // Every role's configuration from environment variables: defaults, formats, errors naming the key, redaction.
        .testTarget(
            name: "FerryConfigurationTests",
            dependencies: [
                "FerryConfiguration", "FerryCore", "FerryGateway", "FerryNATS", "FerryNetSuite", "FerryObservability",
                "FerryPostgres", "FerryPrestaShop", "FerryWorker",
                .product(name: "Configuration", package: "swift-configuration"),
            ]
        ),
        // Test-only helpers shared by several test targets: a real nats-server per test, a fresh database per test
        // (a Swift Testing trait), in-memory logs, a JSON value for assertions, PrestaShop-priced order bodies and
        // their mutations for property-based tests.
        .target(
            name: "FerryTestSupport",
            dependencies: [
                "FerryPostgres", "FerryCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            path: "Tests/FerryTestSupport"
        ),
        .testTarget(
            name: "FerryNATSTests",
            dependencies: [
                "FerryNATS", "FerryTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FerryPostgresTests",
            dependencies: [
                "FerryPostgres", "FerryCore", "FerryNetSuite", "FerryNetSuiteSandbox", "FerryTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: [.define("FERRY_LEASE_SANDBOX_TESTS")]
        ),
        .testTarget(
            name: "FerryNetSuiteTests",
            dependencies: [
                "FerryNetSuite", "FerryNetSuiteSandbox", "FerrySandboxData", "FerryTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FerryPrestaShopTests",
            dependencies: [
                "FerryPrestaShop", "FerryPrestaShopSandbox", "FerrySandboxData", "FerryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FerryGatewayTests",
            dependencies: [
                "FerryGateway", "FerryNATS", "FerryPrestaShop", "FerryCore", "FerryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "FerrySandboxDataTests", dependencies: ["FerrySandboxData"]),
        // The worker over real parts in-process: nats-server, PostgreSQL (FERRY_DATABASE_URL), both sandboxes; the
        // fault matrix of the order pipeline.
        .testTarget(
            name: "FerryWorkerTests",
            dependencies: [
                "FerryWorker", "FerryCore", "FerryNATS", "FerryNetSuite", "FerryNetSuiteSandbox", "FerryPostgres",
                "FerryPrestaShop", "FerryPrestaShopSandbox", "FerrySandboxData", "FerryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FerryPrestaShopSandboxTests",
            dependencies: [
                "FerryPrestaShopSandbox", "FerrySandboxData",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "FerryNetSuiteSandboxTests",
            dependencies: [
                "FerryNetSuiteSandbox", "FerrySandboxData",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // End to end: the real `ferry` binary as gateway and worker processes, real NATS and PostgreSQL,
        // both sandboxes in-process. Needs FERRY_NATS_URL and FERRY_DATABASE_URL (scripts/test.sh).
        .testTarget(
            name: "FerryEndToEndTests",
            dependencies: [
                "FerryNATS", "FerryPostgres", "FerryPrestaShop", "FerrySandboxData", "FerryNetSuiteSandbox",
                "FerryPrestaShopSandbox", "FerryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Metric catalogue, help rendering and the queue metrics service against a real nats-server (and
        // PostgreSQL through FERRY_DATABASE_URL for the retry-waiting count).
        .testTarget(
            name: "FerryObservabilityTests",
            dependencies: [
                "FerryObservability", "FerryMetricCatalogue", "FerryWorker", "FerryNATS", "FerryPostgres",
                "FerryTestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One trace per order across the NATS hop: gateway → JetStream → worker → NetSuite and PrestaShop, with an
        // in-memory tracer bound per test (never bootstrapped). Needs FERRY_DATABASE_URL (scripts/stack.sh).
        .testTarget(
            name: "FerryTracingTests",
            dependencies: [
                "FerryGateway", "FerryWorker", "FerryNATS", "FerryObservability", "FerryPostgres", "FerryNetSuite",
                "FerryPrestaShop", "FerryCore", "FerryTestSupport", "FerrySandboxData", "FerryNetSuiteSandbox",
                "FerryPrestaShopSandbox",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Warnings as errors for Ferry's own targets (never for dependencies, which are other packages) when
// FERRY_WARNINGS_AS_ERRORS=1, as scripts/test.sh sets it. A plain `swift build` keeps them warnings.
if Context.environment["FERRY_WARNINGS_AS_ERRORS"] == "1" {
    for target in package.targets where target.type != .system {
        target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
    }
}
