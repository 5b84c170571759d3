import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

@Suite("Async requests")
struct AsyncJobTests {
    static let orders = "/services/rest/record/v1/salesOrder"

    /// Polls a job until it completes (generous deadline for a loaded machine).
    static func waitForCompletion(_ sandbox: TestSandbox, job: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let answer = try await sandbox.send(.GET, job)
            if answer.json?["completed"] == .bool(true) { return try #require(answer.json) }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("job did not complete")
        return .null
    }

    @Test func respondAsyncRunsTheWriteAsAJob() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(externalID: "PS-ASYNC", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let accepted = try await sandbox.send(
                .POST,
                Self.orders,
                json: body,
                headers: [
                    "Prefer": "respond-async", "X-NetSuite-Idempotency-Key": "3f1c1e1a-8d0e-4a53-9d6e-0c5b9b1f2a10",
                ]
            )
            #expect(accepted.status == 202)
            #expect(accepted.body.isEmpty)
            #expect(accepted.header("Preference-Applied") == "respond-async")
            let job = try #require(accepted.header("Location"))
            #expect(job.hasPrefix("\(sandbox.baseURL)/services/rest/async/v1/job/"))

            let done = try await Self.waitForCompletion(sandbox, job: job)
            #expect(done["progress"] == .string("succeeded"))
            #expect(done["task"]?["links"]?.arrayValue?.first?["href"] == .string("\(job)/task"))
            let tasks = try await sandbox.send(.GET, "\(job)/task")
            #expect(tasks.json?["items"]?.arrayValue?.count == 1)
            let task = try await sandbox.send(.GET, "\(job)/task/1")
            #expect(task.json?["progress"] == .string("succeeded"))

            let result = try await sandbox.send(.GET, "\(job)/task/1/result")
            #expect(result.status == 204)
            let id = try #require(result.locationID)
            let order = try await sandbox.send(.GET, "\(Self.orders)/eid:PS-ASYNC")
            #expect(order.json?["id"] == .string(id))
        }
    }

    @Test func reusedIdempotencyKeyIsAConflictPointingAtTheFirstJob() async throws {
        try await withSandbox { sandbox in
            let headers = [
                "Prefer": "respond-async", "X-NetSuite-Idempotency-Key": "5b0c8a54-7c1e-4f36-a0a7-6a1bb8e0c001",
            ]
            let body = Bodies.salesOrder(externalID: "PS-IDEM", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let first = try await sandbox.send(.POST, Self.orders, json: body, headers: headers)
            #expect(first.status == 202)
            let again = try await sandbox.send(.POST, Self.orders, json: body, headers: headers)
            #expect(again.status == 400)
            #expect(again.json?["title"] == .string("Conflict"))
            #expect(again.errorCode == "IDEMPOTENCY_ERROR")
            #expect(again.header("Location") == first.header("Location"))
            _ = try await Self.waitForCompletion(sandbox, job: try #require(first.header("Location")))
            #expect(await sandbox.server.createCounts(recordType: "salesOrder") == ["PS-IDEM": 1])

            // Synchronous requests ignore the key.
            let sync = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let plain = try await sandbox.send(
                .POST,
                Self.orders,
                json: sync,
                headers: ["X-NetSuite-Idempotency-Key": headers["X-NetSuite-Idempotency-Key"]!]
            )
            #expect(plain.status == 204)
        }
    }

    @Test func failedJobCarriesTheErrorAsItsResult() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(externalID: "PS-AFAIL", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            #expect(try await sandbox.send(.POST, Self.orders, json: body).status == 204)
            let accepted = try await sandbox.send(.POST, Self.orders, json: body, headers: ["Prefer": "respond-async"])
            let job = try #require(accepted.header("Location"))
            let done = try await Self.waitForCompletion(sandbox, job: job)
            #expect(done["progress"] == .string("failed"))
            let result = try await sandbox.send(.GET, "\(job)/task/1/result")
            #expect(result.status == 400)
            #expect(result.errorCode == "USER_ERROR")
            #expect(try await sandbox.send(.GET, "/services/rest/async/v1/job/999").status == 404)
        }
    }
}
