import FerryCore
import Foundation
import Logging

/// Everything Ferry sends to NetSuite for one order: the customer look-up and create, the sales order, the
/// deposit and the rollback, each exactly once.
///
/// What to do for each record is decided by ``SubmissionRules`` (FerryCore) from what the caller remembers; this
/// type carries a ``RecordPlan`` out. The caller's `announce` closure runs right before a create is sent, so the
/// caller can record the pending write first: a create whose answer never arrives is then found by a look-up on
/// the next attempt, and a first create needs no look-up at all.
public struct NetSuiteOrderSubmitter: Sendable {
    public let client: NetSuiteClient

    public init(client: NetSuiteClient) { self.client = client }

    /// How a record came to be established.
    public enum Establishment: String, Sendable, Equatable {
        /// The remembered id was used; nothing was sent.
        case remembered
        /// A look-up by external id found it (an earlier attempt's write had an unknown outcome).
        case found
        /// Created now.
        case created
        /// The create failed in a way that may have committed, or NetSuite called it a duplicate; a look-up found it.
        case resolvedAfterCreate = "resolved_after_create"
    }

    public struct Established: Sendable, Equatable {
        public var id: String
        public var how: Establishment

        public init(id: String, how: Establishment) {
            self.id = id
            self.how = how
        }
    }

    /// Carries out `plan` for the record of `type` with `externalID`. Never creates a second record for one
    /// external id: NetSuite refuses a duplicate, and a refused or maybe-committed create is resolved by look-up.
    public func establish(
        _ plan: RecordPlan,
        type: String,
        externalID: String,
        body: some Encodable & Sendable,
        announce: () async throws -> Void,
        logger: Logger
    ) async throws -> Established {
        switch plan {
        case .use(let id):
            return Established(id: id, how: .remembered)
        case .lookUpThenCreate:
            if let existing = try await client.internalID(of: type, externalID: externalID, logger: logger) {
                logger.info(
                    "record already in NetSuite",
                    metadata: ["netsuite.record": "\(type)", "netsuite.id": "\(existing)"]
                )
                return Established(id: existing, how: .found)
            }
        case .create:
            break
        }
        try await announce()
        do {
            let id = try await client.create(type, encoding: body, logger: logger).id
            return Established(id: id, how: .created)
        } catch let error as NetSuiteError where error.kind == .duplicate || error.mayHaveCommitted {
            if let existing = try await client.internalID(of: type, externalID: externalID, logger: logger) {
                logger.info(
                    "create resolved by look-up",
                    metadata: [
                        "netsuite.record": "\(type)", "netsuite.id": "\(existing)",
                        "error.type": "\(error.kind.rawValue)",
                    ]
                )
                return Established(id: existing, how: .resolvedAfterCreate)
            }
            throw error
        }
    }

    /// The NetSuite customer with `externalID`, or else the oldest with `email`.
    public func findCustomer(externalID: String, email: String?, logger: Logger) async throws -> Int? {
        let byExternalID = try await client.suiteQL(
            SuiteQLText.customer(externalID: externalID),
            limit: 1,
            logger: logger
        )
        if let id = byExternalID.items.first?["id"]?.intValue { return id }
        guard let email, !email.isEmpty else { return nil }
        let byEmail = try await client.suiteQL(SuiteQLText.customer(email: email), limit: 1, logger: logger)
        return byEmail.items.first?["id"]?.intValue
    }

    /// Creates the customer, or finds the one a racing worker (or our own maybe-committed call) created.
    public func createCustomer(
        _ request: CustomerRequest,
        announce: () async throws -> Void,
        logger: Logger
    ) async throws -> Established {
        try await announce()
        do {
            let ref = try await client.create("customer", encoding: request, logger: logger)
            return Established(id: ref.id, how: .created)
        } catch let error as NetSuiteError where error.kind == .duplicate || error.mayHaveCommitted {
            guard let found = try await findCustomer(externalID: request.externalId, email: nil, logger: logger) else {
                throw error
            }
            return Established(id: String(found), how: .resolvedAfterCreate)
        }
    }

    /// Deletes a sales order whose deposit NetSuite refused. One that is already gone counts as deleted.
    public func deleteSalesOrder(id: String, logger: Logger) async throws {
        do {
            try await client.delete("salesOrder", id: id, logger: logger)
        } catch let error as NetSuiteError where error.kind == .notFound {
            // Already gone: an earlier attempt's delete went through.
        }
    }

    /// The outage probe: a cheap query that succeeds whenever NetSuite answers normally.
    public func probe(logger: Logger) async throws {
        _ = try await client.suiteQL(SuiteQLText.probe, limit: 1, logger: logger)
    }
}
