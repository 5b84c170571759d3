import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A webhook receiver for tests: records every POST and answers with a scripted status.
actor WebhookReceiver {
    struct Delivery: Sendable {
        let headers: [String: String]
        let body: String
        let receivedAt: ContinuousClock.Instant

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    private(set) var deliveries: [Delivery] = []
    private(set) var requestCount = 0
    private let statusFor: @Sendable (Int) -> HTTPResponse.Status
    private let delayFor: @Sendable (Int) -> Duration?

    /// `statusFor(n)` answers the n-th request (0-based), 200 by default, after `delayFor(n)` if any.
    init(
        statusFor: @escaping @Sendable (Int) -> HTTPResponse.Status = { _ in .ok },
        delayFor: @escaping @Sendable (Int) -> Duration? = { _ in nil }
    ) {
        self.statusFor = statusFor
        self.delayFor = delayFor
    }

    fileprivate func record(_ delivery: Delivery) -> (HTTPResponse.Status, Duration?) {
        let index = requestCount
        requestCount += 1
        deliveries.append(delivery)
        return (statusFor(index), delayFor(index))
    }

    /// Bodies of deliveries (all requests, acknowledged or not).
    var bodies: [String] { deliveries.map(\.body) }

    /// Runs a receiver on a free port for the duration of `body`, passing its URL.
    func run<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 22)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.rawName] = field.value }
            let (status, delay) = await self.record(
                Delivery(headers: headers, body: String(buffer: buffer), receivedAt: .now)
            )
            if let delay { try await Task.sleep(for: delay) }
            return Response(status: status)
        }
        var logger = testLogger
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: logger
        )
        return try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await body("http://127.0.0.1:\(port)/hook")
        }
    }
}

/// The receiver's own signature check: `v1=` + hex HMAC-SHA256 of "<timestamp>.<body>".
func expectedSignature(secret: String, timestamp: String, body: String) -> String {
    let code = HMAC<SHA256>.authenticationCode(
        for: Data("\(timestamp).\(body)".utf8),
        using: SymmetricKey(data: Data(secret.utf8))
    )
    return "v1=" + code.map { String(format: "%02x", $0) }.joined()
}
