import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Asynchronous record writes (A10, A13.17).
///
/// A write sent with `Prefer: respond-async` answers `202 Accepted`, `Preference-Applied: respond-async` and
/// `Location: …/services/rest/async/v1/job/{id}` with an empty body, and runs in the background (outside the
/// concurrency pool, as NetSuite's async processors are). An `X-NetSuite-Idempotency-Key` seen before answers
/// `400` titled "Conflict" with `IDEMPOTENCY_ERROR` and the `Location` of the earlier job; synchronous requests
/// ignore the key.
///
/// Polling (authenticated, governed):
/// - `GET /async/v1/job/{id}` → `{"links": [self], "id": "7", "completed": true, "progress": "succeeded",
///   "task": {"links": [{"rel": "related", "href": "…/job/7/task"}]}}`; `progress` is `pending`, `succeeded` or
///   `failed`;
/// - `GET /async/v1/job/{id}/task` → a collection holding task `1`;
/// - `GET /async/v1/job/{id}/task/1` → `{"links", "id": "1", "completed", "progress",
///   "result": {"links": [{"rel": "related", "href": "…/task/1/result"}]}}`;
/// - `GET /async/v1/job/{id}/task/1/result` → what the synchronous call would have answered: `204` with
///   `Location`, or the NetSuite error. Before the job completes: `404 NONEXISTENT_ID`.
struct AsyncJobRoutes {
    let sandbox: NetSuiteSandbox

    static let preferenceApplied = HTTPField.Name("Preference-Applied")!
    static let idempotencyKey = HTTPField.Name("X-NetSuite-Idempotency-Key")!
    static let jobPath = "/services/rest/async/v1/job"

    static func prefersAsync(_ request: Request) -> Bool {
        request.headers[values: QueryRoutes.preferHeader].flatMap { $0.split(separator: ",") }
            .contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "respond-async" }
    }

    func register(on group: RouterGroup<NetSuiteRequestContext>) {
        group.get("async/v1/job/:job") { request, context in try job(request, context) }
        group.get("async/v1/job/:job/task") { request, context in try tasks(request, context) }
        group.get("async/v1/job/:job/task/:task") { request, context in try task(request, context) }
        group.get("async/v1/job/:job/task/:task/result") { request, context in try result(request, context) }
    }

    /// Accepts a write as a job and starts it.
    func submit(
        _ write: RecordWrite,
        request: Request,
        perform: @escaping @Sendable (RecordWrite) async throws -> String?
    ) -> Response {
        let key = request.headers[Self.idempotencyKey]
        switch sandbox.jobs.submit(idempotencyKey: key, now: sandbox.now) {
        case .conflict(let earlier):
            var response = NetSuiteError(
                .badRequest,
                code: "IDEMPOTENCY_ERROR",
                detail: "A request with the same idempotency key has already been submitted.",
                title: "Conflict"
            ).makeResponse()
            response.headers[.location] = jobURL(write.baseURL, earlier)
            return response
        case .accepted(let id):
            let jobs = sandbox.jobs
            let logger = sandbox.logger
            Task {
                do {
                    let location = try await perform(write)
                    jobs.finish(id, with: .succeeded(location: location))
                } catch let error as NetSuiteError {
                    jobs.finish(id, with: .failed(error))
                } catch {
                    logger.debug("async job failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
                    jobs.finish(
                        id,
                        with: .failed(
                            NetSuiteError(
                                .internalServerError,
                                code: "UNEXPECTED_ERROR",
                                detail: "An unexpected error occurred."
                            )
                        )
                    )
                }
            }
            var headers = HTTPFields()
            headers[.location] = jobURL(write.baseURL, id)
            headers[Self.preferenceApplied] = "respond-async"
            return Response(status: .accepted, headers: headers)
        }
    }

    // MARK: Polling

    private func job(_ request: Request, _ context: NetSuiteRequestContext) throws -> Response {
        let (id, job) = try lookUp(context)
        let url = jobURL(sandbox.baseURL(for: request), id)
        return Response.json(
            .object([
                "links": RecordStore.links(["self": url]),
                "id": .string(String(id)),
                "completed": .bool(job.isCompleted),
                "progress": .string(job.progress),
                "task": .object(["links": RecordStore.links(["related": "\(url)/task"])]),
            ]),
            contentType: RecordRoutes.singularContentType
        )
    }

    private func tasks(_ request: Request, _ context: NetSuiteRequestContext) throws -> Response {
        let (id, _) = try lookUp(context)
        let url = "\(jobURL(sandbox.baseURL(for: request), id))/task"
        return Response.json(
            .object([
                "links": RecordStore.links(["self": url]),
                "count": .number(1), "hasMore": .bool(false), "offset": .number(0), "totalResults": .number(1),
                "items": .array([.object(["links": RecordStore.links(["self": "\(url)/1"]), "id": .string("1")])]),
            ]),
            contentType: RecordRoutes.collectionContentType
        )
    }

    private func task(_ request: Request, _ context: NetSuiteRequestContext) throws -> Response {
        let (id, job) = try lookUpTask(context)
        let url = "\(jobURL(sandbox.baseURL(for: request), id))/task/1"
        return Response.json(
            .object([
                "links": RecordStore.links(["self": url]),
                "id": .string("1"),
                "completed": .bool(job.isCompleted),
                "progress": .string(job.progress),
                "result": .object(["links": RecordStore.links(["related": "\(url)/result"])]),
            ]),
            contentType: RecordRoutes.singularContentType
        )
    }

    private func result(_ request: Request, _ context: NetSuiteRequestContext) throws -> Response {
        let (_, job) = try lookUpTask(context)
        switch job.state {
        case .pending:
            throw NetSuiteError(.notFound, code: "NONEXISTENT_ID", detail: "The task has not completed yet.")
        case .succeeded(let location):
            return Response.noContent(location: location)
        case .failed(let error):
            return error.makeResponse()
        }
    }

    private func lookUp(_ context: NetSuiteRequestContext) throws -> (Int, AsyncJobs.Job) {
        guard let id = context.parameters.get("job").flatMap({ Int($0) }), let job = sandbox.jobs.job(id) else {
            throw NetSuiteError.nonexistentID()
        }
        return (id, job)
    }

    private func lookUpTask(_ context: NetSuiteRequestContext) throws -> (Int, AsyncJobs.Job) {
        let found = try lookUp(context)
        guard context.parameters.get("task") == "1" else { throw NetSuiteError.nonexistentID() }
        return found
    }

    private func jobURL(_ baseURL: String, _ id: Int) -> String {
        "\(baseURL)\(Self.jobPath)/\(id)"
    }
}

/// The async jobs of the account and the idempotency keys they were submitted with.
final class AsyncJobs: Sendable {
    enum State: Sendable {
        case pending
        case succeeded(location: String?)
        case failed(NetSuiteError)
    }

    struct Job: Sendable {
        var state: State
        var submitted: Date

        var isCompleted: Bool {
            if case .pending = state { return false }
            return true
        }

        var progress: String {
            switch state {
            case .pending: "pending"
            case .succeeded: "succeeded"
            case .failed: "failed"
            }
        }
    }

    enum Submission: Sendable, Equatable {
        case accepted(Int)
        /// The key was used before, by this job.
        case conflict(Int)
    }

    private struct Book {
        var nextID = 1
        var jobs: [Int: Job] = [:]
        var keys: [String: Int] = [:]
    }

    private let book = Mutex(Book())

    func submit(idempotencyKey: String?, now: Date) -> Submission {
        book.withLock { book in
            if let idempotencyKey, let earlier = book.keys[idempotencyKey] { return .conflict(earlier) }
            let id = book.nextID
            book.nextID += 1
            book.jobs[id] = Job(state: .pending, submitted: now)
            if let idempotencyKey { book.keys[idempotencyKey] = id }
            return .accepted(id)
        }
    }

    func finish(_ id: Int, with state: State) {
        book.withLock { $0.jobs[id]?.state = state }
    }

    func job(_ id: Int) -> Job? {
        book.withLock { $0.jobs[id] }
    }
}
