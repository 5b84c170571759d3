import Configuration
import FerryConfiguration

/// The credentials `ferry sim` accepts besides the sandboxes' defaults: the ones the workers and gateways are
/// configured with, so that both sides read one environment (`ferry dev`, `scripts/dev.sh`).
struct SandboxCredentials: Sendable {
    struct TBA: Sendable {
        var consumerKey: String
        var consumerSecret: String
        var tokenID: String
        var tokenSecret: String
    }

    /// Accepted by the NetSuite sandbox.
    var netSuiteTBA: TBA?
    /// Accepted by the PrestaShop sandbox's webservice.
    var prestaShopKey: String?
    /// What the PrestaShop sandbox signs webhooks with.
    var webhookSecret: String?

    /// Reads the credentials.
    ///
    /// - Configuration keys:
    ///   - `FERRY_NETSUITE_CONSUMER_KEY`, `FERRY_NETSUITE_CONSUMER_SECRET`, `FERRY_NETSUITE_TOKEN_ID`,
    ///     `FERRY_NETSUITE_TOKEN_SECRET` (strings, optional, secret): a TBA credential, used when all four are set
    ///   - `FERRY_PRESTASHOP_KEY` (string, optional, secret): a webservice key
    ///   - `FERRY_WEBHOOK_SECRET` (comma-separated strings, optional, secret): the first one signs webhooks
    init(reader: ConfigReader) {
        if let key = reader.string("FERRY_NETSUITE_CONSUMER_KEY", isSecret: true),
            let secret = reader.string("FERRY_NETSUITE_CONSUMER_SECRET", isSecret: true),
            let token = reader.string("FERRY_NETSUITE_TOKEN_ID", isSecret: true),
            let tokenSecret = reader.string("FERRY_NETSUITE_TOKEN_SECRET", isSecret: true)
        {
            netSuiteTBA = TBA(consumerKey: key, consumerSecret: secret, tokenID: token, tokenSecret: tokenSecret)
        }
        prestaShopKey = reader.string("FERRY_PRESTASHOP_KEY", isSecret: true)
        webhookSecret = reader.string("FERRY_WEBHOOK_SECRET", isSecret: true)?.split(separator: ",").first
            .map(String.init)
    }
}
