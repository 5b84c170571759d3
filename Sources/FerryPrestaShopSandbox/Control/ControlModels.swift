import Foundation

/// Request and response bodies of the `/_sandbox/` control API. Keys are camelCase; snake_case is accepted.
enum ControlModels {
    struct GeneratorRequest: Decodable {
        var running: Bool?
        var ratePerSecond: Double?
        var arrivals: PrestaShopSandboxConfiguration.GeneratorConfiguration.Arrivals?
        /// Orders still to generate; a negative value removes the limit.
        var maxOrders: Int?
        /// Create exactly this many orders now (with webhooks), whatever `running` says.
        var createOrders: Int?
        var modes: PrestaShopSandboxConfiguration.DeliveryModes?
    }

    struct GeneratorResponse: Encodable {
        var generator: OrderGeneratorStatus
        var createdOrderIds: [Int]
        var modes: PrestaShopSandboxConfiguration.DeliveryModes?
    }

    struct WebhookRequest: Decodable {
        var url: String
        var secret: String
        var maxAttempts: Int?
        var timeoutMilliseconds: Int?
        var initialBackoffMilliseconds: Int?
        var maxBackoffMilliseconds: Int?
        var modes: PrestaShopSandboxConfiguration.DeliveryModes?
        var seed: UInt64?
        var signed: Bool?
    }

    struct OrderRequest: Decodable {
        struct Row: Decodable {
            var productId: Int
            var productAttributeId: Int?
            var quantity: Int?
            var unitPriceTaxExcl: FlexibleDecimal?
            var name: String?
            var reference: String?
            var taxRulesGroupId: Int?
        }

        var customerId: Int
        var addressId: Int?
        var invoiceAddressId: Int?
        var rows: [Row]
        var paymentModule: String?
        var carrierId: Int?
        var state: Int?
        var sendWebhook: Bool?
        /// `YYYY-MM-DD HH:MM:SS` in shop time.
        var date: String?
        /// Cart rule ids (see the dataset's cart rules).
        var cartRules: [Int]?
        var giftWrapping: Bool?
        /// 1 per item, 2 per line, 3 on the total.
        var roundType: Int?
    }

    struct OrderResponse: Encodable {
        var id: Int
        var reference: String
    }

    struct ProductRequest: Decodable {
        struct Combination: Decodable {
            var reference: String
            var priceImpact: FlexibleDecimal?
            var quantity: Int?
        }

        var name: String
        var price: FlexibleDecimal
        var reference: String?
        var ean13: String?
        var taxRulesGroupId: Int?
        var quantity: Int?
        var combinations: [Combination]?
    }

    struct ProductResponse: Encodable {
        var id: Int
        var combinationIds: [Int]
    }

    struct StatsResponse: Encodable {
        var ordersCreated: Int
        var generator: OrderGeneratorStatus
        var webhooks: WebhookStats
        var webhookConfigured: Bool
    }

    struct HistoryResponse: Encodable {
        struct Entry: Encodable {
            var id: Int
            var stateId: Int
            var employeeId: Int
            var date: String
        }

        struct Email: Encodable {
            var stateId: Int
            var template: String
            var date: String
        }

        struct Attempt: Encodable {
            var attempt: Int
            var status: Int?
            var error: String?
            var date: Date
        }

        var orderId: Int
        var currentState: Int
        var history: [Entry]
        var emails: [Email]
        var webhookAttempts: [Attempt]
    }

    struct ErrorResponse: Encodable {
        var error: String
    }
}

/// A decimal sent as a JSON string (`"12.50"`, exact) or number (`12.5`).
struct FlexibleDecimal: Decodable, Sendable {
    let value: Decimal

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value: Decimal
        if let text = try? container.decode(String.self), let parsed = DecimalFormat.parse(text) {
            value = parsed
        } else {
            let number = try container.decode(Double.self)
            value = Decimal(string: String(number)) ?? Decimal(number)
        }
        guard !value.isNaN, abs(value) < Decimal(sign: .plus, exponent: 14, significand: 1) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "amount out of range")
        }
        self.value = value
    }
}
