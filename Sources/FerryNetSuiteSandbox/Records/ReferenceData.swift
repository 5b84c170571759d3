import FerrySandboxData
import Foundation

/// The account's fixed lists from the dataset (tax codes, currencies, subsidiaries, locations, ship methods,
/// payment methods, price levels): what reference fields other than records may point at.
struct ReferenceData: Sendable {
    let taxCodes: [Int: SandboxDataset.NetSuiteTaxCode]
    /// By NetSuite currency id.
    let currencies: [Int: SandboxDataset.Currency]
    let subsidiaries: [Int: SandboxDataset.Subsidiary]
    let locations: [Int: SandboxDataset.Location]
    let shipMethods: [Int: String]
    let paymentMethods: [Int: String]
    let priceLevels: [Int: SandboxDataset.PriceLevel]

    init(dataset: SandboxDataset) {
        taxCodes = Dictionary(dataset.netSuiteTaxCodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        currencies = Dictionary(dataset.currencies.map { ($0.netSuiteID, $0) }, uniquingKeysWith: { first, _ in first })
        subsidiaries = Dictionary(dataset.subsidiaries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        locations = Dictionary(dataset.locations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        shipMethods = Dictionary(
            dataset.carriers.map { ($0.netSuiteShipMethodID, $0.name) },
            uniquingKeysWith: { first, _ in first }
        )
        paymentMethods = Dictionary(
            dataset.paymentModules.map { ($0.netSuitePaymentMethodID, $0.label) },
            uniquingKeysWith: { first, _ in first }
        )
        priceLevels = Dictionary(dataset.priceLevels.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether a fixed-list reference id exists. Record references are checked against the store instead.
    func contains(_ target: ReferenceTarget, id: Int) -> Bool {
        switch target {
        case .record: false
        case .taxCode: taxCodes[id] != nil
        case .currency: currencies[id] != nil
        case .subsidiary: subsidiaries[id] != nil
        case .location: locations[id] != nil
        case .shipMethod: shipMethods[id] != nil
        case .paymentMethod: paymentMethods[id] != nil
        // `-1` is the custom price level.
        case .priceLevel: id == -1 || priceLevels[id] != nil
        }
    }

    /// The `refName` NetSuite shows for a fixed-list reference.
    func refName(_ target: ReferenceTarget, id: Int) -> String? {
        switch target {
        case .record: nil
        case .taxCode: taxCodes[id]?.name
        case .currency: currencies[id]?.isoCode
        case .subsidiary: subsidiaries[id]?.name
        case .location: locations[id]?.name
        case .shipMethod: shipMethods[id]
        case .paymentMethod: paymentMethods[id]
        case .priceLevel: id == -1 ? "Custom" : priceLevels[id]?.name
        }
    }

    func taxRate(taxCodeID: Int) -> Decimal? { taxCodes[taxCodeID]?.rate }
}
