import FerryCore
import Foundation
import Logging
import PostgresNIO

/// Per-order sync state: stage, NetSuite ids, counted attempts and their errors.
public struct OrderSyncRecord: Sendable, Equatable {
    public var key: String
    public var shopID: Int
    public var orderID: Int
    public var reference: String
    public var stage: SyncStage
    public var attempts: Int
    public var netSuiteCustomerID: String?
    public var netSuiteSalesOrderID: String?
    public var netSuiteDepositID: String?
    /// A NetSuite write sent for this order whose outcome is not known (``SubmissionRules``).
    public var pendingWrite: PendingWrite?
    public var lastErrorClass: String?
    public var lastErrorMessage: String?
    public var webhookReceivedAt: Date?
}

public struct SyncSummary: Sendable, Equatable {
    public var seen: Int
    public var inNetSuite: Int
    public var retrying: Int
    public var deadLettered: Int
    public var writtenBack: Int
}

/// Order sync state and the processed-events table, in PostgreSQL.
///
/// `processed_events` holds one row per idempotency key whose sales order and deposit are in NetSuite;
/// ``markProcessed(key:salesOrderID:depositID:logger:)`` checks and marks it in one transaction, so two
/// workers racing on one key cannot both record it.
public struct OrderSyncStore: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    /// The processed event for `key`, if the order is already in NetSuite.
    public func processedSalesOrder(key: String, logger: Logger) async throws -> String? {
        try await wrap("processed lookup") {
            for try await id in try await client.query(
                "SELECT netsuite_sales_order_id FROM processed_events WHERE idempotency_key = \(key)",
                logger: logger
            ).decode(String.self) {
                return id
            }
            return nil
        }
    }

    /// Creates the order's row on first sight and returns the current state either way.
    public func begin(
        key: String,
        shopID: Int,
        orderID: Int,
        reference: String,
        webhookReceivedAt: Date?,
        logger: Logger
    ) async throws -> OrderSyncRecord {
        try await wrap("begin") {
            try await client.query(
                """
                INSERT INTO order_sync (idempotency_key, shop_id, order_id, reference, stage, webhook_received_at)
                VALUES (\(key), \(shopID), \(orderID), \(reference), \(SyncStage.received.rawValue), \(webhookReceivedAt))
                ON CONFLICT (idempotency_key) DO UPDATE SET
                    webhook_received_at = COALESCE(order_sync.webhook_received_at, EXCLUDED.webhook_received_at)
                """,
                logger: logger
            )
            guard let record = try await fetch(key: key, logger: logger) else {
                throw DatabaseError(code: .notFound, message: "order sync row vanished")
            }
            return record
        }
    }

    public func fetch(key: String, logger: Logger) async throws -> OrderSyncRecord? {
        try await wrap("fetch") {
            let rows = try await client.query(
                """
                SELECT idempotency_key, shop_id, order_id, reference, stage, attempts, netsuite_customer_id,
                       netsuite_sales_order_id, netsuite_deposit_id, last_error_class, last_error_message, webhook_received_at,
                       pending_write
                FROM order_sync WHERE idempotency_key = \(key)
                """,
                logger: logger
            )
            for try await row in rows {
                let c = try row.decode(
                    (String, Int, Int, String, String, Int, String?, String?, String?, String?, String?, Date?, String?)
                        .self
                )
                return OrderSyncRecord(
                    key: c.0,
                    shopID: c.1,
                    orderID: c.2,
                    reference: c.3,
                    stage: SyncStage(rawValue: c.4) ?? .received,
                    attempts: c.5,
                    netSuiteCustomerID: c.6,
                    netSuiteSalesOrderID: c.7,
                    netSuiteDepositID: c.8,
                    pendingWrite: c.12.flatMap(PendingWrite.init(rawValue:)),
                    lastErrorClass: c.9,
                    lastErrorMessage: c.10,
                    webhookReceivedAt: c.11
                )
            }
            return nil
        }
    }

    /// Records that `write` is about to be sent to NetSuite, before it is sent. Until ``advance(key:to:customerID:salesOrderID:depositID:logger:)``
    /// or ``settlePendingWrite(key:logger:)`` clears it, the next attempt treats what it remembers as a hint.
    public func recordPendingWrite(key: String, _ write: PendingWrite, logger: Logger) async throws {
        try await wrap("record pending write") {
            try await client.query(
                """
                UPDATE order_sync SET pending_write = \(write.rawValue), updated_at = now() WHERE idempotency_key = \(key)
                """,
                logger: logger
            )
        }
    }

    /// NetSuite's answer to the pending write is known and changed nothing Ferry keeps (a refusal, a delete that went through).
    public func settlePendingWrite(key: String, logger: Logger) async throws {
        try await wrap("settle pending write") {
            try await client.query(
                "UPDATE order_sync SET pending_write = NULL, updated_at = now() WHERE idempotency_key = \(key)",
                logger: logger
            )
        }
    }

    /// Before a rollback's delete is sent: the sales order and its deposit are forgotten and the delete is pending,
    /// in one statement, so a lost answer to the delete can never leave the id of a deleted sales order behind.
    public func beginRollback(key: String, logger: Logger) async throws {
        try await wrap("begin rollback") {
            try await client.query(
                """
                UPDATE order_sync SET netsuite_sales_order_id = NULL, netsuite_deposit_id = NULL,
                    pending_write = \(PendingWrite.salesOrderDelete.rawValue),
                    stage = \(SyncStage.customerResolved.rawValue), updated_at = now()
                WHERE idempotency_key = \(key)
                """,
                logger: logger
            )
        }
    }

    /// Moves the order forward to `stage`, keeps any NetSuite ids given (ids already set stay set; a sales order id
    /// that differs from the remembered one replaces it and forgets the deposit of the old one) and clears the
    /// pending write the given ids answer: NetSuite's answer to it is known.
    public func advance(
        key: String,
        to stage: SyncStage,
        customerID: String? = nil,
        salesOrderID: String? = nil,
        depositID: String? = nil,
        logger: Logger
    ) async throws {
        // The pending writes whose outcome this answer settles.
        var settled: [String] = []
        if customerID != nil { settled.append(PendingWrite.customerCreate.rawValue) }
        if salesOrderID != nil {
            settled += [PendingWrite.salesOrderCreate.rawValue, PendingWrite.salesOrderDelete.rawValue]
        }
        if depositID != nil { settled.append(PendingWrite.depositCreate.rawValue) }
        try await wrap("advance") {
            try await client.query(
                """
                UPDATE order_sync SET stage = \(stage.rawValue), updated_at = now(),
                    pending_write = CASE WHEN pending_write = ANY(\(settled)) THEN NULL ELSE pending_write END,
                    netsuite_customer_id = COALESCE(\(customerID), netsuite_customer_id),
                    netsuite_deposit_id = CASE
                        WHEN \(depositID)::text IS NOT NULL THEN \(depositID)
                        WHEN \(salesOrderID)::text IS NOT NULL AND \(salesOrderID) IS DISTINCT FROM netsuite_sales_order_id THEN NULL
                        ELSE netsuite_deposit_id END,
                    netsuite_sales_order_id = COALESCE(\(salesOrderID), netsuite_sales_order_id)
                WHERE idempotency_key = \(key)
                """,
                logger: logger
            )
        }
    }

    /// Records a failed attempt. Counted attempts (order-specific failures) are kept for the dead letter and
    /// raise the attempt count; uncounted ones (NetSuite outages) only update the last error.
    /// Returns the number of counted attempts so far.
    @discardableResult
    public func recordFailure(key: String, _ attempt: AttemptRecord, counted: Bool, logger: Logger) async throws -> Int
    {
        try await wrap("record failure") {
            try await client.withTransaction(logger: logger) { connection in
                var count = 0
                if counted {
                    for try await n in try await connection.query(
                        """
                        UPDATE order_sync SET attempts = attempts + 1, last_error_class = \(attempt.errorClass),
                            last_error_message = \(attempt.message), last_error_code = \(attempt.netSuiteErrorCode), updated_at = now()
                        WHERE idempotency_key = \(key) RETURNING attempts
                        """,
                        logger: logger
                    ).decode(Int.self) {
                        count = n
                    }
                    try await connection.query(
                        """
                        INSERT INTO order_attempts (idempotency_key, attempt, at, stage, error_class, error_message, netsuite_error_code)
                        VALUES (\(key), \(count), to_timestamp(\(attempt.at)), \(attempt.stage), \(attempt.errorClass),
                                \(attempt.message), \(attempt.netSuiteErrorCode))
                        ON CONFLICT (idempotency_key, attempt) DO NOTHING
                        """,
                        logger: logger
                    )
                } else {
                    for try await n in try await connection.query(
                        """
                        UPDATE order_sync SET last_error_class = \(attempt.errorClass), last_error_message = \(attempt.message),
                            last_error_code = \(attempt.netSuiteErrorCode), updated_at = now()
                        WHERE idempotency_key = \(key) RETURNING attempts
                        """,
                        logger: logger
                    ).decode(Int.self) {
                        count = n
                    }
                }
                return count
            }
        }
    }

    /// Every counted attempt of `key`, oldest first.
    public func attempts(key: String, logger: Logger) async throws -> [AttemptRecord] {
        try await wrap("attempts") {
            var result: [AttemptRecord] = []
            for try await (n, at, stage, errorClass, message, code) in try await client.query(
                """
                SELECT attempt, extract(epoch FROM at)::float8, stage, error_class, error_message, netsuite_error_code
                FROM order_attempts WHERE idempotency_key = \(key) ORDER BY attempt
                """,
                logger: logger
            ).decode((Int, Double, String, String, String, String?).self) {
                result.append(
                    AttemptRecord(
                        attempt: n,
                        at: at,
                        stage: stage,
                        errorClass: errorClass,
                        message: message,
                        netSuiteErrorCode: code
                    )
                )
            }
            return result
        }
    }

    /// Checks and marks the order processed in one transaction. Returns false when another worker had already
    /// recorded it (then nothing changes).
    @discardableResult
    public func markProcessed(
        key: String,
        salesOrderID: String,
        depositID: String?,
        logger: Logger
    ) async throws -> Bool {
        try await wrap("mark processed") {
            try await client.withTransaction(logger: logger) { connection in
                var inserted = false
                for try await _ in try await connection.query(
                    """
                    INSERT INTO processed_events (idempotency_key, netsuite_sales_order_id, netsuite_deposit_id)
                    VALUES (\(key), \(salesOrderID), \(depositID))
                    ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1
                    """,
                    logger: logger
                ).decode(Int.self) {
                    inserted = true
                }
                try await connection.query(
                    """
                    UPDATE order_sync SET stage = \(SyncStage.recorded.rawValue), recorded_at = COALESCE(recorded_at, now()),
                        netsuite_sales_order_id = \(salesOrderID), netsuite_deposit_id = COALESCE(\(depositID), netsuite_deposit_id),
                        pending_write = NULL, last_error_class = NULL, last_error_message = NULL, last_error_code = NULL,
                        updated_at = now()
                    WHERE idempotency_key = \(key) AND stage NOT IN (\(SyncStage.recorded.rawValue), \(SyncStage.writtenBack.rawValue))
                    """,
                    logger: logger
                )
                return inserted
            }
        }
    }

    public func markWrittenBack(key: String, logger: Logger) async throws {
        try await wrap("mark written back") {
            try await client.query(
                """
                UPDATE order_sync SET stage = \(SyncStage.writtenBack.rawValue), written_back_at = now(), updated_at = now()
                WHERE idempotency_key = \(key)
                """,
                logger: logger
            )
        }
    }

    public func markDeadLettered(key: String, logger: Logger) async throws {
        try await wrap("mark dead-lettered") {
            try await client.query(
                """
                UPDATE order_sync SET stage = \(SyncStage.deadLettered.rawValue), updated_at = now()
                WHERE idempotency_key = \(key) AND stage NOT IN (\(SyncStage.recorded.rawValue), \(SyncStage.writtenBack.rawValue))
                """,
                logger: logger
            )
        }
    }

    /// Before an operator resubmits a dead letter: a fresh set of attempts, from the start.
    public func resetForResubmission(key: String, logger: Logger) async throws {
        try await wrap("reset for resubmission") {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    """
                    UPDATE order_sync SET stage = \(SyncStage.received.rawValue), attempts = 0, updated_at = now()
                    WHERE idempotency_key = \(key) AND stage = \(SyncStage.deadLettered.rawValue)
                    """,
                    logger: logger
                )
                try await connection.query("DELETE FROM order_attempts WHERE idempotency_key = \(key)", logger: logger)
            }
        }
    }

    /// Orders per stage, for the live summary and metrics.
    public func countsByStage(logger: Logger) async throws -> [SyncStage: Int] {
        try await wrap("counts") {
            var result: [SyncStage: Int] = [:]
            for try await (stage, count) in try await client.query(
                "SELECT stage, count(*)::int FROM order_sync GROUP BY stage",
                logger: logger
            ).decode((String, Int).self) {
                if let s = SyncStage(rawValue: stage) { result[s] = count }
            }
            return result
        }
    }

    /// The live summary: orders seen, in NetSuite, waiting for a retry, dead-lettered.
    public func summary(logger: Logger) async throws -> SyncSummary {
        try await wrap("summary") {
            let rows = try await client.query(
                """
                SELECT count(*)::int,
                       count(*) FILTER (WHERE stage IN ('recorded', 'written_back'))::int,
                       count(*) FILTER (WHERE attempts > 0 AND stage NOT IN ('recorded', 'written_back', 'dead_lettered'))::int,
                       count(*) FILTER (WHERE stage = 'dead_lettered')::int,
                       count(*) FILTER (WHERE stage = 'written_back')::int
                FROM order_sync
                """,
                logger: logger
            )
            for try await (seen, inNetSuite, retrying, dead, writtenBack) in rows.decode((Int, Int, Int, Int, Int).self)
            {
                return SyncSummary(
                    seen: seen,
                    inNetSuite: inNetSuite,
                    retrying: retrying,
                    deadLettered: dead,
                    writtenBack: writtenBack
                )
            }
            return SyncSummary(seen: 0, inNetSuite: 0, retrying: 0, deadLettered: 0, writtenBack: 0)
        }
    }

    /// Whether PostgreSQL answers a trivial query within `timeout`.
    public func answers(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await client.query(
                        "SELECT 1",
                        logger: Logger(label: "ferry.health") { _ in SwiftLogNoOpLogHandler() }
                    )
                    return true
                } catch {
                    return false
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @discardableResult
    private func wrap<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        // A cancelled caller (a worker handing back its orders) sends no new statement: in the PostgreSQL-stopped test a
        // statement from a cancelled task still waited for a connection to the server that was gone.
        if Task.isCancelled { throw DatabaseError(code: .query, message: "\(what) not sent: cancelled") }
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw error
        } catch {
            throw DatabaseError(code: .query, message: "\(what) failed: \(serverMessage(error))", underlying: error)
        }
    }
}
