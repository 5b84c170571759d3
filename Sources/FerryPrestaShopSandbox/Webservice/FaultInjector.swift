import FerrySandboxData
import Synchronization

/// The faults currently switched on, and the seeded dice that decide when a probabilistic fault fires.
final class FaultInjector: Sendable {
    private let state: Mutex<(faults: PrestaShopSandboxFaults, random: SplitMix64)>

    init(_ faults: PrestaShopSandboxFaults, seed: UInt64 = 99) {
        state = Mutex((faults, SplitMix64(seed: seed)))
    }

    var faults: PrestaShopSandboxFaults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    /// True with `probability` (0…1).
    func roll(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        guard probability < 1 else { return true }
        return state.withLock { state in
            Double(state.random.next() >> 11) / Double(1 << 53) < probability
        }
    }
}
