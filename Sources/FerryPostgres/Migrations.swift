import Logging
import PostgresNIO

/// Ferry's schema, as numbered migrations applied in order by `ferry migrate` (and before the dev stack starts).
/// Applied migrations are recorded in `ferry_schema_migrations`; an advisory transaction lock keeps two
/// migrators from racing (a transaction-scoped lock, so it works through transaction-pooling proxies).
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let statements: [String]
    }

    public static let all: [Migration] = [
        Migration(
            version: 1,
            name: "mappings, order sync state, processed events, attempts",
            statements: [
                """
                CREATE TABLE map_products (
                    prestashop_product_id integer NOT NULL,
                    prestashop_combination_id integer NOT NULL DEFAULT 0,
                    reference text NOT NULL DEFAULT '',
                    netsuite_item_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (prestashop_product_id, prestashop_combination_id)
                )
                """,
                "CREATE INDEX map_products_reference ON map_products (reference) WHERE reference <> ''",
                """
                CREATE TABLE map_tax_codes (
                    country_iso text NOT NULL,
                    tax_category_id integer NOT NULL,
                    subsidiary_id integer NOT NULL,
                    netsuite_tax_code_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (country_iso, tax_category_id, subsidiary_id)
                )
                """,
                """
                CREATE TABLE map_currencies (
                    prestashop_currency_iso text PRIMARY KEY,
                    netsuite_currency_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE map_payment_methods (
                    prestashop_module text PRIMARY KEY,
                    netsuite_payment_method_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE map_carriers (
                    prestashop_carrier_id integer PRIMARY KEY,
                    netsuite_ship_method_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE map_shops (
                    prestashop_shop_id integer PRIMARY KEY,
                    netsuite_subsidiary_id integer NOT NULL,
                    netsuite_location_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE order_sync (
                    idempotency_key text PRIMARY KEY,
                    shop_id integer NOT NULL,
                    order_id integer NOT NULL,
                    reference text NOT NULL DEFAULT '',
                    stage text NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    netsuite_customer_id text,
                    netsuite_sales_order_id text,
                    netsuite_deposit_id text,
                    last_error_class text,
                    last_error_message text,
                    last_error_code text,
                    webhook_received_at timestamptz,
                    first_seen_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    recorded_at timestamptz,
                    written_back_at timestamptz
                )
                """,
                "CREATE INDEX order_sync_stage ON order_sync (stage)",
                "CREATE INDEX order_sync_order ON order_sync (shop_id, order_id)",
                """
                CREATE TABLE processed_events (
                    idempotency_key text PRIMARY KEY,
                    processed_at timestamptz NOT NULL DEFAULT now(),
                    netsuite_sales_order_id text NOT NULL,
                    netsuite_deposit_id text
                )
                """,
                """
                CREATE TABLE order_attempts (
                    idempotency_key text NOT NULL,
                    attempt integer NOT NULL,
                    at timestamptz NOT NULL DEFAULT now(),
                    stage text NOT NULL,
                    error_class text NOT NULL,
                    error_message text NOT NULL,
                    netsuite_error_code text,
                    PRIMARY KEY (idempotency_key, attempt)
                )
                """,
            ]
        ),
        Migration(version: 2, name: "netsuite concurrency lease", statements: LeaseSchema.statements),
        Migration(
            version: 3,
            name: "lease limit remembers the refused level",
            statements: LeaseSchema.probeMemoryStatements
        ),
        Migration(
            version: 4,
            name: "order sync remembers a NetSuite write whose outcome is unknown",
            statements: [
                // Set before a create or rollback delete is sent, cleared when NetSuite's answer is known
                // (SubmissionRules in FerryCore): while set, remembered NetSuite ids are re-established by look-up.
                "ALTER TABLE order_sync ADD COLUMN pending_write text"
            ]
        ),
        Migration(
            version: 5,
            name: "lease probes back off when refused again",
            statements: LeaseSchema.probeBackoffStatements
        ),
        Migration(
            version: 6,
            name: "order money: tax rates, shipping tax, discounts, order items",
            statements: [
                // NULL for rows imported before: the transform reports them as missing until re-imported.
                "ALTER TABLE map_tax_codes ADD COLUMN rate_percent numeric",
                "ALTER TABLE map_carriers ADD COLUMN tax_category_id integer",
                """
                CREATE TABLE map_discounts (
                    prestashop_cart_rule text PRIMARY KEY,
                    netsuite_item_id integer NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                """
                CREATE TABLE map_order_items (
                    purpose text PRIMARY KEY,
                    netsuite_item_id integer NOT NULL,
                    tax_category_id integer,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """,
            ]
        ),
    ]

    /// Applies every migration not yet applied. Safe to run concurrently from several processes.
    /// Returns the versions applied by this call.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                // Serialise concurrent migrators for the length of this transaction.
                try await connection.query("SELECT pg_advisory_xact_lock(7465637261)", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS ferry_schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                    """,
                    logger: logger
                )
                var applied = Set<Int>()
                for try await version in try await connection.query(
                    "SELECT version FROM ferry_schema_migrations",
                    logger: logger
                )
                .decode(Int.self) {
                    applied.insert(version)
                }
                var done: [Int] = []
                for migration in all where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO ferry_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger
                    )
                    logger.info("migration applied", metadata: ["migration.version": "\(migration.version)"])
                    done.append(migration.version)
                }
                return done
            }
        } catch {
            throw DatabaseError(
                code: .migration,
                message: "migration failed: \(serverMessage(error))",
                underlying: error
            )
        }
    }
}
