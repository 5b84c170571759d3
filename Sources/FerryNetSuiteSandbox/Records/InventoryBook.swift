import FerrySandboxData
import Foundation

/// An item at a location: the key of `inventoryitemlocations`.
struct ItemLocation: Sendable, Hashable {
    var item: Int
    var location: Int
}

/// Quantities of one item at one location (A11).
///
/// Open sales orders create demand at their location: NetSuite commits what is on hand and back-orders the rest,
/// so `available = onHand − committed` moves when orders arrive, and again when stock is adjusted.
struct InventoryLevel: Sendable, Equatable {
    var onHand: Decimal
    var onOrder: Decimal = 0
    /// Quantity on open sales-order lines at this location.
    var demand: Decimal = 0

    var committed: Decimal { min(max(onHand, 0), max(demand, 0)) }
    var available: Decimal { onHand - committed }
    var backordered: Decimal { max(0, demand - max(onHand, 0)) }
}

/// Every item-location quantity, in a stable order (dataset order, then new pairs as they appear).
struct InventoryBook: Sendable {
    private(set) var levels: [ItemLocation: InventoryLevel] = [:]
    private(set) var order: [ItemLocation] = []
    private(set) var locationsByItem: [Int: [Int]] = [:]

    init(balances: [SandboxDataset.InventoryBalance]) {
        levels.reserveCapacity(balances.count)
        order.reserveCapacity(balances.count)
        for balance in balances {
            let key = ItemLocation(item: balance.itemID, location: balance.locationID)
            guard levels[key] == nil else { continue }
            levels[key] = InventoryLevel(onHand: Decimal(balance.quantityOnHand))
            order.append(key)
            locationsByItem[balance.itemID, default: []].append(balance.locationID)
        }
    }

    func level(_ key: ItemLocation) -> InventoryLevel? { levels[key] }

    /// Changes one item-location, creating it (at zero) if it did not exist yet.
    mutating func modify(_ key: ItemLocation, _ change: (inout InventoryLevel) -> Void) {
        if levels[key] == nil {
            levels[key] = InventoryLevel(onHand: 0)
            order.append(key)
            locationsByItem[key.item, default: []].append(key.location)
        }
        change(&levels[key]!)
    }

    /// Adds (or with a negative sign removes) the demand of a sales order's lines.
    mutating func applyDemand(of order: StoredRecord, sign: Decimal) {
        for (key, quantity) in Self.demand(of: order) {
            modify(key) { $0.demand += sign * quantity }
        }
    }

    /// The quantity each line of a sales order asks of each item-location. Lines without a location (on the line
    /// or the order) and closed lines ask nothing.
    static func demand(of order: StoredRecord) -> [(ItemLocation, Decimal)] {
        guard order.type == .salesOrder else { return [] }
        let orderLocation = order.referenceID("location")
        return order.lines.compactMap { line in
            guard line.fields["isClosed"]?.boolValue != true,
                let item = line.referenceID("item"),
                let location = line.referenceID("location") ?? orderLocation
            else { return nil }
            return (ItemLocation(item: item, location: location), line.number("quantity") ?? 1)
        }
    }
}
