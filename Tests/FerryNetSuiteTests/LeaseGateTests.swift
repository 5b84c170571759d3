import FerryCore
import FerryNetSuite
import FerryNetSuiteSandbox
import FerryTestSupport
import Foundation
import InMemoryLogging
import Logging
import Synchronization
import Testing

/// An in-process lease with `slots` slots (FIFO), recording what the gate tells it.
final class RecordingLease: ConcurrencyLease {
    struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var inFlight = 0
        var maxInFlight = 0
        var feedback: [LeaseFeedback] = []
        var priorities: [LeasePriority] = []
    }

    let state: Mutex<State>

    init(slots: Int) { state = Mutex(State(free: slots)) }

    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    var feedback: [LeaseFeedback] { state.withLock { $0.feedback } }
    var priorities: [LeasePriority] { state.withLock { $0.priorities } }

    func withSlot<T: Sendable>(
        priority: LeasePriority,
        _ body: @Sendable (LeaseSlot) async throws -> T
    ) async throws
        -> T
    {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        let slot = state.withLock { state -> LeaseSlot in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            state.priorities.append(priority)
            return LeaseSlot(number: state.inFlight, token: Int64(state.priorities.count), priority: priority)
        }
        let result: Result<T, any Error>
        do { result = .success(try await body(slot)) } catch { result = .failure(error) }
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.inFlight -= 1
            let feedback: LeaseFeedback
            switch result {
            case .success: feedback = slot.reportedFeedback ?? .success
            case .failure: feedback = slot.reportedFeedback ?? .neutral
            }
            state.feedback.append(feedback)
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
        return try result.get()
    }
}

/// Starts a sandbox and a client whose requests go through `gate`.
func withGatedSandbox<T: Sendable>(
    _ sandboxConfiguration: NetSuiteSandboxConfiguration,
    gate: NetSuiteRequestGate,
    _ body: (NetSuiteSandboxServer, NetSuiteClient, Logger) async throws -> T
) async throws -> T {
    let quiet = Logger(label: "ferry.netsuite.sandbox.tests") { _ in SwiftLogNoOpLogHandler() }
    let server = try await NetSuiteSandboxServer.start(configuration: sandboxConfiguration, logger: quiet)
    let credential = sandboxConfiguration.tbaCredentials.first ?? .sandboxDefault
    let configuration = NetSuiteConfiguration(
        baseURL: server.baseURL,
        accountID: sandboxConfiguration.accountID,
        auth: .tba(
            consumerKey: credential.consumerKey,
            consumerSecret: credential.consumerSecret,
            tokenID: credential.tokenID,
            tokenSecret: credential.tokenSecret
        ),
        requestTimeout: .seconds(30),
        connectTimeout: .seconds(5)
    )
    let client: NetSuiteClient
    do {
        client = try NetSuiteClient(configuration: configuration, requestGate: gate)
    } catch {
        try await server.shutdown()
        throw error
    }
    do {
        let result = try await body(server, client, InMemoryLogHandler().logger())
        try await client.shutdown()
        try await server.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
}

@Suite struct LeaseGateTests {
    static let query = "SELECT id FROM customer WHERE id = 1"

    @Test func everyRequestHoldsASlotSoTheAccountNeverSeesMore() async throws {
        let lease = RecordingLease(slots: 3)
        let sandbox = NetSuiteSandboxConfiguration(latency: .fixed(.milliseconds(20)))
        try await withGatedSandbox(sandbox, gate: NetSuiteRequestGate(lease: lease)) { server, client, logger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<24 {
                    group.addTask { _ = try await client.suiteQL(Self.query, logger: logger) }
                }
                try await group.waitForAll()
            }
            let stats = server.statistics()
            #expect(stats.maxConcurrent <= 3 && stats.rejectedConcurrency == 0)
            #expect(stats.maxConcurrent >= 2, "requests did run side by side")
            #expect(lease.maxInFlight <= 3)
            #expect(lease.feedback == Array(repeating: .success, count: 24))
        }
    }

    @Test func aConcurrencyRejectionFeedsTheLeaseAndIsRetriedWithoutFailingTheCall() async throws {
        let lease = RecordingLease(slots: 4)
        let policy = LeasePolicy(concurrencyRetryDelay: .milliseconds(40))
        // Another integration holds the whole pool for a while.
        let sandbox = NetSuiteSandboxConfiguration(
            concurrencyLimit: 4,
            faults: NetSuiteFaults(otherIntegrationSlots: 4)
        )
        try await withGatedSandbox(sandbox, gate: NetSuiteRequestGate(lease: lease, policy: policy)) {
            server,
            client,
            logger in
            let calls = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 { group.addTask { _ = try await client.suiteQL(Self.query, logger: logger) } }
                    try await group.waitForAll()
                }
            }
            // Let every caller be refused at least once, then the other integration finishes.
            let deadline = ContinuousClock.now + .seconds(30)
            while server.statistics().rejectedConcurrency < 4, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            server.faults = NetSuiteFaults(otherIntegrationSlots: 0)
            try await calls.value
            #expect(server.statistics().rejectedConcurrency >= 4)
            #expect(lease.feedback.filter { $0 == .overloaded }.count >= 4)
            #expect(lease.feedback.filter { $0 == .success }.count == 4)
        }
    }

    @Test func afterTooManyRejectionsTheCallerSeesThe429() async throws {
        let lease = RecordingLease(slots: 2)
        let policy = LeasePolicy(concurrencyRetryDelay: .milliseconds(5), maxConcurrencyRetries: 2)
        let sandbox = NetSuiteSandboxConfiguration(
            concurrencyLimit: 2,
            faults: NetSuiteFaults(otherIntegrationSlots: 2)
        )
        try await withGatedSandbox(sandbox, gate: NetSuiteRequestGate(lease: lease, policy: policy)) {
            server,
            client,
            logger in
            await #expect {
                _ = try await client.suiteQL(Self.query, logger: logger)
            } throws: { error in
                (error as? NetSuiteError)?.kind == .concurrencyLimit
            }
            #expect(server.statistics().rejectedConcurrency == 3, "the first try and two retries")
            #expect(lease.feedback == [.overloaded, .overloaded, .overloaded])
        }
    }

    @Test func otherErrorAnswersCountAsSuccessForThePoolAndAreNotRetried() async throws {
        let lease = RecordingLease(slots: 2)
        try await withGatedSandbox(NetSuiteSandboxConfiguration(), gate: NetSuiteRequestGate(lease: lease)) {
            server,
            client,
            logger in
            await #expect(throws: NetSuiteError.self) {
                _ = try await client.suiteQL("SELECT FROM WHERE", logger: logger)
            }
            #expect(server.statistics().requestsTotal == 1)
            #expect(lease.feedback == [.success])
        }
    }

    @Test func requestsTakeThePriorityOfTheirTask() async throws {
        let lease = RecordingLease(slots: 2)
        try await withGatedSandbox(NetSuiteSandboxConfiguration(), gate: NetSuiteRequestGate(lease: lease)) {
            _,
            client,
            logger in
            _ = try await client.suiteQL(Self.query, logger: logger)
            try await LeasePriority.$current.withValue(.replay) {
                _ = try await client.suiteQL(Self.query, logger: logger)
            }
            #expect(lease.priorities == [.live, .replay])
        }
    }
}
