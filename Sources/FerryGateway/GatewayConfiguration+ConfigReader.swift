import Configuration
import FerryConfiguration
import FerryNATS
import Foundation

extension GatewayConfiguration {
    /// Reads the gateway's own settings.
    ///
    /// - Configuration keys:
    ///   - `FERRY_WEBHOOK_SECRET` (comma-separated strings, required, secret): every secret that may sign a webhook
    ///     (several during a rotation)
    ///   - `FERRY_GATEWAY_HOST` (string, default: `127.0.0.1`), `FERRY_GATEWAY_PORT` (int, default: `8080`): the
    ///     listen address
    ///   - `FERRY_WEBHOOK_TOLERANCE` (duration, default: `300s`): allowed clock skew of `X-Ferry-Timestamp`
    ///   - `FERRY_WEBHOOK_MAX_BYTES` (int, default: `1048576`): larger bodies get 413
    ///   - `FERRY_GATEWAY_MAX_HEADER_FIELDS` (int, default: `100`): ``maxHeaderFields``; a webhook with more header
    ///     fields gets 431
    ///   - `FERRY_GATEWAY_MAX_HEADER_BYTES` (int, default: `16384`): ``maxHeaderBytes``; a webhook with a larger
    ///     header section gets 431
    ///   - `FERRY_GATEWAY_DRAIN_DELAY` (duration, default: `5s`): ``drainDelay``
    ///
    /// ``publishTimeout`` has no key: it keeps its default (5 s).
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    /// - Throws: ``ConfigurationError`` naming a missing key or a value that is not an integer or a duration.
    public init(reader: ConfigReader) throws {
        let secrets = try reader.requiredString("FERRY_WEBHOOK_SECRET", isSecret: true).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        self.init(
            host: reader.string("FERRY_GATEWAY_HOST", default: "127.0.0.1"),
            port: try reader.int("FERRY_GATEWAY_PORT", default: 8080),
            webhookSecrets: secrets.filter { !$0.isEmpty },
            timestampTolerance: try reader.duration("FERRY_WEBHOOK_TOLERANCE", default: .seconds(300)),
            maxBodyBytes: try reader.int("FERRY_WEBHOOK_MAX_BYTES", default: 1 << 20),
            maxHeaderFields: try reader.int("FERRY_GATEWAY_MAX_HEADER_FIELDS", default: 100),
            maxHeaderBytes: try reader.int("FERRY_GATEWAY_MAX_HEADER_BYTES", default: 16 * 1024),
            drainDelay: try reader.duration("FERRY_GATEWAY_DRAIN_DELAY", default: .seconds(5))
        )
    }
}

extension GatewayServicesConfiguration {
    /// Reads everything `ferry gateway` needs: ``NATSConnectionOptions/init(reader:name:)`` (named `ferry-gateway`),
    /// ``OrderQueueConfiguration/init(reader:)`` and ``GatewayConfiguration/init(reader:)``; their doc comments list
    /// the keys.
    ///
    /// - Throws: ``ConfigurationError`` naming the first key whose value Ferry cannot use.
    public init(reader: ConfigReader) throws {
        let gateway = try GatewayConfiguration(reader: reader)
        self.init(
            nats: NATSConnectionOptions(reader: reader, name: "ferry-gateway"),
            queue: try OrderQueueConfiguration(reader: reader),
            gateway: gateway
        )
    }
}
