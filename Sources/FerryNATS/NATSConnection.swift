import CNATS
import Logging
import Synchronization

/// How to connect to NATS.
public struct NATSConnectionOptions: Sendable, Hashable {
    /// Server URLs, for example `nats://127.0.0.1:4222`. Default: `["nats://127.0.0.1:4222"]`.
    public var urls: [String]
    /// The connection name shown by the server (`connz`). Default: nil.
    public var name: String?
    /// Reconnect attempts per server after a disconnection; nil (the default) reconnects forever.
    public var maxReconnectAttempts: Int?
    /// The wait between reconnect attempts to the same server. Default: 1 s.
    public var reconnectWait: Duration
    /// The timeout of one connection attempt (TCP connect + handshake). Default: 2 s.
    public var connectTimeout: Duration
    /// How often the client pings the server to detect a dead connection. Default: 20 s.
    public var pingInterval: Duration
    /// How many unanswered pings mark the connection as stale. Default: 2.
    public var maxPingsOutstanding: Int
    /// How many times `connect` tries before it fails (waiting `reconnectWait` in between). Default: 1.
    public var initialConnectAttempts: Int

    /// Creates options for one server URL.
    public init(url: String = "nats://127.0.0.1:4222", name: String? = nil) {
        self.init(urls: [url], name: name)
    }

    /// Creates options for several server URLs.
    public init(urls: [String], name: String? = nil) {
        self.urls = urls
        self.name = name
        self.maxReconnectAttempts = nil
        self.reconnectWait = .seconds(1)
        self.connectTimeout = .seconds(2)
        self.pingInterval = .seconds(20)
        self.maxPingsOutstanding = 2
        self.initialConnectAttempts = 1
    }
}

/// A connection to NATS (libnats `natsConnection*`).
///
/// It reconnects on its own (forever by default) and logs disconnections, reconnections and the close.
/// All blocking libnats calls run on FerryNATS's own thread pool, never on Swift's cooperative pool.
public final class NATSConnection: @unchecked Sendable {
    /// The state of the connection.
    public enum Status: String, Sendable, Hashable {
        case disconnected, connecting, connected, closed, reconnecting, draining
    }

    let pointer: OpaquePointer
    let events: ConnectionEvents
    let logger: Logger
    let pool: NATSThreadPool

    private init(pointer: OpaquePointer, events: ConnectionEvents, logger: Logger, pool: NATSThreadPool) {
        self.pointer = pointer
        self.events = events
        self.logger = logger
        self.pool = pool
    }

    deinit {
        // Destroying closes the connection, which may block briefly: do it off the caller's thread.
        let box = UnsafeSendablePointer(pointer: pointer)
        pool.submit {
            natsConnection_Destroy(box.pointer)
        }
    }

    /// Connects to NATS. Throws a ``NATSError`` (code ``NATSError/Code/notConnected``) when no server answers.
    public static func connect(_ options: NATSConnectionOptions, logger: Logger) async throws -> NATSConnection {
        try NATSLibrary.ensureOpen()
        let pool = NATSThreadPool.shared
        let attempts = max(1, options.initialConnectAttempts)
        var attempt = 1
        while true {
            do {
                let connection = try await pool.run {
                    try Self.connectBlocking(options, logger: logger, pool: pool)
                }
                logger.info(
                    "nats connected",
                    metadata: [
                        "nats.url": "\(connection.connectedURL ?? "")",
                        "nats.connection": "\(options.name ?? "")",
                    ]
                )
                return connection
            } catch let error as NATSError where attempt < attempts {
                logger.warning(
                    "nats connect failed, retrying",
                    metadata: ["attempt": "\(attempt)", "error.type": "\(error.shortForm)"]
                )
                attempt += 1
                try await Task.sleep(for: options.reconnectWait)
            }
        }
    }

    private static func connectBlocking(
        _ options: NATSConnectionOptions,
        logger: Logger,
        pool: NATSThreadPool
    ) throws -> NATSConnection {
        var natsOptionsPointer: OpaquePointer?
        var status = natsOptions_Create(&natsOptionsPointer)
        guard status == NATS_OK, let natsOptions = natsOptionsPointer else {
            throw NATSError.fromLastCall(status, operation: "connect")
        }
        defer { natsOptions_Destroy(natsOptions) }

        let events = ConnectionEvents(logger: logger, name: options.name)
        let context = Unmanaged.passRetained(events).toOpaque()

        var connectionPointer: OpaquePointer?
        status = withCStringArena { arena -> natsStatus in
            let servers = arena.stringArray(options.urls)
            var status = natsOptions_SetServers(natsOptions, servers, Int32(options.urls.count))
            if status == NATS_OK, let name = options.name {
                status = natsOptions_SetName(natsOptions, name)
            }
            if status == NATS_OK {
                status = natsOptions_SetAllowReconnect(natsOptions, true)
            }
            if status == NATS_OK {
                status = natsOptions_SetMaxReconnect(natsOptions, Int32(clamping: options.maxReconnectAttempts ?? -1))
            }
            if status == NATS_OK {
                status = natsOptions_SetReconnectWait(natsOptions, options.reconnectWait.millisecondsRoundedUp)
            }
            if status == NATS_OK {
                status = natsOptions_SetTimeout(natsOptions, max(1, options.connectTimeout.millisecondsRoundedUp))
            }
            if status == NATS_OK {
                status = natsOptions_SetPingInterval(natsOptions, max(1, options.pingInterval.millisecondsRoundedUp))
            }
            if status == NATS_OK {
                status = natsOptions_SetMaxPingsOut(natsOptions, Int32(clamping: options.maxPingsOutstanding))
            }
            if status == NATS_OK {
                status = natsOptions_SetDisconnectedCB(natsOptions, natsDisconnectedCallback, context)
            }
            if status == NATS_OK {
                status = natsOptions_SetReconnectedCB(natsOptions, natsReconnectedCallback, context)
            }
            if status == NATS_OK {
                status = natsOptions_SetClosedCB(natsOptions, natsClosedCallback, context)
            }
            if status == NATS_OK {
                status = natsOptions_SetErrorHandler(natsOptions, natsErrorCallback, context)
            }
            guard status == NATS_OK else { return status }
            return natsConnection_Connect(&connectionPointer, natsOptions)
        }
        guard status == NATS_OK, let connection = connectionPointer else {
            let error = NATSError.fromLastCall(status, operation: "connect")
            // No connection was created, so the closed callback will never release the context.
            Unmanaged<ConnectionEvents>.fromOpaque(context).release()
            throw error
        }
        return NATSConnection(pointer: connection, events: events, logger: logger, pool: pool)
    }

    /// The current state of the connection (non-blocking).
    public var status: Status {
        switch natsConnection_Status(pointer) {
        case NATS_CONN_STATUS_CONNECTED: .connected
        case NATS_CONN_STATUS_CONNECTING: .connecting
        case NATS_CONN_STATUS_RECONNECTING: .reconnecting
        case NATS_CONN_STATUS_CLOSED: .closed
        case NATS_CONN_STATUS_DRAINING_SUBS, NATS_CONN_STATUS_DRAINING_PUBS: .draining
        default: .disconnected
        }
    }

    /// True while the connection is connected to a server (for readiness checks).
    public var isConnected: Bool { status == .connected }

    /// True once the connection is closed for good.
    public var isClosed: Bool { natsConnection_IsClosed(pointer) }

    /// The URL of the server currently connected to, if any.
    public var connectedURL: String? {
        var buffer = [CChar](repeating: 0, count: 512)
        let status = natsConnection_GetConnectedUrl(pointer, &buffer, buffer.count)
        guard status == NATS_OK, buffer[0] != 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// How many times this connection reconnected since it was created.
    public var reconnectCount: Int { events.reconnects.load(ordering: .relaxed) }

    /// Sends a PING and waits for the PONG: proves the server answers right now.
    public func flush(timeout: Duration = .seconds(5)) async throws {
        try checkConnected(operation: "flush")
        let timeoutMs = max(1, timeout.millisecondsRoundedUp)
        try await pool.run { [self] in
            let status = natsConnection_FlushTimeout(pointer, timeoutMs)
            guard status == NATS_OK else { throw NATSError.fromLastCall(status, operation: "flush") }
        }
    }

    /// Closes the connection at once (pending messages in subscriptions are dropped). Idempotent.
    public func close() async {
        _ = try? await pool.run { [self] in
            natsConnection_Close(pointer)
        }
    }

    /// Drains the connection: stops all subscriptions from receiving new messages, lets pending ones be
    /// processed, flushes outgoing data and closes. Waits until closed or `timeout`, then closes anyway.
    public func drain(timeout: Duration = .seconds(10)) async throws {
        let timeoutMs = max(1, timeout.millisecondsRoundedUp)
        let drainStatus = try await pool.run { [self] () -> UInt32 in
            natsConnection_DrainTimeout(pointer, timeoutMs).rawValue
        }
        if drainStatus != NATS_OK.rawValue, drainStatus != NATS_CONNECTION_CLOSED.rawValue {
            logger.warning("nats drain could not start", metadata: ["nats.status": "\(drainStatus)"])
        }
        let deadline = ContinuousClock.now + timeout + .milliseconds(500)
        while !isClosed, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        await close()
    }

    /// A JetStream context on this connection.
    /// - Parameter requestTimeout: how long JetStream API calls (stream/consumer management, info, get message,
    ///   synchronous acks) wait for the server. Default: 5 s.
    public func jetStream(requestTimeout: Duration = .seconds(5)) throws -> JetStream {
        var options = jsOptions()
        var status = jsOptions_Init(&options)
        var context: OpaquePointer?
        if status == NATS_OK {
            options.Wait = max(1, requestTimeout.millisecondsRoundedUp)
            status = natsConnection_JetStream(&context, pointer, &options)
        }
        guard status == NATS_OK, let context else {
            throw NATSError.fromLastCall(status, operation: "jetstream")
        }
        return JetStream(context: context, connection: self, requestTimeout: requestTimeout)
    }

    /// Throws at once when the connection is not connected, instead of letting a request wait for its timeout in the
    /// reconnect buffer.
    func checkConnected(operation: String) throws {
        switch status {
        case .connected: return
        case .closed: throw NATSError.notConnected(operation: operation, closed: true)
        default: throw NATSError.notConnected(operation: operation, closed: false)
        }
    }
}

/// Receives libnats connection events on a libnats thread. Passed to the callbacks as a retained `Unmanaged`
/// reference; the closed callback (called exactly once per created connection) releases it.
final class ConnectionEvents: Sendable {
    let logger: Logger
    let name: String
    let reconnects = Atomic<Int>(0)

    init(logger: Logger, name: String?) {
        self.logger = logger
        self.name = name ?? ""
    }
}

private func connectedURL(_ connection: OpaquePointer?) -> String {
    guard let connection else { return "" }
    var buffer = [CChar](repeating: 0, count: 512)
    guard natsConnection_GetConnectedUrl(connection, &buffer, buffer.count) == NATS_OK else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private let natsDisconnectedCallback: natsConnectionHandler = { connection, closure in
    guard let closure else { return }
    let events = Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue()
    // A deliberate close also disconnects; the closed callback logs that one.
    if let connection, natsConnection_IsClosed(connection) { return }
    events.logger.warning("nats disconnected", metadata: ["nats.connection": "\(events.name)"])
}

private let natsReconnectedCallback: natsConnectionHandler = { connection, closure in
    guard let closure else { return }
    let events = Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue()
    let count = events.reconnects.add(1, ordering: .relaxed).newValue
    events.logger.notice(
        "nats reconnected",
        metadata: [
            "nats.connection": "\(events.name)",
            "nats.url": "\(connectedURL(connection))",
            "nats.reconnects": "\(count)",
        ]
    )
}

private let natsClosedCallback: natsConnectionHandler = { _, closure in
    guard let closure else { return }
    let unmanaged = Unmanaged<ConnectionEvents>.fromOpaque(closure)
    let events = unmanaged.takeUnretainedValue()
    events.logger.info("nats connection closed", metadata: ["nats.connection": "\(events.name)"])
    unmanaged.release()
}

private let natsErrorCallback: natsErrHandler = { _, _, status, closure in
    guard let closure else { return }
    let events = Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue()
    let text = natsStatus_GetText(status).map { String(cString: $0) } ?? "\(status.rawValue)"
    events.logger.warning(
        "nats asynchronous error",
        metadata: ["nats.connection": "\(events.name)", "nats.status": "\(text)"]
    )
}
