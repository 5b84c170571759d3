import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `nats-server -js` in a temporary store directory, for one test.
///
/// The first start picks a free port (`-p -1`) and reads it from the log; ``restart()`` starts again on the same port
/// and store directory. Use ``withNATSServer(_:)`` so the server is stopped and its directory removed even when the
/// test fails; `deinit` SIGKILLs a server that is still running as a last resort.
public final class NATSServerProcess: @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public let storeDirectory: URL
    fileprivate let lock = NSLock()
    private var process: Process?
    fileprivate var fixedPort: Int?
    private var starts = 0

    private init(storeDirectory: URL) {
        self.storeDirectory = storeDirectory
    }

    deinit {
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: storeDirectory)
    }

    /// The client port.
    public var port: Int {
        lock.withLock { fixedPort ?? 0 }
    }

    /// `nats://127.0.0.1:<port>`.
    public var url: String { "nats://127.0.0.1:\(port)" }

    /// Starts a server on a free port in a new temporary store directory.
    public static func start() async throws -> NATSServerProcess {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-nats-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = NATSServerProcess(storeDirectory: directory)
        // Ports below the kernel's ephemeral range (32768+), so a restart on the same port cannot find it taken
        // by some other connection's source port; another picked port is tried when one is in use.
        var lastError: (any Error)?
        for _ in 0..<10 {
            server.lock.withLock { server.fixedPort = Int.random(in: 20_000..<32_700) }
            do {
                try await server.launch()
                return server
            } catch let error as StartError where error.description.contains("address already in use") {
                lastError = error
            } catch {
                server.cleanUp()
                throw error
            }
        }
        server.cleanUp()
        throw lastError ?? StartError(description: "no free port for nats-server")
    }

    /// Stops the server with SIGTERM (a clean shutdown) and waits until it exited.
    public func stop() async {
        await signal(SIGTERM)
    }

    /// Kills the server with SIGKILL (no shutdown at all) and waits until it exited.
    public func kill() async {
        await signal(SIGKILL)
    }

    /// Starts the server again on the same port and store directory.
    public func restart() async throws {
        await stop()
        // The port was just released; give the kernel a moment if a late socket still holds it.
        for attempt in 1...20 {
            do {
                try await launch()
                return
            } catch let error as StartError where error.description.contains("address already in use") && attempt < 20 {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Kills the server if it runs and removes the store directory.
    public func cleanUp() {
        let running = lock.withLock { process }
        if let running, running.isRunning {
            Glibc.kill(running.processIdentifier, SIGKILL)
            running.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: storeDirectory)
    }

    private func signal(_ signal: Int32) async {
        guard let running = lock.withLock({ process }), running.isRunning else { return }
        Glibc.kill(running.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(10)
        while running.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if running.isRunning {
            Glibc.kill(running.processIdentifier, SIGKILL)
            running.waitUntilExit()
        }
    }

    private func launch() async throws {
        let (portArgument, logURL) = lock.withLock { () -> (String, URL) in
            starts += 1
            let log = storeDirectory.appendingPathComponent("server-\(starts).log")
            return (fixedPort.map(String.init) ?? "-1", log)
        }
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: logURL)
        defer { try? logHandle.close() }

        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = [
            "-js", "-a", "127.0.0.1", "-p", portArgument,
            "-sd", storeDirectory.appendingPathComponent("store").path,
        ]
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        lock.withLock { self.process = process }

        // Ready when JetStream started and the client listener is up ("Server is ready" comes after both).
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if log.contains("Starting JetStream"), log.contains("Server is ready"),
                let port = Self.listeningPort(in: log)
            {
                lock.withLock { fixedPort = port }
                return
            }
            if !process.isRunning {
                throw StartError(description: "nats-server exited during start-up:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        throw StartError(description: "nats-server did not become ready:\n\(log)")
    }

    private static func listeningPort(in log: String) -> Int? {
        let marker = "Listening for client connections on "
        guard let range = log.range(of: marker) else { return nil }
        let rest = log[range.upperBound...].prefix { !$0.isNewline }
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    private static func binary() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates =
            path.split(separator: ":").map { "\($0)/nats-server" } + [
                "/usr/sbin/nats-server", "/usr/bin/nats-server",
            ]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return URL(fileURLWithPath: candidate)
        }
        throw StartError(description: "nats-server not found in PATH, /usr/sbin or /usr/bin")
    }
}

/// Runs `body` with a fresh server and always stops it and removes its directory afterwards.
public func withNATSServer<T>(_ body: (NATSServerProcess) async throws -> T) async throws -> T {
    let server = try await NATSServerProcess.start()
    do {
        let result = try await body(server)
        server.cleanUp()
        return result
    } catch {
        server.cleanUp()
        throw error
    }
}
