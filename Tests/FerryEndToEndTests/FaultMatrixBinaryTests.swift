import Foundation
import Testing

/// The fault matrix through the real binary (the full matrix runs in-process in FerryWorkerTests): a worker process
/// SIGKILLed at every NetSuite call position of an order, inside the call after NetSuite committed it and while
/// NetSuite has not yet processed it; and a worker sent SIGTERM while PostgreSQL is gone.
@Suite("End to end: the fault matrix through the real binary")
struct FaultMatrixBinaryTests {
    static let positions: [(method: String, target: String, nth: Int, name: String)] = [
        ("POST", "suiteql", 1, "customer look-up by external id"),
        ("POST", "suiteql", 2, "customer look-up by e-mail"),
        ("POST", "customer", 1, "customer create"),
        ("POST", "salesOrder", 1, "sales order create"),
        ("POST", "customerDeposit", 1, "deposit create"),
    ]

    /// For each position: NetSuite saves the write and withholds the answer, or holds the request unprocessed for a
    /// while (then handles it, as NetSuite does for a caller that has gone); the worker is killed inside the call, a
    /// new worker gets the message after the ack deadline, and the order ends in NetSuite exactly once.
    @Test func workerKilledAtEveryCallPositionLeavesEachOrderOnce() async throws {
        var options = PipelineOptions()
        options.ackWait = "3s"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.configureWebhook(to: gateway)
            var worker = try await h.startWorker("worker-0")
            var schedule = 0
            for position in Self.positions {
                for (kind, delay) in [("timeoutAfterCommit", 10.0), ("holdBeforeProcessing", 2.0)] {
                    schedule += 1
                    let label = "\(kind) at \(position.name)"
                    try await h.clearNetSuiteFaults()
                    try await h.addTargetedFault(
                        method: position.method,
                        target: position.target,
                        nth: position.nth,
                        kind: kind,
                        delaySeconds: delay
                    )
                    let customer = SandboxWorld.newCustomers[40 + schedule]
                    let order = try await h.createOrder(
                        customerID: customer.id,
                        lines: [.init(sku: SandboxWorld.defaultSKUs[schedule % 5], quantity: 1)]
                    )
                    try await waitUntil("\(label): the worker is inside the call", timeout: .seconds(30)) {
                        try await h.targetedFaultsFired()
                    }
                    await worker.kill9()
                    #expect(worker.exitStatus == SIGKILL, "\(label)")
                    worker = try await h.startWorker("worker-\(schedule)")
                    try await h.waitUntilWrittenBack([order], timeout: .seconds(60))
                    try await h.expectInNetSuiteExactlyOnce(orderID: order)
                    #expect(try await h.syncRow(orderID: order)?.attempts == 0, "\(label): a kill spends no attempt")
                }
            }
            #expect(try await h.deadLettersInStream() == 0)
            let orphans = try await h.netSuiteRecords("customerDeposit").filter { deposit in
                deposit["record"]["salesOrder"].referenceID == nil
            }
            #expect(orphans.isEmpty)
        }
    }

    /// PostgreSQL stops while a worker holds orders inside slow NetSuite calls, then the worker gets SIGTERM: it must
    /// not wait on the database that is gone. It hands the orders back and exits within
    /// FERRY_WORKER_SHUTDOWN_DATABASE_TIMEOUT plus a few seconds; once PostgreSQL is back, another worker puts each
    /// order into NetSuite exactly once.
    @Test func sigtermWithPostgresStoppedExitsInBoundedTime() async throws {
        let stack = try await PrivateStack.start()
        let outcome: Result<Void, any Error>
        do {
            try await stopWorkerWithPostgresGone(stack)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await stack.remove()
        try outcome.get()
    }

    private func stopWorkerWithPostgresGone(_ stack: PrivateStack) async throws {
        var options = PipelineOptions()
        options.databaseServerURL = stack.databaseURL
        options.ackWait = "5s"
        options.environment["FERRY_WORKER_SHUTDOWN_DATABASE_TIMEOUT"] = "3s"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.configureWebhook(to: gateway)
            let first = try await h.startWorker("worker-1")
            _ = try await h.sendJSON(
                .PUT,
                h.netSuite.baseURL + "/_sandbox/latency",
                ["kind": "fixed", "milliseconds": 3000]
            )
            var orders: [Int] = []
            for index in 0..<3 {
                orders.append(
                    try await h.createOrder(
                        customerID: SandboxWorld.existingCustomer.id,
                        lines: [.init(sku: SandboxWorld.defaultSKUs[index], quantity: 1)]
                    )
                )
            }
            try await waitUntil("the worker holds the orders", timeout: .seconds(30)) {
                try await h.netSuiteStats()["inFlight"].int ?? 0 >= 1
            }
            try await stack.stopPostgres()
            let stopped = ContinuousClock.now
            first.terminate()
            let exited = await first.waitForExit(timeout: .seconds(30))
            let took = ContinuousClock.now - stopped
            #expect(exited, "the worker had not exited 30 s after SIGTERM with PostgreSQL stopped")
            #expect(took < .seconds(15), "exit took \(took)")
            #expect(
                !first.logLines(message: "PostgreSQL unreachable during shutdown: handing back in-flight orders")
                    .isEmpty
            )

            try await stack.startPostgres()
            _ = try await h.sendJSON(
                .PUT,
                h.netSuite.baseURL + "/_sandbox/latency",
                ["kind": "fixed", "milliseconds": 0]
            )
            try await h.startWorker("worker-2")
            try await h.waitUntilWrittenBack(orders, timeout: .seconds(90))
            for order in orders {
                try await h.expectInNetSuiteExactlyOnce(orderID: order, checkSalesOrderCreates: false)
            }
            #expect(try await h.deadLettersInStream() == 0)
        }
    }
}

/// A PostgreSQL server of one test's own (`scripts/stack.sh` in a directory of its own), so the test can stop it.
struct PrivateStack: Sendable {
    let directory: String
    let databaseURL: String
    let postgresBin: String

    static func start() async throws -> PrivateStack {
        let directory = "/tmp/ferry-e2e-stack-" + UUID().uuidString.prefix(8).lowercased()
        let envFile = try await run(
            FerryBinary.packageRoot.appendingPathComponent("scripts/stack.sh").path,
            ["start", directory]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let text = try String(contentsOfFile: envFile, encoding: .utf8)
        func value(_ key: String) -> String? {
            text.split(separator: "\n").compactMap { line -> String? in
                let prefix = "export \(key)="
                guard line.hasPrefix(prefix) else { return nil }
                return String(line.dropFirst(prefix.count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }.first
        }
        guard let url = value("FERRY_DATABASE_URL"), let bin = value("FERRY_PG_BIN") else {
            throw HarnessError("stack.sh gave no database URL: \(text)")
        }
        return PrivateStack(directory: directory, databaseURL: url, postgresBin: bin)
    }

    func stopPostgres() async throws {
        let stop = ["\(postgresBin)/pg_ctl", "-D", "\(directory)/pg/data", "-m", "immediate", "-w", "stop"]
        // As root the cluster belongs to the postgres user (scripts/stack.sh).
        try await Self.run("/usr/bin/env", getuid() == 0 ? ["runuser", "-u", "postgres", "--"] + stop : stop)
    }

    /// Starts PostgreSQL again (stack.sh reuses the directory and its port).
    func startPostgres() async throws {
        _ = try await Self.run(
            FerryBinary.packageRoot.appendingPathComponent("scripts/stack.sh").path,
            ["start", directory]
        )
    }

    func remove() async {
        _ = try? await Self.run(
            FerryBinary.packageRoot.appendingPathComponent("scripts/stack.sh").path,
            ["stop", directory]
        )
    }

    /// Runs a command to completion and returns its standard output. The command runs under `sh`, which writes its
    /// output and exit status to files: the servers stack.sh starts in the background inherit its descriptors (a
    /// pipe would never end while they run), and Foundation's Process does not notice the exit of such a script here.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-e2e-\(UUID().uuidString)")
        let outputFile = base.appendingPathExtension("out")
        let statusFile = base.appendingPathExtension("status")
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: statusFile)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments =
            [
                "-c", "\"$0\" \"$@\" >'\(outputFile.path)' 2>/dev/null </dev/null; echo $? >'\(statusFile.path)'",
                executable,
            ]
            + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        var status: Int32?
        while status == nil {
            guard ContinuousClock.now < deadline else {
                throw HarnessError("\(executable) \(arguments.joined(separator: " ")) did not finish within 120 s")
            }
            try await Task.sleep(for: .milliseconds(50))
            status = (try? String(contentsOf: statusFile, encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard status == 0 else {
            throw HarnessError("\(executable) \(arguments.joined(separator: " ")) exited \(status ?? -1)")
        }
        return (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    }
}
