import FerryWorker
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The worker as `ferry worker` builds it (``buildWorkerServices(configuration:logger:)``), against the systems of
/// ``withPipeline(_:)``.
@Suite struct WorkerServicesTests {
    let quiet = Logger(label: "ferry.test.worker") { _ in SwiftLogNoOpLogHandler() }

    /// A metrics port that is taken fails the start: the group shuts every other service down in order (the NetSuite
    /// and PrestaShop clients too; an HTTP client that is freed without being shut down traps) and rethrows the
    /// error, instead of hanging or crashing.
    @Test(.timeLimit(.minutes(1))) func aFailedStartShutsEveryServiceDownAndRethrows() async throws {
        try await withPipeline { systems in
            var configuration = systems.worker
            let taken = try #require(URL(string: systems.prestaShopURL)?.port)
            configuration.metricsAddress = (host: "127.0.0.1", port: taken)
            let worker = try await buildWorkerServices(configuration: configuration, logger: quiet)
            let group = worker.serviceGroup(gracefulShutdownSignals: [], logger: quiet)
            await #expect(throws: (any Error).self) { try await group.run() }
        }
    }

    /// A NetSuite URL the client refuses fails the build after NATS is connected and the PrestaShop client is made:
    /// both are shut down before the error is thrown (again, a PrestaShop client left running would trap when freed).
    @Test(.timeLimit(.minutes(1))) func aFailedBuildShutsDownWhatItMade() async throws {
        try await withPipeline { systems in
            var configuration = systems.worker
            configuration.netSuite.baseURL = "not a URL"
            await #expect(throws: (any Error).self) {
                _ = try await buildWorkerServices(configuration: configuration, logger: quiet)
            }
        }
    }
}
