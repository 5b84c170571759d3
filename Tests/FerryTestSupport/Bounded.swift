import Foundation
import Synchronization

/// Runs a cleanup step for at most `limit`: one that hangs is left behind (and reported) instead of hanging the
/// test run.
public func bounded(_ what: String, _ limit: Duration, _ operation: @escaping @Sendable () async -> Void) async {
    let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let resumed = Mutex(false)
        let resume: @Sendable (Bool) -> Void = { value in
            if resumed.withLock({ done in
                defer { done = true }
                return !done
            }) {
                continuation.resume(returning: value)
            }
        }
        Task {
            await operation()
            resume(true)
        }
        Task {
            try? await Task.sleep(for: limit)
            resume(false)
        }
    }
    if !finished {
        FileHandle.standardError.write(
            Data("=== test cleanup: \(what) did not finish within \(limit); left behind\n".utf8)
        )
    }
}
