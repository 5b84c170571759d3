import Configuration
import FerryConfiguration
import Foundation

extension NetSuiteConfiguration {
    /// Reads the NetSuite account, how to reach it and how to sign in.
    ///
    /// - Configuration keys:
    ///   - `FERRY_NETSUITE_ACCOUNT` (string, required): account id, e.g. `1234567_SB1` (the TBA realm)
    ///   - `FERRY_NETSUITE_URL` (string, default: `https://` + ``accountHost(forAccountID:)``): any scheme, host and
    ///     port: the real service or a sandbox
    ///   - `FERRY_NETSUITE_AUTH` (string, default: `tba`): `tba` or `oauth2`
    ///   - with `tba`: `FERRY_NETSUITE_CONSUMER_KEY`, `FERRY_NETSUITE_CONSUMER_SECRET`, `FERRY_NETSUITE_TOKEN_ID`,
    ///     `FERRY_NETSUITE_TOKEN_SECRET` (strings, required, secret)
    ///   - with `oauth2`: `FERRY_NETSUITE_CLIENT_ID`, `FERRY_NETSUITE_CERTIFICATE_ID` (strings, required),
    ///     `FERRY_NETSUITE_PRIVATE_KEY_FILE` (string, optional: a PEM file) or else `FERRY_NETSUITE_PRIVATE_KEY`
    ///     (string, required, secret: the PEM itself), `FERRY_NETSUITE_JWT_ALGORITHM` (string, default: `PS256`; one
    ///     of PS256, PS384, PS512, ES256, ES384, ES512), `FERRY_NETSUITE_SCOPES` (comma-separated strings, default:
    ///     `rest_webservices`)
    ///   - `FERRY_NETSUITE_TIMEOUT` (duration, default: `30s`): per-request timeout
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    /// - Throws: ``ConfigurationError`` naming a missing key, an unreadable key file or a value Ferry cannot use.
    public init(reader: ConfigReader) throws {
        let account = try reader.requiredString("FERRY_NETSUITE_ACCOUNT")
        let url =
            reader.string("FERRY_NETSUITE_URL") ?? "https://" + NetSuiteConfiguration.accountHost(forAccountID: account)
        let auth: NetSuiteAuthentication
        switch reader.string("FERRY_NETSUITE_AUTH", default: "tba").lowercased() {
        case "tba":
            auth = .tba(
                consumerKey: try reader.requiredString("FERRY_NETSUITE_CONSUMER_KEY", isSecret: true),
                consumerSecret: try reader.requiredString("FERRY_NETSUITE_CONSUMER_SECRET", isSecret: true),
                tokenID: try reader.requiredString("FERRY_NETSUITE_TOKEN_ID", isSecret: true),
                tokenSecret: try reader.requiredString("FERRY_NETSUITE_TOKEN_SECRET", isSecret: true)
            )
        case "oauth2":
            let pem: String
            if let path = reader.string("FERRY_NETSUITE_PRIVATE_KEY_FILE") {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ConfigurationError("FERRY_NETSUITE_PRIVATE_KEY_FILE cannot be read")
                }
                pem = text
            } else {
                pem = try reader.requiredString("FERRY_NETSUITE_PRIVATE_KEY", isSecret: true)
            }
            let algorithmName = reader.string("FERRY_NETSUITE_JWT_ALGORITHM", default: "PS256")
            guard let algorithm = NetSuiteJWTAlgorithm(rawValue: algorithmName.uppercased()) else {
                throw ConfigurationError(
                    "FERRY_NETSUITE_JWT_ALGORITHM must be one of PS256, PS384, PS512, ES256, ES384, ES512"
                )
            }
            auth = .oauth2(
                clientID: try reader.requiredString("FERRY_NETSUITE_CLIENT_ID"),
                certificateID: try reader.requiredString("FERRY_NETSUITE_CERTIFICATE_ID"),
                privateKeyPEM: pem,
                algorithm: algorithm,
                scopes: reader.string("FERRY_NETSUITE_SCOPES", default: "rest_webservices").split(separator: ",")
                    .map(String.init)
            )
        case let other:
            throw ConfigurationError("FERRY_NETSUITE_AUTH must be tba or oauth2, found '\(other)'")
        }
        self.init(
            baseURL: url,
            accountID: account,
            auth: auth,
            requestTimeout: try reader.duration("FERRY_NETSUITE_TIMEOUT", default: .seconds(30))
        )
    }
}
