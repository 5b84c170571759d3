import Logging

/// An OAuth 2.0 access token and how long it is valid.
struct AccessToken: Sendable, Equatable {
    var value: String
    var lifetime: Duration
}

/// Caches the OAuth 2.0 access token and renews it a margin before it expires.
///
/// Concurrent callers share a single renewal; a caller that got a 401 with a token invalidates exactly that token,
/// so several callers failing with the same stale token cause one renewal, not several.
actor AccessTokenCache {
    typealias Fetch = @Sendable (Logger) async throws -> AccessToken

    private struct Cached {
        var value: String
        var renewAt: ContinuousClock.Instant
    }

    private let fetch: Fetch
    private let margin: Duration
    private let clock = ContinuousClock()
    private var cached: Cached?
    private var renewal: (id: Int, task: Task<AccessToken, any Error>)?
    private var renewalCount = 0

    /// - Parameters:
    ///   - margin: renew this long before expiry (at most half the token's lifetime).
    ///   - fetch: obtains a new token from the token endpoint.
    init(margin: Duration, fetch: @escaping Fetch) {
        self.margin = margin
        self.fetch = fetch
    }

    /// A valid access token, renewed first if it is missing or about to expire.
    func token(logger: Logger) async throws -> String {
        if let cached, clock.now < cached.renewAt {
            return cached.value
        }
        let current: (id: Int, task: Task<AccessToken, any Error>)
        if let renewal {
            current = renewal
        } else {
            renewalCount += 1
            let fetch = self.fetch
            current = (renewalCount, Task { try await fetch(logger) })
            renewal = current
        }
        do {
            let token = try await current.task.value
            if renewal?.id == current.id {
                let effectiveMargin = min(margin, token.lifetime / 2)
                cached = Cached(value: token.value, renewAt: clock.now + token.lifetime - effectiveMargin)
                renewal = nil
            }
            return token.value
        } catch {
            if renewal?.id == current.id {
                renewal = nil
            }
            throw error
        }
    }

    /// Drops `token` if it is still the cached one (after NetSuite answered 401 to it).
    func invalidate(_ token: String) {
        if cached?.value == token {
            cached = nil
        }
    }

    /// How many renewals have been started (for tests and metrics).
    var renewals: Int { renewalCount }
}
