import Foundation
import Hummingbird
import Logging

/// Everything one running sandbox shares between its routes: the store, governance, faults and authentication.
final class NetSuiteSandbox: Sendable {
    let configuration: NetSuiteSandboxConfiguration
    let store: RecordStore
    let governor: ConcurrencyGovernor
    let injector: FaultInjector
    let tba: TBAVerifier
    let oauth2: OAuth2Service
    let jobs = AsyncJobs()
    let webhooks: WebhookEmitter
    let logger: Logger

    init(configuration: NetSuiteSandboxConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        store = RecordStore(dataset: configuration.dataset, clock: configuration.clock)
        governor = ConcurrencyGovernor(
            accountLimit: configuration.concurrencyLimit,
            integrationLimit: configuration.integrationConcurrencyLimit,
            otherIntegrationSlots: configuration.faults.otherIntegrationSlots
        )
        injector = FaultInjector(
            faults: configuration.faults,
            latency: configuration.latency,
            seed: configuration.randomSeed
        )
        tba = TBAVerifier(
            accountID: configuration.accountID,
            credentials: configuration.tbaCredentials,
            tolerance: configuration.tbaTimestampTolerance,
            clock: configuration.clock
        )
        webhooks = WebhookEmitter(
            webhook: configuration.webhook,
            seed: configuration.randomSeed,
            clock: configuration.clock,
            logger: logger
        )
        oauth2 = OAuth2Service(
            clients: configuration.oauth2Clients,
            tokenLifetime: configuration.accessTokenLifetime,
            clock: configuration.clock
        )
    }

    var now: Date { configuration.clock() }

    /// The faults in force, with the other integration's slots as the governor holds them.
    var faults: NetSuiteFaults {
        get {
            var faults = injector.faults
            faults.otherIntegrationSlots = governor.otherIntegrationSlots
            return faults
        }
        set {
            injector.faults = newValue
            governor.otherIntegrationSlots = newValue.otherIntegrationSlots
        }
    }

    /// `scheme://host[:port]` as the client sees the sandbox: the configured public base URL, else `http://` and the
    /// request's `Host`.
    func baseURL(for request: Request) -> String {
        if let configured = configuration.publicBaseURL {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        let authority = request.head.authority ?? "\(configuration.host)"
        return "http://\(authority)"
    }

    /// The base URI a TBA signature covers: base URL (scheme and host lower-cased) plus the request path, no query.
    func signatureBaseURI(for request: Request) -> String {
        let base = baseURL(for: request)
        guard let components = URLComponents(string: base), let scheme = components.scheme, let host = components.host
        else { return base + request.uri.path }
        let authority = components.port.map { "\(host):\($0)" } ?? host
        let prefix = components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path
        return TBASignature.baseURI(scheme: scheme, authority: authority, path: prefix + request.uri.path)
    }
}
