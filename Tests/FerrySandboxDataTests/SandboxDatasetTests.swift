import Foundation
import Testing

@testable import FerrySandboxData

@Suite struct SandboxDatasetTests {
    let world = SandboxDataset.standard

    @Test func sameSeedSameWorld() {
        let a = SandboxDataset.generate(seed: 7, productCount: 300, customerCount: 100)
        let b = SandboxDataset.generate(seed: 7, productCount: 300, customerCount: 100)
        let c = SandboxDataset.generate(seed: 8, productCount: 300, customerCount: 100)
        #expect(a.skus == b.skus)
        #expect(a.customers == b.customers)
        #expect(a.inventory == b.inventory)
        #expect(a.skus != c.skus)
    }

    @Test func catalogueIsAboutFifteenThousandSKUsWithCombinations() {
        #expect((13_000...17_000).contains(world.skus.count))
        let withCombinations = world.products.filter { !$0.combinationIDs.isEmpty }
        #expect(withCombinations.count > world.products.count / 4)
        #expect(Set(world.skus.map(\.reference)).count == world.skus.count, "SKU references are unique")
        #expect(Set(world.skus.map(\.netSuiteItemID)).count == world.skus.count, "NetSuite item ids are unique")
        for sku in world.skus.prefix(500) {
            #expect(sku.ean13.count == 13)
            #expect(isValidEAN13(sku.ean13))
        }
    }

    @Test func customersLiveInAtLeastEightEUCountriesWithRealVAT() {
        let countriesUsed = Set(world.addresses.map(\.countryID))
        #expect(countriesUsed.count >= 8)
        #expect(world.country(iso: "FR")?.vatRates[1] == 20)
        #expect(world.country(iso: "DE")?.vatRates[1] == 19)
        #expect(world.country(iso: "SE")?.vatRates[1] == 25)
        #expect(world.country(iso: "IE")?.vatRates[2] == Decimal(string: "13.5"))
        #expect(Set(world.currencies.map(\.isoCode)).isSuperset(of: ["EUR", "PLN", "SEK"]))
        let customerIDs = Set(world.customers.map(\.id))
        #expect(world.addresses.allSatisfy { customerIDs.contains($0.customerID) })
        #expect(Set(world.customers.map(\.email)).count == world.customers.count, "emails are unique")
        let inNetSuite = world.customers.filter { $0.netSuiteID != nil }.count
        #expect(inNetSuite > 0 && inNetSuite < world.customers.count, "some customers exist in NetSuite, some do not")
    }

    @Test func everyCountryAndCategoryHasATaxRuleAndANetSuiteTaxCode() {
        for country in world.countries {
            for category in world.taxCategories {
                let rule = world.taxRules.first { $0.countryID == country.id && $0.taxRulesGroupID == category.id }
                let tax = rule.flatMap { r in world.taxes.first { $0.id == r.taxID } }
                #expect(tax?.rate == country.vatRates[category.id])
                let code = world.taxCode(countryISO: country.isoCode, taxCategoryID: category.id, subsidiaryID: 1)
                #expect(code?.rate == country.vatRates[category.id])
            }
        }
    }

    @Test func inventoryAndPricingCoverEverySKU() {
        let stocked = Set(world.inventory.map(\.itemID))
        let priced = Set(world.pricing.map(\.itemID))
        for sku in world.skus {
            #expect(stocked.contains(sku.netSuiteItemID))
            #expect(priced.contains(sku.netSuiteItemID))
        }
        #expect(world.inventory.allSatisfy { $0.quantityOnHand >= 0 })
    }

    @Test(arguments: SandboxDataset.MappingKind.allCases)
    func mappingFilesHaveAHeaderAndOneRowPerEntry(kind: SandboxDataset.MappingKind) {
        let lines = world.mappingCSV(kind).split(separator: "\n")
        let expectedRows: Int
        switch kind {
        case .products: expectedRows = world.skus.count
        case .taxCodes: expectedRows = world.netSuiteTaxCodes.count
        case .currencies: expectedRows = world.currencies.count
        case .paymentMethods: expectedRows = world.paymentModules.count
        case .carriers: expectedRows = world.carriers.count
        case .shops: expectedRows = 1
        case .discounts, .orderItems: expectedRows = 2
        }
        #expect(lines.count == expectedRows + 1)
        let columns = lines[0].split(separator: ",").count
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == columns })
    }

    private func isValidEAN13(_ code: String) -> Bool {
        let digits = code.compactMap(\.wholeNumberValue)
        guard digits.count == 13 else { return false }
        let sum = digits.prefix(12).enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10 == digits[12]
    }
}
