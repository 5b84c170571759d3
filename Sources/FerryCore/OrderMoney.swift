import Foundation

/// How a PrestaShop order's money becomes NetSuite lines whose total is the shop's total to the cent.
///
/// NetSuite computes tax itself, from each line's tax code: `tax = round2(amount × rate)` per line (shipping likewise
/// from the shipping tax code), `total = Σ amounts + Σ taxes + shipping + shipping tax`. PrestaShop computes the same
/// money its own way (`round_type`: per item, per line or on the total), so Ferry:
///
/// 1. sends product lines at their tax-excluded unit price with their tax code;
/// 2. turns each cart rule into discount lines, one per tax code of the order's products, the rule's tax-excluded
///    value split in proportion to those products' tax-excluded amounts — the split PrestaShop itself records per
///    order detail (`OrderDetail::saveTaxCalculator`), so each rate's discount carries that rate's tax; the part of a
///    free-shipping rule that pays the shipping lowers the shipping cost instead;
/// 3. sends shipping tax-excluded with the shipping tax code, and gift wrapping as a line of the mapped item;
/// 4. computes NetSuite's total from the tax codes' rates. What is left to the shop's `total_paid_tax_incl` is
///    rounding — at most half a cent per unit and per line (``roundingTolerance(for:)``) — and becomes one rounding
///    line of a non-taxable mapped item, so the sales order's total equals what the customer paid. Anything larger is
///    not rounding: the order is refused as a `total_mismatch` before NetSuite sees it.
public enum OrderMoney {
    /// A line NetSuite taxes: the tax-excluded amount and the rate of its tax code (nil: untaxed).
    public struct TaxedAmount: Sendable, Equatable {
        public var amount: Decimal
        public var ratePercent: Decimal?
        public init(amount: Decimal, ratePercent: Decimal?) {
            self.amount = amount
            self.ratePercent = ratePercent
        }

        /// NetSuite's tax for this line: rounded to cents per line.
        public var tax: Decimal {
            guard let ratePercent else { return 0 }
            return (amount * ratePercent / 100).moneyRounded()
        }

        public var total: Decimal { amount + tax }
    }

    /// NetSuite's total of a transaction made of these taxed amounts.
    public static func netSuiteTotal(_ parts: [TaxedAmount]) -> Decimal {
        parts.reduce(0) { $0 + $1.total }
    }

    /// Splits `amount` (cents) over `weights` in proportion, to the cent, the remainder cents going to the largest
    /// fractional parts (ties to the first). The parts add up to `amount` exactly.
    public static func split(_ amount: Decimal, weights: [Decimal]) -> [Decimal] {
        let total = weights.reduce(0, +)
        guard !weights.isEmpty else { return [] }
        guard total > 0 else { return [amount] + Array(repeating: 0, count: weights.count - 1) }
        let cents = (amount * 100).moneyRounded(0)
        var parts: [Decimal] = []
        var fractions: [(index: Int, fraction: Decimal)] = []
        for (index, weight) in weights.enumerated() {
            let exact = cents * weight / total
            let whole = exact.moneyRounded(0, .down)
            parts.append(whole)
            fractions.append((index, exact - whole))
        }
        var left = cents - parts.reduce(0, +)
        let order = fractions.sorted {
            $0.fraction > $1.fraction || ($0.fraction == $1.fraction && $0.index < $1.index)
        }
        var cursor = 0
        while left > 0, !order.isEmpty {
            parts[order[cursor % order.count].index] += 1
            left -= 1
            cursor += 1
        }
        return parts.map { $0 / 100 }
    }

    /// How far PrestaShop's rounding can take its total from NetSuite's: half a cent per unit (round per item), per
    /// line, per discount line and for shipping and wrapping, plus one cent. Beyond it the amounts disagree.
    public static func roundingTolerance(units: Int, lines: Int) -> Decimal {
        (Decimal(units + lines + 2) * Decimal(string: "0.005")! + Decimal(string: "0.01")!).moneyRounded()
    }
}

extension Decimal {
    /// Rounded to `scale` decimals, half away from zero (PrestaShop's `PS_ROUND_HALF_UP`, NetSuite's money rounding).
    func moneyRounded(_ scale: Int = 2, _ mode: NSDecimalNumber.RoundingMode = .plain) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, mode)
        return result
    }
}
