import FerryCore
import Testing

/// What becomes of a message after an attempt: every failure class × circuit state × attempt.
@Suite struct MessageDispositionTests {
    static let policy = RetryPolicy(
        delays: [.seconds(5), .seconds(30), .seconds(120), .seconds(600)],
        outageHoldDelay: .seconds(5)
    )

    static func machine(circuitOpen: Bool) -> MessageDisposition {
        var machine = MessageDisposition(
            retryPolicy: policy,
            concurrencyRetryDelay: .milliseconds(250),
            writeBackRetryDelay: .seconds(10),
            detector: OutageDetector(threshold: 3, initialProbeInterval: .seconds(1), maxProbeInterval: .seconds(30))
        )
        if circuitOpen {
            let now = ContinuousClock.now
            for _ in 0..<3 {
                _ = machine.attemptFinished(.failed(.init(.systemic, netSuiteTrouble: .serverError)), at: now)
            }
            #expect(!machine.isFetchingAllowed)
        }
        return machine
    }

    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case submitted, duplicate, writeBackPending
        case orderSpecificAnsweredByNetSuite, orderSpecificElsewhere, permanent
        case concurrencyLimit, serverError, maintenance, timeout, connection, overload, database

        var testDescription: String { rawValue }

        var result: MessageDisposition.AttemptResult {
            switch self {
            case .submitted: .completed(newlyRecorded: true)
            case .duplicate: .completed(newlyRecorded: false)
            case .writeBackPending: .writeBackPending
            case .orderSpecificAnsweredByNetSuite: .failed(.init(.orderSpecific, netSuiteAnswered: true))
            case .orderSpecificElsewhere: .failed(.init(.orderSpecific))
            case .permanent: .failed(.init(.permanent))
            case .concurrencyLimit:
                .failed(.init(.systemic, netSuiteTrouble: .concurrencyLimit, netSuiteAnswered: true))
            case .serverError: .failed(.init(.systemic, netSuiteTrouble: .serverError))
            case .maintenance: .failed(.init(.systemic, netSuiteTrouble: .maintenance))
            case .timeout: .failed(.init(.systemic, netSuiteTrouble: .timeout))
            case .connection: .failed(.init(.systemic, netSuiteTrouble: .connection))
            case .overload: .failed(.init(.systemic, netSuiteTrouble: .overload))
            case .database: .failed(.init(.systemic))
            }
        }
    }

    @Test(arguments: Case.allCases, [false, true])
    func decision(_ kind: Case, circuitOpen: Bool) {
        var machine = Self.machine(circuitOpen: circuitOpen)
        let decision = machine.attemptFinished(kind.result, at: .now)
        switch kind {
        case .submitted:
            #expect(decision == .init(.ack(.submitted), circuit: circuitOpen ? .closed : nil))
        case .duplicate:
            #expect(decision == .init(.ack(.duplicate), circuit: circuitOpen ? .closed : nil))
        case .writeBackPending:
            #expect(decision == .init(.retryWriteBack(after: .seconds(10)), circuit: circuitOpen ? .closed : nil))
        case .orderSpecificAnsweredByNetSuite:
            // NetSuite answered: it is up, whatever this order's problem.
            #expect(decision == .init(.countAttempt, circuit: circuitOpen ? .closed : nil))
        case .orderSpecificElsewhere, .permanent:
            #expect(decision == .init(.countAttempt, circuit: nil))
        case .concurrencyLimit:
            // Never opens the circuit (others share the pool), never spends an attempt.
            #expect(decision == .init(.hold(after: .milliseconds(250), reason: .concurrencyLimit), circuit: nil))
        case .database:
            #expect(decision == .init(.hold(after: .seconds(5), reason: .unavailable), circuit: nil))
        case .serverError, .maintenance, .timeout, .connection, .overload:
            #expect(decision.action == .hold(after: .seconds(5), reason: .unavailable))
            #expect(decision.circuit == nil, "one failure opens nothing; an open circuit stays open")
        }
        #expect(machine.isFetchingAllowed == (circuitOpen ? decision.circuit == .closed : true))
    }

    @Test(arguments: [SystemicFailure.serverError, .maintenance, .timeout, .connection, .overload])
    func theThirdNetSuiteFailureInARowOpensTheCircuit(_ trouble: SystemicFailure) {
        var machine = Self.machine(circuitOpen: false)
        let failure = MessageDisposition.AttemptResult.failed(.init(.systemic, netSuiteTrouble: trouble))
        #expect(machine.attemptFinished(failure, at: .now).circuit == nil)
        #expect(machine.attemptFinished(failure, at: .now).circuit == nil)
        #expect(machine.attemptFinished(failure, at: .now).circuit == .opened)
        #expect(!machine.isFetchingAllowed)
    }

    @Test(arguments: 1...7, [FailureClass.orderSpecific, .permanent])
    func countedAttempts(attempt: Int, failure: FailureClass) {
        let machine = Self.machine(circuitOpen: false)
        let action = machine.attemptCounted(attempt, failure: failure)
        if failure == .permanent {
            #expect(action == .deadLetter(reason: .permanentFailure, attempts: attempt))
        } else if attempt >= 5 {
            #expect(action == .deadLetter(reason: .attemptsExhausted, attempts: attempt))
        } else {
            #expect(action == .retry(after: Self.policy.delays[attempt - 1], attempt: attempt))
        }
    }

    @Test func anAttemptTheDatabaseCouldNotCountIsHeld() {
        #expect(
            Self.machine(circuitOpen: false).attemptCounted(nil, failure: .orderSpecific) == .hold(after: .seconds(5))
        )
    }

    @Test func probesCloseTheCircuitOrBackOff() {
        var machine = Self.machine(circuitOpen: true)
        let later = ContinuousClock.now + .seconds(2)
        let first = machine.startProbeIfDue(at: later)
        #expect(first)
        let failed = machine.probeFinished(.connection, at: later)
        #expect(failed == nil)
        let tooEarly = machine.startProbeIfDue(at: later + .seconds(1))
        #expect(!tooEarly, "the next probe waits twice as long")
        let due = machine.startProbeIfDue(at: later + .seconds(2))
        #expect(due)
        let answered = machine.probeFinished(nil, at: later + .seconds(2))
        #expect(answered == .closed)
        #expect(machine.isFetchingAllowed)
    }
}
