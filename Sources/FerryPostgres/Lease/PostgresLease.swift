import FerryCore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Settings of a ``PostgresLease``.
///
/// Every key, with its default:
/// - `account`: the NetSuite account id (`1234567_SB1`); processes sharing it share the slots. No default.
/// - `policy`: slots, shares, TTL, heartbeat, AIMD and retry rules; see `LeasePolicy` (8 slots, 30 s TTL).
/// - `holder`: this process's name in the table, for operators: host, pid and a random suffix.
/// - `acquireTimeout`: none. How long ``PostgresLease/acquire(priority:)`` waits before throwing
///   ``ConcurrencyLeaseError/Code-swift.enum/timedOut``; `nil` waits until cancelled.
public struct PostgresLeaseConfiguration: Sendable {
    public var account: String
    public var policy: LeasePolicy
    public var holder: String
    public var acquireTimeout: Duration?

    public init(
        account: String,
        policy: LeasePolicy = LeasePolicy(),
        holder: String? = nil,
        acquireTimeout: Duration? = nil
    ) {
        self.account = account
        self.policy = policy
        self.holder = holder ?? Self.defaultHolder()
        self.acquireTimeout = acquireTimeout
    }

    static func defaultHolder() -> String {
        let info = ProcessInfo.processInfo
        return "\(info.hostName)-\(info.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// One slot held through a ``PostgresLease``.
public struct LeaseGrant: Sendable, Hashable {
    public var slot: Int
    /// Fencing token: only it can release or extend the slot.
    public var token: Int64
    public var priority: LeasePriority
    /// When the acquiring query was sent, by this process's clock (the expiry counts from a later server time).
    public var acquiredSentAt: ContinuousClock.Instant
}

/// The account's lease as the database sees it now.
public struct LeaseStatus: Sendable, Hashable {
    public var slots: Int
    public var effectiveLimit: Int
    /// Live (unexpired) slots per class.
    public var holdings: [LeasePriority: Int]
    /// Valid waiting tickets, oldest first.
    public var queue: [LeasePriority]
    public var shares: LeaseShares

    /// Slots held in total.
    public var held: Int { holdings.values.reduce(0, +) }

    /// How many more `priority` requests could start now, after the waiters ahead that can be served.
    public func headroom(for priority: LeasePriority) -> Int {
        shares.headroom(for: priority, holdings: holdings, queue: queue, limit: effectiveLimit)
    }
}

/// The NetSuite concurrency lease kept in PostgreSQL: the ``LeaseTable`` rules of FerryCore, applied by the
/// `ferry_lease_*` functions of migration 2 in one statement per call, so no session state is needed and it works
/// through a transaction-pooling proxy.
///
/// - Acquire claims a free or expired slot if the shares, the effective limit and the FIFO queue allow, or
///   queues a ticket. A release computes which tickets may go now and names them in `NOTIFY ferry_lease`
///   (``run()`` listens) and in its answer, so exactly their owners wake and claim; every waiter also re-checks
///   every `recheckInterval` (which keeps its ticket alive), the fallback when a notification is missed.
/// - ``withSlot(priority:_:)`` heartbeats while its body runs and releases afterwards, even when cancelled; the
///   outcome it reports feeds the shared AIMD limit, whose changes are logged and passed to `onLimitChange`.
public final class PostgresLease: ConcurrencyLease, Sendable {
    public let configuration: PostgresLeaseConfiguration
    let client: PostgresClient
    let listenerClient: PostgresClient
    let logger: Logger
    let onLimitChange: (@Sendable (LeaseLimitChange) -> Void)?
    let wakeups = LeaseWakeups()
    private let configured = Mutex(false)
    private let knownLimit = Mutex<Int?>(nil)

    /// - Parameters:
    ///   - client: the pool for the lease statements (may go through a transaction-pooling proxy).
    ///   - listenerClient: where ``run()`` holds its `LISTEN` connection; it needs a real session, so point it at
    ///     the server itself when `client` goes through a proxy. Defaults to `client`.
    ///   - onLimitChange: called whenever this process sees the effective limit change (record it as a gauge).
    public init(
        client: PostgresClient,
        configuration: PostgresLeaseConfiguration,
        listenerClient: PostgresClient? = nil,
        logger: Logger,
        onLimitChange: (@Sendable (LeaseLimitChange) -> Void)? = nil
    ) {
        self.client = client
        self.listenerClient = listenerClient ?? client
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "netsuite.account"] = "\(configuration.account)"
        self.logger = logger
        self.onLimitChange = onLimitChange
    }

    var policy: LeasePolicy { configuration.policy }
    var account: String { configuration.account }

    /// The effective limit as last seen by this process (`nil` before the first call).
    public var effectiveLimit: Int? { knownLimit.withLock { $0 } }

    /// Waiters of this process now.
    public var localWaiters: Int { wakeups.count }

    // MARK: - Setup and listener

    /// Creates or updates the account's row and slots from the policy (keeping the current effective limit when
    /// it is lower). Called by ``run()`` and on first use; returns the effective limit.
    @discardableResult
    public func configure() async throws -> Int {
        let reservations = Self.reservationsJSON(policy.shares)
        let limit = try await run("configure") {
            let rows = try await self.client.query(
                """
                SELECT ferry_lease_configure(\(self.account), \(Int32(self.policy.slots)), \(reservations)::jsonb,
                    \(self.policy.decreaseFactor), \(Int32(self.policy.increaseAfter)))
                """,
                logger: self.logger
            )
            return try await rows.decode(Int.self).first { _ in true } ?? self.policy.slots
        }
        configured.withLock { $0 = true }
        observe(limit: limit, cause: nil)
        logger.info(
            "netsuite lease configured",
            metadata: ["lease.slots": "\(policy.slots)", "lease.effective_limit": "\(limit)"]
        )
        return limit
    }

    /// Listens for releases until cancelled (run it as a service next to the client). Reconnects after errors;
    /// meanwhile waiters fall back to their re-check timer.
    public func run() async throws {
        while !Task.isCancelled {
            do {
                if !configured.withLock({ $0 }) { try await configure() }
                try await listenerClient.withConnection { connection in
                    try await connection.listen(on: LeaseSchema.channel) { notifications in
                        self.logger.debug("netsuite lease listening")
                        self.wakeups.wakeAll()
                        for try await notification in notifications {
                            guard let tickets = Self.wakeTickets(notification.payload, account: self.account) else {
                                continue
                            }
                            self.wakeups.wake(tickets: tickets)
                        }
                    }
                }
            } catch {
                if Task.isCancelled || error is CancellationError { break }
                logger.warning(
                    "netsuite lease listener failed, reconnecting",
                    metadata: ["error.message": "\(serverMessage(error))"]
                )
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    // MARK: - Acquire, release, heartbeat

    /// Waits for a slot in `priority`'s share (FIFO with everyone else asking) and returns it.
    /// - Throws: `CancellationError` (the place in the queue is given up), ``ConcurrencyLeaseError``.
    public func acquire(priority: LeasePriority) async throws -> LeaseGrant {
        // The database calls below run in tasks of their own (a grant must not be lost to a cancellation half-way), so
        // a cancelled caller must not start them: it would wait for a database that may be gone.
        try Task.checkCancellation()
        if !configured.withLock({ $0 }) { try await configure() }
        let clock = ContinuousClock()
        let deadline = configuration.acquireTimeout.map { clock.now + $0 }
        let waiter = wakeups.register(priority: priority)
        var ticket: Int64?
        var granted = false
        defer {
            wakeups.unregister(waiter)
            if !granted, let ticket { leaveInBackground(ticket) }
        }
        while true {
            try Task.checkCancellation()
            let sentAt = clock.now
            let answer = try await detached { [ticket] in try await self.tryAcquire(priority: priority, ticket: ticket)
            }
            switch answer {
            case .granted(let slot, let token):
                let grant = LeaseGrant(slot: slot, token: token, priority: priority, acquiredSentAt: sentAt)
                if Task.isCancelled {
                    releaseInBackground(grant, feedback: .neutral)
                    throw CancellationError()
                }
                granted = true
                return grant
            case .waiting(let newTicket):
                if ticket != newTicket { wakeups.setTicket(waiter, ticket: newTicket) }
                ticket = newTicket
            }
            var wait = policy.recheckDelay(unitRandom: Double.random(in: 0...1))
            if let deadline {
                let left = deadline - clock.now
                guard left > .zero else {
                    throw ConcurrencyLeaseError(code: .timedOut, message: "no lease slot within the acquire timeout")
                }
                wait = min(wait, left)
            }
            await wakeups.wait(waiter, timeout: wait)
            try Task.checkCancellation()
        }
    }

    enum AcquireAnswer: Sendable {
        case granted(slot: Int, token: Int64)
        case waiting(ticket: Int64)
    }

    func tryAcquire(priority: LeasePriority, ticket: Int64?) async throws -> AcquireAnswer {
        let ttl = Int32(clamping: Self.milliseconds(policy.ttl))
        let waiterTTL = Int32(clamping: Self.milliseconds(policy.waiterTTL))
        let (slot, token, waitingTicket, limit) = try await run("acquire", retryUnconfigured: true) {
            let rows = try await self.client.query(
                """
                SELECT granted_slot, granted_token, waiting_ticket, current_limit
                FROM ferry_lease_acquire(\(self.account), \(self.configuration.holder), \(priority.rawValue),
                    \(ticket), \(ttl), \(waiterTTL))
                """,
                logger: self.logger
            )
            guard let row = try await rows.decode((Int?, Int64?, Int64?, Int).self).first(where: { _ in true }) else {
                throw ConcurrencyLeaseError(code: .unavailable, message: "lease acquire returned no row")
            }
            return row
        }
        observe(limit: limit, cause: nil)
        if let slot, let token { return .granted(slot: slot, token: token) }
        guard let waitingTicket else {
            throw ConcurrencyLeaseError(code: .unavailable, message: "lease acquire returned neither slot nor ticket")
        }
        return .waiting(ticket: waitingTicket)
    }

    /// Gives the slot back and feeds `feedback` to the shared AIMD limit. Returns false when the slot had already
    /// expired or been taken over (the token no longer holds it); nobody else's slot is touched then.
    @discardableResult
    public func release(_ grant: LeaseGrant, feedback: LeaseFeedback) async throws -> Bool {
        let (released, old, new, tickets) = try await detached(stopWaitingOnCancel: true) {
            try await self.run("release", retryUnconfigured: false) {
                let rows = try await self.client.query(
                    """
                    SELECT released, old_limit, new_limit, coalesce(wake_tickets, '{}')
                    FROM ferry_lease_release(
                        \(self.account), \(Int32(grant.slot)), \(grant.token), \(feedback.rawValue))
                    """,
                    logger: self.logger
                )
                return try await rows.decode((Bool, Int, Int, [Int64]).self).first { _ in true } ?? (false, 0, 0, [])
            }
        }
        // Our own waiters go at once; the NOTIFY reaches the other processes.
        wakeups.wake(tickets: tickets)
        if old > 0 {
            observe(limit: old, cause: nil)
            observe(limit: new, cause: feedback)
        }
        if !released {
            logger.warning(
                "netsuite lease slot had expired before release",
                metadata: ["lease.slot": "\(grant.slot)", "lease.token": "\(grant.token)"]
            )
        }
        return released
    }

    /// Extends the slot to the server's `now()` + TTL. Returns false when the token no longer holds it or it has
    /// expired.
    public func heartbeat(_ grant: LeaseGrant) async throws -> Bool {
        let ttl = Int32(clamping: Self.milliseconds(policy.ttl))
        return try await run("heartbeat") {
            let rows = try await self.client.query(
                "SELECT ferry_lease_heartbeat(\(self.account), \(Int32(grant.slot)), \(grant.token), \(ttl))",
                logger: self.logger
            )
            return try await rows.decode(Bool.self).first { _ in true } ?? false
        }
    }

    /// The account's lease as the database sees it.
    public func status() async throws -> LeaseStatus {
        try await run("status", retryUnconfigured: true) {
            let rows = try await self.client.query(
                """
                SELECT a.slots, a.effective_limit, a.reservations::text,
                    (SELECT coalesce(array_agg(s.priority), '{}') FROM netsuite_lease_slots s
                     WHERE s.account = a.account AND s.token IS NOT NULL AND s.expires_at > now()),
                    (SELECT coalesce(array_agg(w.priority ORDER BY w.ticket), '{}') FROM netsuite_lease_waiters w
                     WHERE w.account = a.account AND w.expires_at > now())
                FROM netsuite_lease_accounts a WHERE a.account = \(self.account)
                """,
                logger: self.logger
            )
            guard
                let (slots, limit, reservations, held, queue) = try await rows.decode(
                    (Int, Int, String, [String], [String]).self
                ).first(where: { _ in true })
            else {
                throw DatabaseError(code: .notFound, message: "lease account is not configured")
            }
            var holdings: [LeasePriority: Int] = [:]
            for priority in held.compactMap(LeasePriority.init(rawValue:)) { holdings[priority, default: 0] += 1 }
            return LeaseStatus(
                slots: slots,
                effectiveLimit: limit,
                holdings: holdings,
                queue: queue.compactMap(LeasePriority.init(rawValue:)),
                shares: LeaseShares(reservations: Self.reservations(fromJSON: reservations))
            )
        }
    }

    /// How many more `priority` requests could start now: what a worker may fetch from its queue and expect
    /// slots for.
    public func headroom(for priority: LeasePriority) async throws -> Int {
        try await status().headroom(for: priority)
    }

    // MARK: - withSlot

    public func withSlot<T: Sendable>(
        priority: LeasePriority,
        _ body: @Sendable (LeaseSlot) async throws -> T
    ) async throws -> T {
        let grant = try await acquire(priority: priority)
        let slot = LeaseSlot(number: grant.slot, token: grant.token, priority: priority)
        let result: Result<T, any Error>
        do {
            result = .success(
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await self.keepAlive(grant, slot: slot) }
                    defer { group.cancelAll() }
                    return try await body(slot)
                }
            )
        } catch {
            result = .failure(error)
        }
        let feedback: LeaseFeedback
        switch result {
        case .success: feedback = slot.reportedFeedback ?? .success
        case .failure: feedback = slot.reportedFeedback ?? .neutral
        }
        if Task.isCancelled {
            // A cancelled caller (a worker giving up on a database that is gone) must not wait for the release: it goes
            // in the background, and the slot expires after the TTL if the release never gets through.
            releaseInBackground(grant, feedback: feedback)
            return try result.get()
        }
        do {
            try await release(grant, feedback: feedback)
        } catch {
            // The slot expires after the TTL by itself.
            logger.warning("netsuite lease release failed", metadata: ["error.message": "\(serverMessage(error))"])
        }
        return try result.get()
    }

    /// Heartbeats `grant` until cancelled; marks the slot lost if the server says it is no longer ours or no
    /// heartbeat got through before the TTL ran out.
    func keepAlive(_ grant: LeaseGrant, slot: LeaseSlot) async {
        let clock = ContinuousClock()
        var state = LeaseHeartbeat(policy: policy, acquiredSentAt: grant.acquiredSentAt)
        while !Task.isCancelled {
            switch state.nextAction(now: clock.now) {
            case .sleep(let until):
                try? await Task.sleep(until: until, clock: clock)
            case .heartbeat:
                let sentAt = clock.now
                do {
                    let extended = try await heartbeat(grant)
                    state.recordHeartbeat(sentAt: sentAt, extended: extended)
                } catch {
                    if Task.isCancelled { return }
                    logger.info(
                        "netsuite lease heartbeat failed",
                        metadata: ["error.message": "\(serverMessage(error))"]
                    )
                    try? await Task.sleep(for: min(state.interval / 4, .seconds(1)))
                }
            case .lost:
                slot.markLost()
                logger.warning(
                    "netsuite lease slot lost while in use",
                    metadata: ["lease.slot": "\(grant.slot)", "lease.token": "\(grant.token)"]
                )
                return
            }
        }
    }

    // MARK: - Helpers

    private func releaseInBackground(_ grant: LeaseGrant, feedback: LeaseFeedback) {
        Task {
            do {
                try await self.release(grant, feedback: feedback)
            } catch {
                self.logger.warning(
                    "netsuite lease release failed",
                    metadata: ["error.message": "\(serverMessage(error))"]
                )
            }
        }
    }

    private func leaveInBackground(_ ticket: Int64) {
        Task {
            do {
                try await self.client.query("SELECT ferry_lease_leave(\(self.account), \(ticket))", logger: self.logger)
            } catch {
                // The ticket expires after waiterTTL by itself.
                self.logger.debug("netsuite lease leave failed", metadata: ["error.message": "\(serverMessage(error))"])
            }
        }
    }

    /// Runs `operation` in a task of its own, so cancelling the caller cannot abandon a statement whose effect
    /// (a granted slot) would then be lost.
    /// Runs `operation` in a task of its own, so cancelling the caller does not cancel it (a release still goes
    /// through). With `stopWaitingOnCancel`, a cancelled caller stops *waiting* for it (throws `CancellationError`)
    /// while it goes on in the background: a worker that gives up on a database that is gone is not held by it.
    private func detached<T: Sendable>(
        stopWaitingOnCancel: Bool = false,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await operation() }
        guard stopWaitingOnCancel else { return try await task.value }
        let waiter = OnceContinuation<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                waiter.set(continuation)
                if Task.isCancelled { waiter.resume(with: .failure(CancellationError())) }
                Task { waiter.resume(with: await task.result) }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }

    /// Maps database failures to ``ConcurrencyLeaseError``; re-configures and retries once when the account row
    /// is missing.
    private func run<T: Sendable>(
        _ what: String,
        retryUnconfigured: Bool = false,
        _ operation: @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await operation()
        } catch let error as ConcurrencyLeaseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if retryUnconfigured, Self.isUnconfigured(error) {
                try await configure()
                return try await run(what, retryUnconfigured: false, operation)
            }
            throw ConcurrencyLeaseError(code: .unavailable, message: "lease \(what) failed: \(serverMessage(error))")
        }
    }

    private static func isUnconfigured(_ error: any Error) -> Bool {
        if let psql = error as? PSQLError, psql.serverInfo?[.sqlState] == "P0002" { return true }
        if let database = error as? DatabaseError, database.code == .notFound { return true }
        return false
    }

    private func observe(limit: Int, cause: LeaseFeedback?) {
        let old = knownLimit.withLock { known -> Int? in
            let old = known
            known = limit
            return old
        }
        guard let old, old != limit else { return }
        let change = LeaseLimitChange(from: old, to: limit, cause: cause ?? (limit < old ? .overloaded : .success))
        // The one log line of a limit change (callers only record the gauge), with this process's name in the lease.
        logger.notice(
            "NetSuite lease limit changed",
            metadata: [
                "lease.from": "\(old)", "lease.to": "\(limit)", "lease.cause": "\(change.cause.rawValue)",
                "lease.observed_only": "\(cause == nil)", "worker": "\(configuration.holder)",
            ]
        )
        onLimitChange?(change)
    }

    /// The tickets named by a `ferry_lease` notification for `account` (`"<account> <t1>,<t2>"`); `nil` for another
    /// account.
    static func wakeTickets(_ payload: String, account: String) -> [Int64]? {
        guard let space = payload.lastIndex(of: " "), payload[..<space] == account else { return nil }
        return payload[payload.index(after: space)...].split(separator: ",").compactMap { Int64($0) }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    static func reservationsJSON(_ shares: LeaseShares) -> String {
        let members = LeasePriority.allCases.compactMap { priority in
            shares.reservations[priority].map { "\"\(priority.rawValue)\": \($0)" }
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func reservations(fromJSON text: String) -> [LeasePriority: Int] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return [:]
        }
        var result: [LeasePriority: Int] = [:]
        for (key, value) in object {
            if let priority = LeasePriority(rawValue: key), let count = value as? Int { result[priority] = count }
        }
        return result
    }
}

/// A continuation resumed at most once, by whichever comes first.
private final class OnceContinuation<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, early: Result<T, any Error>?)>(
        (nil, nil)
    )

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(with result: Result<T, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
            if let continuation = state.continuation {
                state.continuation = nil
                state.early = result  // later resumes see it and do nothing
                return continuation
            }
            if state.early == nil { state.early = result }
            return nil
        }
        continuation?.resume(with: result)
    }
}
