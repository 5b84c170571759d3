import FerryCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test(arguments: [
        (1, Duration.seconds(5)), (2, .seconds(30)), (3, .seconds(120)), (4, .seconds(600)),
    ])
    func orderSpecificFailuresFollowTheSchedule(attempt: Int, delay: Duration) {
        #expect(
            policy.decision(afterFailedAttempt: attempt, failure: .orderSpecific)
                == .retry(after: delay, attempt: attempt)
        )
    }

    @Test func theFifthFailedAttemptDeadLetters() {
        #expect(policy.maxAttempts == 5)
        #expect(policy.decision(afterFailedAttempt: 5, failure: .orderSpecific) == .deadLetter(attempts: 5))
        #expect(policy.decision(afterFailedAttempt: 9, failure: .orderSpecific) == .deadLetter(attempts: 9))
    }

    @Test func permanentFailuresDeadLetterAtOnce() {
        #expect(policy.decision(afterFailedAttempt: 1, failure: .permanent) == .deadLetter(attempts: 1))
    }

    @Test func systemicFailuresNeverSpendAnAttemptNorDeadLetter() {
        for attempt in 1...50 {
            #expect(
                policy.decision(afterFailedAttempt: attempt, failure: .systemic) == .holdForOutage(after: .seconds(5))
            )
        }
    }

    @Test(arguments: [
        ("5s,30s,2m,10m", [Duration.seconds(5), .seconds(30), .seconds(120), .seconds(600)]),
        ("100ms, 200ms", [.milliseconds(100), .milliseconds(200)]),
        ("1h", [.seconds(3600)]),
        ("0.5", [.milliseconds(500)]),
    ])
    func parsesSchedules(text: String, delays: [Duration]) throws {
        let parsed = try #require(RetryPolicy(schedule: text))
        #expect(parsed.delays == delays)
        #expect(parsed.maxAttempts == delays.count + 1)
    }

    @Test(arguments: ["", "5x", "-1s", "5s,,", "s"])
    func rejectsMalformedSchedules(text: String) {
        #expect(RetryPolicy(schedule: text) == nil)
    }
}

@Suite struct OutageDetectorTests {
    let t0 = ContinuousClock.now

    @Test func opensAfterThresholdAndResumesOnSuccessfulProbe() {
        var detector = OutageDetector(threshold: 3, initialProbeInterval: .seconds(1), maxProbeInterval: .seconds(8))
        let first = detector.recordFailure(.serverError, at: t0)
        let second = detector.recordFailure(.connection, at: t0)
        #expect(first == nil && second == nil)
        #expect(detector.isFetchingAllowed)
        let third = detector.recordFailure(.maintenance, at: t0)
        #expect(third == .pauseFetching)
        #expect(!detector.isFetchingAllowed)
        let early = detector.startProbeIfDue(at: t0 + .milliseconds(500))
        let due = detector.startProbeIfDue(at: t0 + .seconds(1))
        let again = detector.startProbeIfDue(at: t0 + .seconds(1))
        #expect(!early && due)
        #expect(!again, "one probe at a time")
        let resumed = detector.recordSuccess(at: t0 + .seconds(2))
        #expect(resumed == .resumeFetching)
        #expect(detector.isFetchingAllowed)
        #expect(detector.phase == .healthy)
    }

    @Test func failedProbesBackOffUpToTheCap() {
        var detector = OutageDetector(threshold: 1, initialProbeInterval: .seconds(1), maxProbeInterval: .seconds(4))
        _ = detector.recordFailure(.maintenance, at: t0)
        var now = t0
        var intervals: [Duration] = []
        for _ in 0..<5 {
            let due = detector.nextProbeAt!
            intervals.append(due - now)
            now = due
            let started = detector.startProbeIfDue(at: now)
            #expect(started)
            _ = detector.recordFailure(.maintenance, at: now)
        }
        #expect(intervals == [.seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
    }

    @Test func successResetsTheCountAndConcurrencyLimitsDoNotOpen() {
        var detector = OutageDetector(threshold: 2)
        _ = detector.recordFailure(.serverError, at: t0)
        let afterSuccess = detector.recordSuccess(at: t0)
        let afterOneMore = detector.recordFailure(.serverError, at: t0)
        #expect(afterSuccess == nil && afterOneMore == nil)
        for _ in 0..<10 {
            let action = detector.recordFailure(.concurrencyLimit, at: t0)
            #expect(action == nil)
        }
        #expect(detector.isFetchingAllowed)
    }
}
