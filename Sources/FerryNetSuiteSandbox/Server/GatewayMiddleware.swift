import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What sits in front of every NetSuite path, in order: maintenance page → concurrency slot (or 429) →
/// injected latency → overload (slow 401) → transient 502/503 → targeted fault (``TargetedFault``) → the route.
///
/// The slot is held until the answer is ready, so latency and commit-then-fail delays count as in flight.
/// Every answer is counted by status; a dropped connection counts as `dropped`.
struct GatewayMiddleware: RouterMiddleware {
    typealias Context = NetSuiteRequestContext

    let sandbox: NetSuiteSandbox

    /// Set by a route on its response to have the connection closed with no answer at all.
    static let dropConnectionMarker = HTTPField.Name("X-Ferry-Sandbox-Drop-Connection")!

    /// `response`, marked so the connection is closed instead of answering.
    static func dropping(_ response: Response) -> Response {
        var dropped = response
        dropped.headers[dropConnectionMarker] = "1"
        return dropped
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response = await respond(request, context: context, next: next)
        guard response.headers[Self.dropConnectionMarker] == nil else {
            sandbox.governor.record(outcome: ConcurrencyGovernor.droppedOutcome)
            sandbox.logger.debug("sandbox dropped connection", metadata: ["http.path": "\(request.uri.path)"])
            context.channel.close(promise: nil)
            return Response(status: .internalServerError)
        }
        sandbox.governor.record(outcome: String(response.status.code))
        return response
    }

    private func respond(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async -> Response {
        if sandbox.injector.maintenanceActive(now: sandbox.now) {
            return GatewayPage.maintenance()
        }
        guard sandbox.governor.tryAcquire() else {
            sandbox.logger.debug("concurrency limit exceeded", metadata: ["http.path": "\(request.uri.path)"])
            return NetSuiteError.concurrencyLimitExceeded().makeResponse()
        }
        defer { sandbox.governor.release() }
        do {
            let latency = sandbox.injector.nextLatency()
            if latency > .zero { try await Task.sleep(for: latency) }
            if let delay = sandbox.injector.overloadDelay() {
                try await Task.sleep(for: delay)
                return NetSuiteError.invalidLogin().makeResponse()
            }
            if let status = sandbox.injector.transientServerError() {
                return GatewayPage.response(status: status)
            }
            if let target = TargetedFault.requestTarget(path: request.uri.path),
                let fault = sandbox.injector.takeTargeted(method: request.method.rawValue, target: target)
            {
                return try await respond(request, context: context, with: fault, next: next)
            }
            return try await next(request, context)
        } catch let error as NetSuiteError {
            return error.makeResponse()
        } catch is CancellationError {
            // The sandbox is shutting down under this request.
            return GatewayPage.response(status: .serviceUnavailable)
        } catch let error as HTTPError {
            let code = error.status == .contentTooLarge ? "INVALID_CONTENT" : "INVALID_REQUEST"
            return NetSuiteError(error.status, code: code, detail: error.body ?? error.status.reasonPhrase)
                .makeResponse()
        } catch {
            sandbox.logger.error(
                "sandbox request failed",
                metadata: ["error.type": "\(String(reflecting: type(of: error)))"]
            )
            return NetSuiteError(
                .internalServerError,
                code: "UNEXPECTED_ERROR",
                detail: "An unexpected error occurred."
            ).makeResponse()
        }
    }
}

extension GatewayMiddleware {
    /// Answers a request a targeted fault aims at: refused before anything is saved, or saved and then failed.
    private func respond(
        _ request: Request,
        context: Context,
        with fault: TargetedFault,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        sandbox.logger.debug(
            "sandbox targeted fault",
            metadata: ["http.path": "\(request.uri.path)", "fault": "\(fault.kind.rawValue)"]
        )
        let delay = Duration.milliseconds(max(0, fault.delaySeconds ?? 30) * 1_000)
        switch fault.kind {
        case .serverError:
            return NetSuiteError(
                .internalServerError,
                code: "UNEXPECTED_ERROR",
                detail: "An unexpected error occurred."
            )
            .makeResponse()
        case .concurrencyLimit:
            return NetSuiteError.concurrencyLimitExceeded().makeResponse()
        case .maintenance:
            return GatewayPage.maintenance()
        case .rejectInvalid:
            return NetSuiteError(
                NetSuiteError.status(code: fault.status ?? 400),
                code: fault.errorCode ?? "USER_ERROR",
                detail: fault.detail ?? "Error while accessing a resource. The request was rejected by the sandbox."
            ).makeResponse()
        case .holdBeforeProcessing:
            try await Task.sleep(for: delay)
            return try await next(request, context)
        case .dropAfterCommit, .badGatewayAfterCommit, .timeoutAfterCommit:
            let response: Response
            do {
                response = try await next(request, context)
            } catch let error as NetSuiteError {
                // Nothing was saved: the fault has nothing to hide.
                return error.makeResponse()
            }
            switch fault.kind {
            case .dropAfterCommit:
                return Self.dropping(response)
            case .badGatewayAfterCommit:
                return GatewayPage.response(status: .badGateway)
            default:
                try await Task.sleep(for: delay)
                return response
            }
        }
    }
}

/// Authentication for REST paths (everything but the token endpoint): TBA `OAuth` headers or OAuth 2.0 bearer
/// tokens. Any failure is `401 INVALID_LOGIN`, whatever the reason, as NetSuite answers.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = NetSuiteRequestContext

    let sandbox: NetSuiteSandbox

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard sandbox.configuration.requireAuthentication else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            sandbox.logger.debug("authentication failed", metadata: ["reason": "no Authorization header"])
            throw NetSuiteError.invalidLogin()
        }
        if header.lowercased().hasPrefix("bearer ") {
            let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
            guard sandbox.oauth2.isValid(accessToken: token) else {
                sandbox.logger.debug("authentication failed", metadata: ["reason": "unknown or expired bearer token"])
                throw NetSuiteError.invalidLogin()
            }
            return try await next(request, context)
        }
        do {
            try sandbox.tba.verify(
                method: request.method.rawValue,
                baseURI: sandbox.signatureBaseURI(for: request),
                query: request.uri.query,
                authorization: header
            )
        } catch let failure as TBAVerifier.Failure {
            sandbox.logger.debug("authentication failed", metadata: ["reason": "\(failure.reason)"])
            throw NetSuiteError.invalidLogin()
        }
        return try await next(request, context)
    }
}
