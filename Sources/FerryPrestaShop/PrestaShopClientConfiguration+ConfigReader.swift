import Configuration
import FerryConfiguration

extension PrestaShopClientConfiguration {
    /// Reads where the PrestaShop webservice is and its key.
    ///
    /// - Configuration keys:
    ///   - `FERRY_PRESTASHOP_URL` (string, required): the webservice's base URL (without `/api`)
    ///   - `FERRY_PRESTASHOP_KEY` (string, required, secret): the 32-character webservice key
    ///   - `FERRY_PRESTASHOP_TIMEOUT` (duration, default: `15s`): per-request timeout
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    /// - Throws: ``ConfigurationError`` naming a missing key or a value that is not a duration.
    public init(reader: ConfigReader) throws {
        self.init(
            baseURL: try reader.requiredString("FERRY_PRESTASHOP_URL"),
            apiKey: try reader.requiredString("FERRY_PRESTASHOP_KEY", isSecret: true),
            requestTimeout: try reader.duration("FERRY_PRESTASHOP_TIMEOUT", default: .seconds(15))
        )
    }
}
