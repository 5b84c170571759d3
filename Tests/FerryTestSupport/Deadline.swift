import Foundation
import Synchronization

/// What ``withDeadline(_:_:)`` throws when the operation did not finish in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "did not finish within \(limit)" }
}

/// The result of `operation`, or ``DeadlineExceeded`` after `limit`: an operation that hangs (and ignores
/// cancellation) is left behind instead of hanging the test.
public func withDeadline<T: Sendable>(
    _ limit: Duration,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let resumed = Mutex(false)
        let resume: @Sendable (Result<T, any Error>) -> Void = { result in
            if resumed.withLock({ done in
                defer { done = true }
                return !done
            }) {
                continuation.resume(with: result)
            }
        }
        let work = Task {
            do {
                resume(.success(try await operation()))
            } catch {
                resume(.failure(error))
            }
        }
        let timer = Task {
            try await Task.sleep(for: limit)
            resume(.failure(DeadlineExceeded(limit: limit)))
            work.cancel()
        }
        Task {
            _ = await work.result
            timer.cancel()
        }
    }
}
