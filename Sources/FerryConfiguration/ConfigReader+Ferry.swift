import Configuration
import FerryCore
import Foundation

/// A configuration value Ferry cannot use. The description names the key and never contains a secret value.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = "configuration: " + description }
}

extension EnvironmentVariablesProvider {
    /// The provider of ``ConfigReader/ferryEnvironment(_:)``: `environment`, with Ferry's secrets marked secret.
    public static func ferry(_ environment: [String: String]) -> EnvironmentVariablesProvider {
        EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .dynamic { key, _ in isFerrySecret(key) }
        )
    }

    /// Whether the value of the environment variable `key` is a secret (see ``ConfigReader/ferryEnvironment(_:)``).
    public static func isFerrySecret(_ key: String) -> Bool {
        key == "FERRY_DATABASE_URL" || ["_SECRET", "_KEY", "_TOKEN_ID", "_PRIVATE_KEY"].contains { key.hasSuffix($0) }
    }
}

extension ConfigReader {
    /// Ferry's configuration: the process's environment variables (or `environment`), read through swift-configuration.
    ///
    /// Ferry's keys are the variables' names themselves (`FERRY_ACK_WAIT`, not `ferry.ack.wait`), so that a key in
    /// a doc comment, the README and a Kubernetes ConfigMap is one string. Values of variables whose names end in
    /// `_SECRET`, `_KEY`, `_TOKEN_ID` or `_PRIVATE_KEY`, and `FERRY_DATABASE_URL` (it may hold a password), are secret:
    /// the provider redacts them in its descriptions and access reports.
    public static func ferryEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConfigReader {
        ConfigReader(provider: EnvironmentVariablesProvider.ferry(environment))
    }

    // Ferry's readers. Unlike `string(forKey:default:)` and its siblings, which fall back to the default when a value
    // does not convert, these treat an empty value as unset and throw a ``ConfigurationError`` naming the key for a
    // value they cannot parse, so a typo fails at start-up instead of running with a default.

    /// The value of `key`, or `nil` when it is unset or empty.
    public func string(_ key: String, isSecret: Bool = false, fileID: String = #fileID, line: UInt = #line) -> String? {
        let value = string(forKey: ConfigKey([key]), isSecret: isSecret, fileID: fileID, line: line)
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// The value of `key`, or `defaultValue` when it is unset or empty.
    public func string(
        _ key: String,
        default defaultValue: String,
        isSecret: Bool = false,
        fileID: String = #fileID,
        line: UInt = #line
    ) -> String {
        string(key, isSecret: isSecret, fileID: fileID, line: line) ?? defaultValue
    }

    /// The value of `key`.
    /// - Throws: ``ConfigurationError`` when it is unset or empty.
    public func requiredString(
        _ key: String,
        isSecret: Bool = false,
        fileID: String = #fileID,
        line: UInt = #line
    ) throws -> String {
        guard let value = string(key, isSecret: isSecret, fileID: fileID, line: line) else {
            throw ConfigurationError("\(key) is required")
        }
        return value
    }

    /// The integer value of `key`, or `defaultValue` when it is unset or empty.
    /// - Throws: ``ConfigurationError`` when the value is not an integer.
    public func int(
        _ key: String,
        default defaultValue: Int,
        fileID: String = #fileID,
        line: UInt = #line
    ) throws -> Int {
        guard let raw = string(key, fileID: fileID, line: line) else { return defaultValue }
        guard let value = Int(raw) else { throw ConfigurationError("\(key) must be an integer, found '\(raw)'") }
        return value
    }

    /// The duration value of `key` (`500ms`, `5s`, `2m`, `1h`; see `parseDuration`), or `defaultValue` when it is
    /// unset or empty.
    /// - Throws: ``ConfigurationError`` when the value is not a duration.
    public func duration(
        _ key: String,
        default defaultValue: Duration,
        fileID: String = #fileID,
        line: UInt = #line
    ) throws -> Duration {
        guard let raw = string(key, fileID: fileID, line: line) else { return defaultValue }
        guard let value = parseDuration(raw) else {
            throw ConfigurationError("\(key) must be a duration like 500ms, 5s or 2m, found '\(raw)'")
        }
        return value
    }
}
