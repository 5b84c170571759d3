import FerryTestSupport
import Foundation
import Synchronization

/// Where the `ferry` binary under test is: `FERRY_BINARY`, else next to the test bundle (both are products of
/// `swift build --build-tests`), else `<package root>/.build/debug/ferry`.
enum FerryBinary {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func locate() throws -> URL {
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["FERRY_BINARY"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            // …/debug/ferryPackageTests.xctest (Linux) → …/debug/ferry
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("ferry"))
        }
        if let bundle = Bundle.main.executableURL {
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("ferry"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/ferry"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw HarnessError(
            "the ferry binary was not found (looked at \(candidates.map(\.path).joined(separator: ", "))): "
                + "build it with `swift build --build-tests`, or set FERRY_BINARY"
        )
    }
}

/// One `ferry` child process (gateway, worker or a CLI command), its output in a log file.
final class FerryProcess: Sendable {
    let name: String
    let logFile: URL
    private let process: Mutex<Process>
    let pid: Int32

    private init(name: String, logFile: URL, process: Process) {
        self.name = name
        self.logFile = logFile
        self.pid = process.processIdentifier
        self.process = Mutex(process)
    }

    /// Starts `ferry <arguments>` with exactly `environment` (nothing inherited), stdout and stderr to `logFile`.
    static func spawn(
        name: String,
        arguments: [String],
        environment: [String: String],
        logFile: URL
    ) throws -> FerryProcess {
        let process = Process()
        process.executableURL = try FerryBinary.locate()
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = FerryBinary.packageRoot
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        return FerryProcess(name: name, logFile: logFile, process: process)
    }

    /// Runs `ferry <arguments>` to completion: stdout is the answer, stderr the log.
    static func run(
        arguments: [String],
        environment: [String: String],
        directory: URL,
        timeout: Duration = .seconds(120)
    ) async throws -> CommandResult {
        let tag = UUID().uuidString.prefix(8)
        let outputFile = directory.appendingPathComponent("cli-\(tag).out")
        let logFile = directory.appendingPathComponent("cli-\(tag).log")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = try FerryBinary.locate()
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = FerryBinary.packageRoot
        let output = try FileHandle(forWritingTo: outputFile)
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = output
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? output.close()
        try? log.close()
        let child = FerryProcess(name: "ferry \(arguments.joined(separator: " "))", logFile: logFile, process: process)
        guard await child.waitForExit(timeout: timeout) else {
            await child.kill9()
            throw HarnessError("`\(child.name)` did not finish within \(timeout)")
        }
        let result = CommandResult(
            status: child.exitStatus ?? -1,
            output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "",
            log: child.log
        )
        try? FileManager.default.removeItem(at: outputFile)
        try? FileManager.default.removeItem(at: logFile)
        return result
    }

    var isRunning: Bool { process.withLock { $0.isRunning } }

    /// The exit status, once it exited.
    var exitStatus: Int32? {
        process.withLock { $0.isRunning ? nil : $0.terminationStatus }
    }

    var terminationReason: Process.TerminationReason? {
        process.withLock { $0.isRunning ? nil : $0.terminationReason }
    }

    /// Waits for the process to exit; false when it still runs after `timeout`.
    @discardableResult
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// `kill -9`: no graceful anything.
    func kill9() async {
        if isRunning { kill(pid, SIGKILL) }
        await waitForExit(timeout: .seconds(10))
    }

    /// Sends SIGTERM and returns at once (graceful drain; see ``waitForExit(timeout:)``).
    func terminate() {
        if isRunning { kill(pid, SIGTERM) }
    }

    /// SIGTERM, and SIGKILL if it has not exited after `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if await !waitForExit(timeout: grace) { await kill9() }
    }

    var log: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// The JSON log lines (non-JSON lines are skipped).
    var logLines: [JSONValue] {
        log.split(separator: "\n").compactMap { line in
            guard line.first == "{" else { return nil }
            return try? JSONValue.parse(Data(line.utf8))
        }
    }

    /// Log lines whose `msg` is `message`.
    func logLines(message: String) -> [JSONValue] {
        logLines.filter { $0["msg"].string == message }
    }

    func logTail(_ lines: Int = 40) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// The result of a one-shot `ferry` command.
struct CommandResult: Sendable, CustomStringConvertible {
    var status: Int32
    /// What the command printed on stdout (its answer; logs go to stderr).
    var output: String
    var log: String

    var description: String { "exit \(status)\n--- stdout\n\(output)\n--- stderr\n\(log)" }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds; throws with `what` (and the last observation) after `timeout`.
func waitUntil(
    _ what: @autoclosure () -> String,
    timeout: Duration = .seconds(60),
    poll: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline { throw HarnessError("timed out after \(timeout) waiting until \(what())") }
        try await Task.sleep(for: poll)
    }
}
