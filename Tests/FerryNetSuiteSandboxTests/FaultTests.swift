import AsyncHTTPClient
import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

@Suite("Faults")
struct FaultTests {
    static let orders = "/services/rest/record/v1/salesOrder"

    static func order(_ externalID: String) -> String {
        Bodies.salesOrder(externalID: externalID, lines: [.init(item: TestWorld.item.netSuiteItemID)])
    }

    @Test func commitThenDropConnectionSavesTheRecordAndAnswersNothing() async throws {
        try await withSandbox(
            .test {
                $0.faults.commitThenFail = [
                    .init(method: "POST", recordType: "salesOrder", failure: .dropConnection, count: 1)
                ]
            }
        ) { sandbox in
            // The connection closes with no response at all: a transport error, not an HTTP status.
            let error = await #expect(throws: HTTPClientError.self) {
                try await sandbox.send(.POST, Self.orders, json: Self.order("PS-DROP"))
            }
            #expect(error == .remoteConnectionClosed)
            // It was created all the same, once; a blind retry is refused as a duplicate.
            #expect(try await sandbox.send(.GET, "\(Self.orders)/eid:PS-DROP").status == 200)
            #expect(await sandbox.server.createCounts(recordType: "salesOrder") == ["PS-DROP": 1])
            let retry = try await sandbox.send(.POST, Self.orders, json: Self.order("PS-DROP"))
            #expect(retry.errorCode == "USER_ERROR")
            // The rule was used up.
            #expect(try await sandbox.send(.POST, Self.orders, json: Self.order("PS-AFTER")).status == 204)
            let stats = sandbox.server.statistics()
            #expect(stats.droppedConnections == 1)
            #expect(stats.requestsByStatus["dropped"] == 1)
            #expect(stats.inFlight == 0)
            #expect(sandbox.server.faults.commitThenFail.isEmpty)
        }
    }

    @Test(arguments: [("badGateway", 502), ("serviceUnavailable", 503)])
    func commitThenGatewayErrorAnswersHTMLAfterSaving(_ failure: String, _ status: Int) async throws {
        try await withSandbox { sandbox in
            let rule = #"{"method": "POST", "recordType": "salesorder", "failure": "\#(failure)", "count": 1}"#
            #expect(try await sandbox.send(.POST, "/_sandbox/faults/commit-then-fail", json: rule).status == 200)
            let answer = try await sandbox.send(.POST, Self.orders, json: Self.order("PS-502"))
            #expect(answer.status == status)
            #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(answer.body.contains("<html>"))
            #expect(answer.json == nil)
            #expect(try await sandbox.send(.GET, "\(Self.orders)/eid:PS-502").status == 200)
            let creates = try await sandbox.send(.GET, "/_sandbox/creates/salesOrder")
            #expect(creates.json == .object(["PS-502": .number(1)]))
        }
    }

    @Test func commitThenDelayOutlastsTheClientTimeout() async throws {
        try await withSandbox(.test { $0.concurrencyLimit = 5 }) { (sandbox) async throws in
            sandbox.server.faults = NetSuiteFaults(commitThenFail: [
                .init(method: "PUT", recordType: "salesOrder", failure: .delay, delaySeconds: 3, count: 1)
            ])
            let error = await #expect(throws: HTTPClientError.self) {
                try await sandbox.send(
                    .PUT,
                    "\(Self.orders)/eid:PS-SLOW",
                    json: Self.order("PS-SLOW"),
                    timeout: .milliseconds(500)
                )
            }
            #expect(error == .deadlineExceeded)
            #expect(try await sandbox.send(.GET, "\(Self.orders)/eid:PS-SLOW").status == 200)
            #expect(await sandbox.server.createCounts(recordType: "salesOrder") == ["PS-SLOW": 1])
            // The delayed request still holds its concurrency slot.
            #expect(sandbox.server.statistics().inFlight == 1)
        }
    }

    @Test func rejectionRulesRefuseWithoutSaving() async throws {
        try await withSandbox { sandbox in
            let orderID = try #require(
                try await sandbox.send(.POST, Self.orders, json: Self.order("PS-REJ")).locationID
            )
            let rule =
                #"{"recordType": "customerDeposit", "errorCode": "INSUFFICIENT_FUNDS", "detail": "No.", "count": 2}"#
            #expect(try await sandbox.send(.POST, "/_sandbox/faults/rejections", json: rule).status == 200)
            let deposit = Bodies.deposit(externalID: "PS-DEP-REJ", salesOrder: orderID)
            for _ in 0..<2 {
                let refused = try await sandbox.send(.POST, "/services/rest/record/v1/customerDeposit", json: deposit)
                #expect(refused.status == 400)
                #expect(refused.errorCode == "INSUFFICIENT_FUNDS")
                #expect(refused.errorDetail == "No.")
            }
            #expect(
                try await sandbox.send(.GET, "/services/rest/record/v1/customerDeposit/eid:PS-DEP-REJ").status == 404
            )
            // Orders are not affected, and the third deposit goes through.
            #expect(try await sandbox.send(.POST, Self.orders, json: Self.order("PS-REJ-2")).status == 204)
            #expect(
                try await sandbox.send(.POST, "/services/rest/record/v1/customerDeposit", json: deposit).status == 204
            )
        }
    }

    @Test func serverErrorRateAnswersGatewayPagesWithoutProcessing() async throws {
        try await withSandbox(.test { $0.faults.serverErrorRate = 1 }) { sandbox in
            for index in 0..<6 {
                let answer = try await sandbox.send(.POST, Self.orders, json: Self.order("PS-5XX-\(index)"))
                #expect([502, 503].contains(answer.status))
                #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(answer.body.hasPrefix("<!DOCTYPE html>"))
            }
            #expect(await sandbox.server.createCounts(recordType: "salesOrder").isEmpty)
            #expect(
                try await sandbox.send(.PUT, "/_sandbox/faults/server-error-rate", json: #"{"rate": 0}"#).status == 200
            )
            #expect(try await sandbox.send(.POST, Self.orders, json: Self.order("PS-5XX-OK")).status == 204)
        }
    }

    @Test func maintenanceWindowAnswers503HTMLOnEveryNetSuitePath() async throws {
        try await withSandbox { sandbox in
            #expect(try await sandbox.send(.PUT, "/_sandbox/maintenance", json: "{}").status == 200)
            for path in ["/services/rest/record/v1/salesOrder/1", "/services/rest/system/v1/governanceLimits"] {
                let answer = try await sandbox.send(.GET, path)
                #expect(answer.status == 503)
                #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(answer.body.contains("maintenance"))
            }
            #expect(try await sandbox.suiteQL("SELECT id FROM item").status == 503)
            #expect(try await sandbox.send(.POST, "/services/rest/auth/oauth2/v1/token", json: "").status == 503)
            #expect(try await sandbox.send(.GET, "/_sandbox/health").status == 200)
            #expect(try await sandbox.send(.DELETE, "/_sandbox/maintenance").status == 200)
            #expect(try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").status == 200)
        }
    }

    @Test func maintenanceWindowEndsByItself() async throws {
        let clock = TestClock()
        try await withSandbox(.test { $0.clock = clock.function }) { (sandbox) async throws in
            #expect(
                try await sandbox.send(.PUT, "/_sandbox/maintenance", json: #"{"durationSeconds": 60}"#).status == 200
            )
            #expect(try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").status == 503)
            clock.advance(by: 61)
            #expect(try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").status == 200)
            #expect(sandbox.server.faults.maintenance == nil)
        }
    }

    @Test func overloadAnswersSlow401InvalidLogin() async throws {
        try await withSandbox { sandbox in
            let set = try await sandbox.send(.PUT, "/_sandbox/overload", json: #"{"fraction": 1, "delaySeconds": 0.6}"#)
            #expect(set.json?["overload"]?["delaySeconds"] == .number(Decimal("0.6")))
            let begin = ContinuousClock.now
            let answer = try await sandbox.send(.GET, "/services/rest/record/v1/customer/\(TestWorld.customerID)")
            #expect(ContinuousClock.now - begin >= .milliseconds(600))
            #expect(answer.status == 401)
            #expect(answer.errorCode == "INVALID_LOGIN")
            #expect(try await sandbox.send(.DELETE, "/_sandbox/overload").status == 200)
            #expect(
                try await sandbox.send(.GET, "/services/rest/record/v1/customer/\(TestWorld.customerID)").status == 200
            )
        }
    }

    @Test func faultsRoundTripThroughTheControlAPI() async throws {
        try await withSandbox { sandbox in
            let faults = """
                {"serverErrorRate": 0.25, "otherIntegrationSlots": 3,
                 "commitThenFail": [{"recordType": "salesOrder", "failure": "delay", "delaySeconds": 40, "rate": 0.5}],
                 "rejections": [{"method": "*", "recordType": "*", "status": 403,
                                 "errorCode": "INSUFFICIENT_PERMISSION",
                                 "rate": 0}],
                 "overload": {"fraction": 0.1}}
                """
            #expect(try await sandbox.send(.PUT, "/_sandbox/faults", json: faults).status == 200)
            let current = sandbox.server.faults
            #expect(current.serverErrorRate == 0.25)
            #expect(current.otherIntegrationSlots == 3)
            #expect(
                current.commitThenFail == [
                    .init(
                        method: "POST",
                        recordType: "salesOrder",
                        failure: .delay,
                        delaySeconds: 40,
                        rate: 0.5
                    )
                ]
            )
            #expect(current.rejections.first?.status == 403)
            #expect(current.overload == .init(fraction: 0.1, delaySeconds: 3))
            #expect(sandbox.server.statistics().otherIntegrationSlots == 3)

            let cleared = try await sandbox.send(.DELETE, "/_sandbox/faults")
            #expect(cleared.json?["serverErrorRate"] == .number(0))
            #expect(sandbox.server.faults == NetSuiteFaults())
            #expect(try await sandbox.send(.PUT, "/_sandbox/faults", json: "{not json").status == 400)
        }
    }
}
