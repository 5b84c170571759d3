import FerryTestSupport
import Foundation
import PropertyBased
import Testing

@testable import FerryPrestaShop

/// The validator against generated bodies (``WebhookBodyCases``): valid orders priced as PrestaShop prices them in
/// every rounding setting, and mutations of them whose verdict the generator knows. The validator must accept
/// exactly the valid ones, and never crash on the others (random bytes, JSON nested 100,000 deep, huge numbers).
@Suite("PrestaShopOrder validation, property-based")
struct PrestaShopOrderPropertyTests {
    static let cases = Generator { rng in WebhookBodyCases.random(using: &rng) }
    static let validOrders = Generator { rng in WebhookBodyCases.validModel(using: &rng) }

    @Test func acceptsExactlyTheValidBodies() async {
        await propertyCheck(count: 2000, input: Self.cases) { body in
            let verdict: String
            do {
                _ = try PrestaShopOrder.validated(from: body.body)
                verdict = "accepted"
            } catch {
                verdict = "\(error)"
            }
            #expect((verdict == "accepted") == body.isValid, "\(verdict) ← \(body)")
        }
    }

    @Test func everyGeneratedShopOrderIsValidAndAddsUp() async {
        await propertyCheck(count: 500, input: Self.validOrders) { model in
            do {
                let order = try PrestaShopOrder.validated(from: model.body)
                #expect(order.totalPaidTaxIncl == model.totals.paidTaxIncl)
            } catch {
                Issue.record("\(error) ← \(String(decoding: model.body, as: UTF8.self))")
            }
        }
    }
}
