import Foundation

/// A small elastic pool of dedicated threads for the blocking libnats calls.
///
/// libnats blocks on network I/O (a fetch blocks for its whole timeout), so its calls must never run on Swift's
/// cooperative pool (2 threads on a 2-core machine). Each submitted job runs on an idle pool thread; when none is idle
/// a new thread is started (up to `maximumThreads`), so a fetch blocking for seconds never delays a publish.
/// Threads that stay idle for `idleTimeout` exit.
final class NATSThreadPool: @unchecked Sendable {
    /// The process-wide pool used by every FerryNATS object.
    static let shared = NATSThreadPool(maximumThreads: 128, idleTimeout: 30)

    private let condition = NSCondition()
    private let maximumThreads: Int
    private let idleTimeout: TimeInterval
    // All below are guarded by `condition`.
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0
    private var idleThreads = 0
    private var threadCount = 0
    private var threadSerial = 0

    init(maximumThreads: Int, idleTimeout: TimeInterval) {
        self.maximumThreads = max(1, maximumThreads)
        self.idleTimeout = idleTimeout
    }

    /// Runs `body` on a pool thread and returns its result to the calling task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// Queues `job` for a pool thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        let pending = jobs.count - head
        var spawn = false
        if pending > idleThreads, threadCount < maximumThreads {
            threadCount += 1
            threadSerial += 1
            spawn = true
        } else {
            condition.signal()
        }
        let serial = threadSerial
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in
                self.workerLoop()
            }
            thread.name = "ferry-nats-\(serial)"
            thread.start()
        }
    }

    private func workerLoop() {
        while true {
            condition.lock()
            while head == jobs.count {
                idleThreads += 1
                let signalled = condition.wait(until: Date(timeIntervalSinceNow: idleTimeout))
                idleThreads -= 1
                if !signalled, head == jobs.count {
                    threadCount -= 1
                    condition.unlock()
                    return
                }
            }
            let job = jobs[head]
            jobs[head] = nil
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job?()
        }
    }
}
