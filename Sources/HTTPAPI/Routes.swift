import Controller
import EventLog
import Foundation
import Hummingbird
import Manifests
import Reconcile
import StateStore

/// The routes of DESIGN §8.
enum Routes {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func problem(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try json(["error": message], status: status)
    }

    static func health(_ router: Router<BasicRequestContext>, _ context: APIContext) {
        router.get("/healthz") { _, _ in text("ok\n") }
        router.get("/readyz") { _, _ in
            do { _ = try await context.store.eventHead() } catch {
                return try json(["ready": "false", "reason": "the store does not answer: \(error)"], status: .serviceUnavailable)
            }
            if !context.reconcile.isLeader {
                // A standby is ready when the store answers; it names the leader.
                return try json(["ready": "true", "role": "standby", "leader": await context.currentLeader() ?? ""])
            }
            guard context.reconcile.lastResult != nil else {
                let reason = context.reconcile.lastError.map { "reconcile failing: \($0)" } ?? "the first reconcile has not finished"
                return try json(["ready": "false", "reason": reason], status: .serviceUnavailable)
            }
            return try json(["ready": "true", "role": "leader", "leader": await context.currentLeader() ?? "this replica"])
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            context.registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    static func api(_ router: Router<BasicRequestContext>, _ context: APIContext) {
        let api = router.group("api").add(middleware: BearerTokenMiddleware(token: context.apiToken))
        api.get("status") { _, _ in
            try json(try await StatusView.load(from: context.store, leader: await context.currentLeader()).document)
        }
        api.get("plan") { _, _ in
            // The plan the next pass would make, in `steward diff -o json`'s shape (DESIGN §7), made by the loop.
            let preview: Reconciler.Preview
            do { preview = try await withPlanTimeout { try await context.reconcile.plan() } } catch is CancellationError {
                return try problem(.serviceUnavailable, "a reconcile pass is running: the plan is made between passes, try again in a moment")
            } catch {
                return try problem(.serviceUnavailable, "\(error)")
            }
            guard preview.errors.isEmpty else {
                return try json(["commit": .string(preview.commit), "errors": JSONValue.array(preview.errors.map { .string($0.description) })],
                                status: .unprocessableContent)
            }
            return text(try preview.report.json(pretty: false), contentType: "application/json")
        }
        // Why a Deployment (or KIND/NAME, in each environment) is or is not converged (DESIGN §14),
        // from the plan the loop makes, as `steward explain -o json` prints it.
        // One parameter name for the first segment (the router's tree allows one per position).
        api.get("explain/:first") { _, request in try await explain(context, request.parameters.get("first") ?? "") }
        api.get("explain/:first/:name") { _, request in
            try await explain(context, "\(request.parameters.get("first") ?? "")/\(request.parameters.get("name") ?? "")")
        }
        api.get("events") { request, _ in
            let since = request.uri.queryParameters.get("since", as: Int64.self) ?? 0
            let wait = min(request.uri.queryParameters.get("wait", as: Double.self) ?? 0, 30)
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(wait * 1000)))
            var lines = try await context.store.eventLines(since: since, limit: 1_000)
            // Woken by this controller's own commits; other writers' records are seen at the next poll.
            while lines.isEmpty, ContinuousClock.now < deadline {
                let poll = min(deadline - ContinuousClock.now, EventPolling.interval)
                await context.store.waitForEvents(after: since, timeout: poll)
                try Task.checkCancellation()
                lines = try await context.store.eventLines(since: since, limit: 1_000)
            }
            return try await eventsBody(lines, since: since, store: context.store)
        }
        api.post("reconcile") { _, _ in
            context.reconcile.requestReconcile(retryingChecks: true)
            return try json(["accepted": true], status: .accepted)
        }
    }
}

extension Routes {
    /// The records as stored, each already its canonical JSON (sorted keys, every key present, as
    /// `logs -o json` prints them), in one array: a page of 1,000 is not decoded and encoded again.
    /// A stored line that is not an object is decoded after all, so the store's error names it.
    static func eventsBody(_ lines: [String], since: Int64, store: any StateStore) async throws -> Response {
        guard lines.allSatisfy({ $0.utf8.first == UInt8(ascii: "{") && $0.utf8.last == UInt8(ascii: "}") }) else {
            return try json(try await store.events(since: since, limit: lines.count))
        }
        var body = "["
        body.reserveCapacity(lines.reduce(2) { $0 + $1.utf8.count + 1 })
        for (index, line) in lines.enumerated() {
            if index > 0 { body += "," }
            body += line
        }
        body += "]"
        return text(body, contentType: "application/json")
    }

    /// `name` is a Deployment, or `KIND/NAME` (one explanation per environment).
    static func explain(_ context: APIContext, _ name: String) async throws -> Response {
        var preview: Reconciler.Preview
        do { preview = try await withPlanTimeout { try await context.reconcile.plan() } } catch is CancellationError {
            return try problem(.serviceUnavailable, "a reconcile pass is running: the plan is made between passes, try again in a moment")
        } catch {
            return try problem(.serviceUnavailable, "\(error)")
        }
        // The loop's preview reads failure events only when something is blocked.
        if preview.plan.blocked.isEmpty { preview.facts.incidents = try await Reconciler.incidents(in: context.store) }
        switch preview.facts.keys(named: name) {
        case .found(let keys): return name.contains("/") ? try json(keys.map(preview.explain)) : try json(preview.explain(keys[0]))
        case .unknownKind(let kind): return try problem(.notFound, "unknown kind '\(kind)'")
        case .notFound(let message): return try problem(.notFound, message)
        }
    }
}

/// `body`, cancelled after `seconds` (a long pass holds the loop that makes plans).
func withPlanTimeout<T: Sendable>(seconds: Double = 30, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() ?? nil else { throw CancellationError() }
        return value
    }
}

/// `Authorization: Bearer <server.apiToken>` on every `/api/*` route: the scheme in any case
/// (RFC 7235: `bearer`, `BEARER`), the token compared in constant time (`SecretMatch`).
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// nil when no token is configured: every request is refused.
    let token: SecretMatch?

    init(token: String?) { self.token = token.flatMap(SecretMatch.init) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, let presented = Self.bearerToken(request.headers[.authorization]), token.matches(presented) else {
            return try Routes.problem(.unauthorized, "missing or wrong bearer token")
        }
        return try await next(request, context)
    }

    /// The credentials of an `Authorization` value whose scheme is `Bearer`, in any case.
    static func bearerToken(_ header: String?) -> Substring? {
        guard let header else { return nil }
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }),
              trimmed[..<space].lowercased() == "bearer" else { return nil }
        let credentials = trimmed[space...].drop { $0 == " " || $0 == "\t" }
        return credentials.isEmpty ? nil : credentials
    }
}
