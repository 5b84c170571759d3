import FerrySandboxData
import Foundation
import Logging
import ServiceLifecycle

/// Generator state and counters (`GET /_sandbox/stats`, `POST /_sandbox/generator`).
public struct OrderGeneratorStatus: Sendable, Codable, Equatable {
    public var running: Bool
    public var ratePerSecond: Double
    public var arrivals: PrestaShopSandboxConfiguration.GeneratorConfiguration.Arrivals
    /// Orders still to generate before stopping; nil for no limit.
    public var remaining: Int?
    /// Orders generated so far (by the timed loop and by `createOrders`).
    public var generated: Int
}

/// Customers placing orders: random customer, one of their addresses, 1–5 distinct SKUs, a payment module,
/// a carrier and a paid initial state, from a seeded generator.
actor OrderGenerator {
    private let publisher: OrderPublisher
    private let dataset: SandboxDataset
    private var configuration: PrestaShopSandboxConfiguration.GeneratorConfiguration
    private var running: Bool
    private var remaining: Int?
    private var random: SplitMix64
    private var generated = 0
    /// Bumped on every change of rate or running state, so the timing loop starts a new gap.
    private(set) var epoch = 0
    private let logger: Logger

    init(
        configuration: PrestaShopSandboxConfiguration.GeneratorConfiguration?,
        publisher: OrderPublisher,
        dataset: SandboxDataset,
        logger: Logger
    ) {
        let configuration = configuration ?? .init(autostart: false)
        self.configuration = configuration
        self.running = configuration.autostart && configuration.ratePerSecond > 0
        self.remaining = configuration.maxOrders
        self.random = SplitMix64(seed: configuration.seed)
        self.publisher = publisher
        self.dataset = dataset
        self.logger = logger
    }

    var status: OrderGeneratorStatus {
        OrderGeneratorStatus(
            running: running,
            ratePerSecond: configuration.ratePerSecond,
            arrivals: configuration.arrivals,
            remaining: remaining,
            generated: generated
        )
    }

    func update(
        running: Bool?,
        ratePerSecond: Double?,
        arrivals: PrestaShopSandboxConfiguration.GeneratorConfiguration.Arrivals?,
        maxOrders: Int??
    ) {
        if let ratePerSecond {
            configuration.ratePerSecond = ratePerSecond.isFinite ? min(max(0, ratePerSecond), 10_000) : 0
        }
        if let arrivals { configuration.arrivals = arrivals }
        if let maxOrders { remaining = maxOrders }
        if let running { self.running = running }
        epoch += 1
    }

    /// The gap before the next timed order, or nil when the generator is stopped.
    func nextGap() -> Duration? {
        guard running, configuration.ratePerSecond > 0 else { return nil }
        if let remaining, remaining <= 0 {
            running = false
            return nil
        }
        let mean = 1 / configuration.ratePerSecond
        switch configuration.arrivals {
        case .fixed:
            return .seconds(mean)
        case .poisson:
            let uniform = max(Double(random.next() >> 11) / Double(1 << 53), 1e-12)
            return .seconds(-log(uniform) * mean)
        }
    }

    /// One timed order; counts against `maxOrders`.
    func generateTimed() async {
        guard running else { return }
        if let remaining {
            guard remaining > 0 else { return }
            self.remaining = remaining - 1
        }
        _ = await generate()
    }

    /// Creates exactly `count` orders now, each with its webhook.
    func createOrders(_ count: Int) async -> [CreatedOrder] {
        var created: [CreatedOrder] = []
        for _ in 0..<max(count, 0) {
            if let order = await generate() { created.append(order) }
        }
        return created
    }

    private func generate() async -> CreatedOrder? {
        guard let spec = randomSpec() else {
            logger.warning("generator has no customers or products to order")
            return nil
        }
        do {
            let order = try await publisher.create(spec, sendWebhook: configuration.sendWebhooks)
            generated += 1
            return order
        } catch {
            logger.warning("generated order rejected", metadata: ["error.message": "\(error.message)"])
            return nil
        }
    }

    // MARK: - Choices

    func randomSpec() -> OrderSpec? {
        guard !dataset.customers.isEmpty, !dataset.skus.isEmpty, !dataset.carriers.isEmpty,
            !dataset.paymentModules.isEmpty
        else { return nil }
        let customer = dataset.customers[pick(dataset.customers.count)]
        let addressID = customer.addressIDs.isEmpty ? nil : customer.addressIDs[pick(customer.addressIDs.count)]
        let rowCount = min(1 + pick(5), dataset.skus.count)
        var skuIndexes: [Int] = []
        while skuIndexes.count < rowCount {
            let index = pick(dataset.skus.count)
            if !skuIndexes.contains(index) { skuIndexes.append(index) }
        }
        let rows = skuIndexes.map { index in
            let sku = dataset.skus[index]
            let roll = pick(10)
            return OrderSpec.Row(
                productID: sku.productID,
                attributeID: sku.combinationID,
                quantity: roll < 7 ? 1 : (roll < 9 ? 2 : 3)
            )
        }
        let state = weightedState()
        let module: String
        switch state {
        case 10: module = "ps_wirepayment"
        case 11: module = ["stripe_official", "paypal"][pick(2)]
        default: module = dataset.paymentModules[pick(dataset.paymentModules.count)].module
        }
        let carrier = dataset.carriers[pick(dataset.carriers.count)].id
        var rules: [Int] = []
        if uniform() < configuration.promotionShare, !dataset.cartRules.isEmpty {
            let roll = pick(10)
            // 10 % voucher, Black Friday 15 %, 10 € off, free shipping, or 10 % with free shipping.
            rules = roll < 4 ? [1] : roll < 6 ? [2] : roll < 8 ? [3] : roll < 9 ? [4] : [1, 4]
            rules = rules.filter { id in dataset.cartRules.contains { $0.id == id } }
        }
        return OrderSpec(
            customerID: customer.id,
            deliveryAddressID: addressID,
            invoiceAddressID: addressID,
            rows: rows,
            paymentModule: module,
            carrierID: carrier,
            stateID: state,
            cartRuleIDs: rules,
            giftWrapping: uniform() < configuration.wrappingShare,
            roundType: weighted(configuration.roundTypeWeights, otherwise: 2)
        )
    }

    private func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    private func weightedState() -> Int { weighted(configuration.stateWeights, otherwise: 2) }

    private func weighted(_ table: [Int: Double], otherwise: Int) -> Int {
        let weights = table.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        let total = weights.reduce(0) { $0 + $1.value }
        guard total > 0 else { return otherwise }
        var target = uniform() * total
        for (key, weight) in weights {
            if target < weight { return key }
            target -= weight
        }
        return weights.last?.key ?? otherwise
    }

    private func pick(_ count: Int) -> Int {
        Int(random.next() % UInt64(max(count, 1)))
    }
}

/// Places timed orders while the generator runs; stops on graceful shutdown.
struct OrderGeneratorService: Service {
    let generator: OrderGenerator

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var due: ContinuousClock.Instant?
            var epoch = -1
            while !Task.isCancelled {
                let currentEpoch = await generator.epoch
                if currentEpoch != epoch {
                    epoch = currentEpoch
                    due = await generator.nextGap().map { .now + $0 }
                }
                guard let nextDue = due else {
                    try? await Task.sleep(for: .milliseconds(20))
                    continue
                }
                let now = ContinuousClock.now
                guard now >= nextDue else {
                    try? await Task.sleep(for: min(nextDue - now, .milliseconds(20)))
                    continue
                }
                await generator.generateTimed()
                due = await generator.nextGap().map { gap in
                    // Keep the rate after a slow order, but do not burst to catch up more than a second.
                    max(nextDue + gap, ContinuousClock.now - .seconds(1))
                }
            }
        }
    }
}
