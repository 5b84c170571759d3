import FerrySandboxData
import Foundation
import Hummingbird

/// The sandbox's own control and inspection API under `/_sandbox/`: no NetSuite authentication, not counted in
/// the concurrency limit or the statistics. Bodies and answers are JSON; a bad request gets
/// `400 {"error": "<reason>"}`, an unknown record `404 {"error": …}`.
///
/// Inspection
/// - `GET /_sandbox/health` → `{"status": "ok", "accountID": "1234567_SB1"}`
/// - `GET /_sandbox/stats` → ``NetSuiteSandboxStatistics``; `POST /_sandbox/stats/reset` zeroes it and returns it.
/// - `GET /_sandbox/records/{type}[?externalId=X][&includeSeeded=true]` →
///   `{"recordType": "salesOrder", "count": 1, "records": [{"id": "5001", "externalId": "PS-1", "record": {…}}]}`
///   where `record` is the full record as NetSuite renders it with `expandSubResources=true`. Seeded customers and
///   items are left out unless `includeSeeded=true`.
/// - `GET /_sandbox/records/{type}/{id | eid:X}` → the full record.
/// - `GET /_sandbox/creates` → `{"salesOrder": {"PS-1": 1}, "customerDeposit": {…}}`: successful creates per
///   external id (POST, and PUT upserts that created). `GET /_sandbox/creates/{type}` → `{"PS-1": 1}`.
/// - `GET /_sandbox/duplicate-lines` → `{"salesOrders": [{"id": "5001", "externalId": "PS-1",
///   "items": [{"item": "10001", "lines": [1, 3]}]}]}`: orders where one item is on more than one line with the same
///   tax code (a discount item on one line per tax code is not a duplicate).
/// - `GET /_sandbox/inventory?item=10001` → `{"items": [{"item": "10001", "location": "1", "quantityOnHand": 12,
///   "quantityAvailable": 10, "quantityCommitted": 2, "quantityOnOrder": 0, "quantityBackOrdered": 0}]}`
///
/// Control
/// - `GET`/`PUT /_sandbox/latency` with a ``NetSuiteLatency`` body.
/// - `GET`/`PUT /_sandbox/faults` with a whole ``NetSuiteFaults`` body; `DELETE /_sandbox/faults` clears all faults.
/// - `POST /_sandbox/faults/commit-then-fail` with one ``NetSuiteFaults/CommitThenFailRule`` (appended).
/// - `POST /_sandbox/faults/rejections` with one ``NetSuiteFaults/RejectionRule`` (appended).
/// - `POST /_sandbox/faults/targeted` with one ``TargetedFault`` (appended): the N-th matching request fails.
/// - `PUT /_sandbox/faults/server-error-rate` `{"rate": 0.1}`.
/// - `PUT /_sandbox/maintenance` `{"durationSeconds": 5}` (omit for "until cleared"); `DELETE` ends it.
/// - `PUT /_sandbox/overload` `{"fraction": 1, "delaySeconds": 3}`; `DELETE` ends it.
/// - `PUT /_sandbox/other-integration` `{"slots": 3}`.
/// - `GET`/`PUT`/`DELETE /_sandbox/webhook` with a ``NetSuiteWebhook`` body → `{"webhook": {…}, "sent": 1,
///   "lost": 0, "failed": 0}`; `POST /_sandbox/webhook/emit` `{"recordType": "salesOrder", "id": "5001",
///   "event": "edit"}` announces a change as if made in the NetSuite UI (`202 {"emitted": true}`). Inventory
///   adjustments announce `{"recordType": "inventoryadjustment", "event": "create", "item", "location", …}`.
/// - `POST /_sandbox/inventory/adjust` `{"item": "10001", "location": "1", "quantityOnHand": 50}` (set) or
///   `{"item": …, "location": …, "delta": -3}` (shift), optionally `"quantityOnOrder": 5`; answers the new row.
/// The fault and latency endpoints answer the resulting ``NetSuiteFaults`` / ``NetSuiteLatency``.
struct InspectionRoutes {
    let sandbox: NetSuiteSandbox

    func register(on router: Router<NetSuiteRequestContext>) {
        let group = router.group("_sandbox")
        group.get("health") { _, _ in
            json(.object(["status": .string("ok"), "accountID": .string(sandbox.configuration.accountID)]))
        }
        group.get("stats") { _, _ in try encode(NetSuiteSandboxStatistics(sandbox.governor.snapshot())) }
        group.post("stats/reset") { _, _ in
            sandbox.governor.resetStatistics()
            return try encode(NetSuiteSandboxStatistics(sandbox.governor.snapshot()))
        }
        group.get("records/:type") { request, context in try await records(request, context) }
        group.get("records/:type/:id") { request, context in try await record(request, context) }
        group.get("creates") { _, _ in
            let counts = await sandbox.store.createCounts()
            return json(
                .object(
                    Dictionary(
                        uniqueKeysWithValues: RecordType.allCases.map { type in
                            (type.rawValue, Self.countsJSON(counts[type] ?? [:]))
                        }
                    )
                )
            )
        }
        group.get("creates/:type") { _, context in
            let type = try recordType(context)
            return json(Self.countsJSON(await sandbox.store.createCounts()[type] ?? [:]))
        }
        group.get("duplicate-lines") { _, _ in await duplicateLines() }
        group.get("inventory") { request, _ in try await inventory(request) }
        group.post("inventory/adjust") { request, context in try await adjustInventory(request, context) }

        group.get("latency") { _, _ in try encode(sandbox.injector.latency) }
        group.put("latency") { request, context in
            sandbox.injector.latency = try await decode(NetSuiteLatency.self, request, context)
            return try encode(sandbox.injector.latency)
        }
        group.get("faults") { _, _ in try encode(sandbox.faults) }
        group.put("faults") { request, context in
            sandbox.faults = try await decode(NetSuiteFaults.self, request, context)
            return try encode(sandbox.faults)
        }
        group.delete("faults") { _, _ in
            sandbox.faults = NetSuiteFaults()
            return try encode(sandbox.faults)
        }
        group.post("faults/commit-then-fail") { request, context in
            let rule = try await decode(NetSuiteFaults.CommitThenFailRule.self, request, context)
            sandbox.injector.update { $0.commitThenFail.append(rule) }
            return try encode(sandbox.faults)
        }
        group.post("faults/rejections") { request, context in
            let rule = try await decode(NetSuiteFaults.RejectionRule.self, request, context)
            sandbox.injector.update { $0.rejections.append(rule) }
            return try encode(sandbox.faults)
        }
        group.post("faults/targeted") { request, context in
            let rule = try await decode(TargetedFault.self, request, context)
            sandbox.injector.update { $0.targeted.append(rule) }
            return try encode(sandbox.faults)
        }
        group.put("faults/server-error-rate") { request, context in
            let body = try await decode(RateBody.self, request, context)
            sandbox.injector.update { $0.serverErrorRate = body.rate }
            return try encode(sandbox.faults)
        }
        group.put("maintenance") { request, context in
            let body = try await decodeOptional(MaintenanceBody.self, request, context) ?? MaintenanceBody()
            let until = body.durationSeconds.map { sandbox.now.addingTimeInterval($0) }
            sandbox.injector.update { $0.maintenance = .init(until: until) }
            return try encode(sandbox.faults)
        }
        group.delete("maintenance") { _, _ in
            sandbox.injector.update { $0.maintenance = nil }
            return try encode(sandbox.faults)
        }
        group.put("overload") { request, context in
            let overload =
                try await decodeOptional(NetSuiteFaults.Overload.self, request, context)
                ?? NetSuiteFaults.Overload()
            sandbox.injector.update { $0.overload = overload }
            return try encode(sandbox.faults)
        }
        group.delete("overload") { _, _ in
            sandbox.injector.update { $0.overload = nil }
            return try encode(sandbox.faults)
        }
        group.get("webhook") { _, _ in webhookStatus() }
        group.put("webhook") { request, context in
            sandbox.webhooks.webhook = try await decode(NetSuiteWebhook.self, request, context)
            return webhookStatus()
        }
        group.delete("webhook") { _, _ in
            sandbox.webhooks.webhook = nil
            return webhookStatus()
        }
        group.post("webhook/emit") { request, context in
            let event = try await decode(EmitBody.self, request, context)
            sandbox.webhooks.emit(recordType: event.recordType.lowercased(), id: event.id, event: event.event ?? "edit")
            return Response.json(.object(["emitted": .bool(sandbox.webhooks.webhook != nil)]), status: .accepted)
        }
        group.put("other-integration") { request, context in
            sandbox.governor.otherIntegrationSlots = try await decode(SlotsBody.self, request, context).slots
            return try encode(sandbox.faults)
        }
    }

    // MARK: Bodies

    private struct RateBody: Decodable { var rate: Double }
    private struct MaintenanceBody: Decodable { var durationSeconds: Double? }
    private struct SlotsBody: Decodable { var slots: Int }
    private struct EmitBody: Decodable {
        var recordType: String
        var id: String
        var event: String?
    }

    private struct AdjustBody: Decodable {
        var item: FlexibleID
        var location: FlexibleID
        var quantityOnHand: Decimal?
        var delta: Decimal?
        var quantityOnOrder: Decimal?
    }

    /// An id given as `10001` or `"10001"`.
    private struct FlexibleID: Decodable {
        var value: Int

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                value = number
            } else if let number = Int(try container.decode(String.self)) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a numeric id")
            }
        }
    }

    // MARK: Handlers

    private func records(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let type = try recordType(context)
        let parameters = request.uri.queryParameters
        let includeSeeded = parameters["includeSeeded"]?.lowercased() == "true"
        let baseURL = sandbox.baseURL(for: request)
        var selected = await sandbox.store.allRecords(type, includeSeeded: includeSeeded)
        if let externalID = parameters["externalId"] {
            selected = selected.filter { $0.externalID == String(externalID) }
        }
        var entries: [JSONValue] = []
        for record in selected {
            var entry: [String: JSONValue] = [
                "id": .string(String(record.id)),
                "record": await sandbox.store.render(record, baseURL: baseURL, expandSubResources: true),
            ]
            if let externalID = record.externalID { entry["externalId"] = .string(externalID) }
            entries.append(.object(entry))
        }
        return json(
            .object([
                "recordType": .string(type.rawValue), "count": .number(Decimal(entries.count)),
                "records": .array(entries),
            ])
        )
    }

    private func record(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let type = try recordType(context)
        do {
            let key = try RecordKey.parse(context.parameters.get("id") ?? "")
            return json(
                try await sandbox.store.renderRecord(
                    type,
                    key,
                    baseURL: sandbox.baseURL(for: request),
                    expandSubResources: true
                )
            )
        } catch let error as NetSuiteError {
            throw InspectionError(error.status, error.details.first?.detail ?? "not found")
        }
    }

    private func webhookStatus() -> Response {
        let counters = sandbox.webhooks.counters
        var body: [String: JSONValue] = [
            "sent": .number(Decimal(counters.sent)), "lost": .number(Decimal(counters.lost)),
            "failed": .number(Decimal(counters.failed)),
        ]
        if let webhook = sandbox.webhooks.webhook {
            body["webhook"] = .object([
                "url": .string(webhook.url), "lossRate": .number(Decimal(webhook.lossRate)),
                "timeoutSeconds": .number(Decimal(webhook.timeoutSeconds)),
            ])
        }
        return json(.object(body))
    }

    private func duplicateLines() async -> Response {
        let orders = await sandbox.store.allRecords(.salesOrder)
        let duplicates: [JSONValue] = orders.compactMap { order in
            struct LineKey: Hashable {
                var item: Int
                var taxCode: Int?
            }
            let linesByItem = Dictionary(
                grouping: order.lines.compactMap { line in
                    line.referenceID("item").map {
                        (LineKey(item: $0, taxCode: line.referenceID("taxCode")), line.line)
                    }
                },
                by: \.0
            )
            let repeated = linesByItem.filter { $0.value.count > 1 }.map { ($0.key.item, $0.value) }.sorted {
                $0.0 < $1.0
            }
            guard !repeated.isEmpty else { return nil }
            var entry: [String: JSONValue] = [
                "id": .string(String(order.id)),
                "items": .array(
                    repeated.map { item, lines in
                        .object(["item": .string(String(item)), "lines": .array(lines.map { .number(Decimal($0.1)) })])
                    }
                ),
            ]
            if let externalID = order.externalID { entry["externalId"] = .string(externalID) }
            return .object(entry)
        }
        return json(.object(["salesOrders": .array(duplicates)]))
    }

    private func inventory(_ request: Request) async throws -> Response {
        guard let itemText = request.uri.queryParameters["item"], let item = Int(itemText) else {
            throw InspectionError(.badRequest, "the item query parameter is required")
        }
        let book = await sandbox.store.inventory
        let rows: [JSONValue] = (book.locationsByItem[item] ?? []).map { location in
            Self.inventoryJSON(
                ItemLocation(item: item, location: location),
                book.level(ItemLocation(item: item, location: location)) ?? InventoryLevel(onHand: 0)
            )
        }
        return json(.object(["items": .array(rows)]))
    }

    private func adjustInventory(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let body = try await decode(AdjustBody.self, request, context)
        guard body.quantityOnHand != nil || body.delta != nil || body.quantityOnOrder != nil else {
            throw InspectionError(.badRequest, "give quantityOnHand, delta or quantityOnOrder")
        }
        do {
            let level = try await sandbox.store.adjustInventory(
                item: body.item.value,
                location: body.location.value,
                setOnHand: body.quantityOnHand,
                deltaOnHand: body.delta,
                setOnOrder: body.quantityOnOrder
            )
            // What a User Event script on the inventory adjustment would announce.
            sandbox.webhooks.emit(
                recordType: "inventoryadjustment",
                id: String(sandbox.webhooks.nextEventID()),
                event: "create",
                extra: ["item": .string(String(body.item.value)), "location": .string(String(body.location.value))]
            )
            return json(Self.inventoryJSON(ItemLocation(item: body.item.value, location: body.location.value), level))
        } catch let error as NetSuiteError {
            throw InspectionError(.badRequest, error.details.first?.detail ?? "invalid")
        }
    }

    // MARK: Helpers

    private static func inventoryJSON(_ key: ItemLocation, _ level: InventoryLevel) -> JSONValue {
        .object([
            "item": .string(String(key.item)), "location": .string(String(key.location)),
            "quantityOnHand": .number(level.onHand), "quantityAvailable": .number(level.available),
            "quantityCommitted": .number(level.committed), "quantityOnOrder": .number(level.onOrder),
            "quantityBackOrdered": .number(level.backordered),
        ])
    }

    private static func countsJSON(_ counts: [String: Int]) -> JSONValue {
        .object(counts.mapValues { .number(Decimal($0)) })
    }

    private func recordType(_ context: NetSuiteRequestContext) throws -> RecordType {
        let name = context.parameters.get("type") ?? ""
        guard let type = RecordType(pathSegment: name) else {
            throw InspectionError(.notFound, "unknown record type '\(name)'")
        }
        return type
    }

    private func json(_ value: JSONValue) -> Response {
        Response.json(value)
    }

    private func encode(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response.text(
            String(decoding: data, as: UTF8.self),
            status: .ok,
            contentType: "application/json; charset=UTF-8"
        )
    }

    private func decode<Value: Decodable>(
        _ type: Value.Type,
        _ request: Request,
        _ context: NetSuiteRequestContext
    ) async throws -> Value {
        guard let value = try await decodeOptional(type, request, context) else {
            throw InspectionError(.badRequest, "a JSON body is required")
        }
        return value
    }

    private func decodeOptional<Value: Decodable>(
        _ type: Value.Type,
        _ request: Request,
        _ context: NetSuiteRequestContext
    ) async throws -> Value? {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: Data(buffer.readableBytesView))
        } catch {
            throw InspectionError(.badRequest, "invalid body: \(error)")
        }
    }

}

/// A control-API error: `{"error": "<reason>"}` with the given status.
struct InspectionError: HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let reason: String

    init(_ status: HTTPResponse.Status, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(.object(["error": .string(reason)]), status: status)
    }
}
