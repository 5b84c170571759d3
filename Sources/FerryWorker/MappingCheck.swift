import FerryCore
import FerryPostgres
import FerryPrestaShop
import Logging

/// Whether a dead-lettered order would map now: re-runs the transform with today's mapping tables and the
/// order facts saved in the dead letter. Answers `ferry mappings check`.
public enum MappingCheckResult: Sendable, Equatable {
    case wouldMap
    case stillMissing([MissingMapping])
    /// The dead letter lacks what the check needs (unreadable payload, or it failed before the facts were known).
    case cannotCheck(String)
}

public func checkMappings(
    for letter: StoredDeadLetter,
    store: MappingStore,
    logger: Logger
) async throws -> MappingCheckResult {
    guard let context = letter.entry.context else {
        return .cannotCheck("no order facts recorded with this dead letter")
    }
    let order: PrestaShopOrder
    do {
        order = try PrestaShopOrder.validated(from: letter.entry.original.payloadBytes)
    } catch {
        return .cannotCheck("payload: \(error.description)")
    }
    let shopOrder = OrderPipeline.shopOrder(order)
    let resolved = try await store.resolve(
        for: shopOrder,
        countryISO: context.countryISO,
        currencyISO: context.currencyISO,
        cartRules: context.cartRules ?? [],
        logger: logger
    )
    switch OrderTransform.salesOrder(for: shopOrder, context: context.orderContext, mappings: resolved) {
    case .success: return .wouldMap
    case .failure(.missingMappings(let missing)): return .stillMissing(missing)
    case .failure(.invalidOrder(let reason)): return .cannotCheck(reason)
    case .failure(let mismatch): return .cannotCheck(mismatch.description)
    }
}
