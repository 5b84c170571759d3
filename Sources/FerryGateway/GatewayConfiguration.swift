/// Settings of one gateway process. Built from environment variables by the `ferry gateway` command.
public struct GatewayConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Every secret that may have signed a webhook. Several at once during a rotation.
    public var webhookSecrets: [String]
    /// How far a webhook's `X-Ferry-Timestamp` may be from the gateway's clock.
    public var timestampTolerance: Duration
    /// Larger bodies get 413 without being read further.
    public var maxBodyBytes: Int
    /// A webhook with more header fields than this (`Host` counted) gets 431 and is not read further.
    public var maxHeaderFields: Int
    /// A webhook whose header section is larger than this gets 431 and is not read further. Counted as sent: each
    /// field's name, `: `, value and CRLF. NIO's HTTP/1 parser has limits of its own (80 KiB for the header section,
    /// 1000 fields in Hummingbird) beyond which it closes the connection with a bare 400;
    /// ``buildGatewayApplication`` raises them to twice these limits when that is more.
    public var maxHeaderBytes: Int
    /// How long to wait for JetStream's publish acknowledgement before answering 503.
    public var publishTimeout: Duration
    /// On graceful shutdown: how long `/readyz` answers 503 while webhooks are still accepted, before the server
    /// stops accepting and finishes the requests in flight (``GatewayDrainService``).
    public var drainDelay: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        webhookSecrets: [String],
        timestampTolerance: Duration = .seconds(300),
        maxBodyBytes: Int = 1 << 20,
        maxHeaderFields: Int = 100,
        maxHeaderBytes: Int = 16 * 1024,
        publishTimeout: Duration = .seconds(5),
        drainDelay: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.webhookSecrets = webhookSecrets
        self.timestampTolerance = timestampTolerance
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderFields = maxHeaderFields
        self.maxHeaderBytes = maxHeaderBytes
        self.publishTimeout = publishTimeout
        self.drainDelay = drainDelay
    }
}
