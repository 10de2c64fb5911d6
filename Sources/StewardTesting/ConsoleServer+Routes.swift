import Foundation
import Hummingbird
import Manifests

/// An answer of the test console: status and optional JSON body.
struct ConsoleAnswer {
    var status: Int
    var body: JSONValue?

    static func json(_ status: Int, _ body: JSONValue) -> ConsoleAnswer { ConsoleAnswer(status: status, body: body) }
    static func error(_ status: Int, _ message: String) -> ConsoleAnswer { ConsoleAnswer(status: status, body: .object(["error": .string(message)])) }
    static let noContent = ConsoleAnswer(status: 204, body: nil)
}

/// One route the test console serves: a method, a path pattern (`:name` matches one segment) and
/// where the route is documented.
public struct ConsoleRoute: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var pattern: String
    /// The guide section (or DESIGN section) that documents it.
    public var source: String
    /// Health routes answer without a token, as the guides call them (and Kubernetes probes must).
    public var open: Bool

    public var description: String { "\(method) \(pattern)" }

    /// The path parameters when `method` and `path` match, else nil.
    func match(_ method: String, _ path: [String]) -> [String: String]? {
        let parts = pattern.split(separator: "/").map(String.init)
        guard method == self.method, parts.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (part, segment) in zip(parts, path) {
            if part.hasPrefix(":") { parameters[String(part.dropFirst())] = segment } else if part != segment { return nil }
        }
        return parameters
    }
}

/// The console API the double serves: the Aureus DevOps guide's endpoints, the deployment guide's
/// adapter health, and DESIGN §5's own routes; nothing else. Literal routes come first.
enum ConsoleRoutes {
    typealias Handler = @Sendable (inout ConsoleState.Storage, ConsoleCall, [String: String]) -> ConsoleAnswer

    static let devops = "DevOps guide"
    static let workflow = "\(devops), Deployment Workflows"
    static let monitoring = "\(devops), Monitoring and Health Checks"
    static let table: [(route: ConsoleRoute, handle: Handler)] = [
        route("GET", "/health", "\(monitoring): Primary Health Check", open: true) { storage, _, _ in storage.healthAnswer() },
        route("GET", "/ready", "\(monitoring): Readiness Probe", open: true) { _, _, _ in
            .json(200, .object(["ready": .bool(true), "checks": .object(["database": .bool(true), "dependencies": .bool(true)])]))
        },
        route("GET", "/live", "\(monitoring): Liveness Probe", open: true) { _, _, _ in .json(200, .object(["alive": .bool(true)])) },
        route("GET", "/health/runtime-adapters", "Deployment guide, Runtime Adapter Configurations (deploy scripts; registry health checks)",
              open: true) { storage, _, _ in storage.adapterHealth() },
        route("POST", "/api/deployments/versions", "\(workflow): 1. Register a Version") { storage, call, _ in
            storage.registerVersion(call.body)
        },
        route("POST", "/api/deployments/rollback", "\(devops), Rollback Procedures: automated-rollback.sh") { storage, call, _ in
            storage.rollback(call.body)
        },
        route("POST", "/api/deployments", "\(workflow): 2. Create Deployment to Staging") { storage, call, _ in
            storage.createDeployment(call.body)
        },
        route("GET", "/api/deployments", "\(devops), Rollback Procedures: automated-rollback.sh (?environment=ENV); DESIGN §4, §5 probe") {
            storage, call, _ in storage.list(environment: call.query["environment"])
        },
        route("GET", "/api/deployments/:id", "\(workflow): 5. Monitor Deployment Status") { storage, _, parameters in
            storage.poll(parameters["id"] ?? "")
        },
        route("DELETE", "/api/deployments/:id", "DESIGN §5 (undeploy)") { storage, _, parameters in
            storage.deleteDeployment(parameters["id"] ?? "")
        },
        route("POST", "/api/deployments/:id/smoke-tests", "\(workflow): 3. Run Smoke Tests") { storage, call, parameters in
            storage.smokeTests(parameters["id"] ?? "", call.body)
        },
        route("POST", "/api/deployments/:id/promote", "\(workflow): 4. Promote to Production") { storage, call, parameters in
            storage.promote(parameters["id"] ?? "", call.body)
        },
        route("PUT", "/api/runtime-adapters/:name", "DESIGN §5 (configureAdapter)") { storage, call, parameters in
            storage.putAdapter(parameters["name"] ?? "", call.body)
        },
        route("DELETE", "/api/runtime-adapters/:name", "DESIGN §5 (removeAdapter)") { storage, _, parameters in
            storage.deleteAdapter(parameters["name"] ?? "")
        },
    ]

    /// One row of `table`.
    private static func route(_ method: String, _ pattern: String, _ source: String, open: Bool = false,
                              _ handle: @escaping Handler) -> (route: ConsoleRoute, handle: Handler) {
        (ConsoleRoute(method: method, pattern: pattern, source: source, open: open), handle)
    }

    /// Records the request, applies injected failures and delays, checks the token, routes it.
    static func respond(to request: Request, state: ConsoleState) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 4 << 20)
        let data = Data(buffer.readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let call = ConsoleCall(
            method: request.method.rawValue,
            path: request.uri.path.removingPercentEncoding ?? request.uri.path,
            query: parseQuery(request.uri.query),
            headers: headers,
            body: data.isEmpty ? nil : try? JSONDecoder().decode(JSONValue.self, from: data)
        )
        let (injected, delay) = state.locked { storage -> (Int?, Double) in
            storage.calls.append(call)
            guard storage.injectedFailures.count > 0 else { return (nil, storage.delaySeconds) }
            storage.injectedFailures.count -= 1
            return (storage.injectedFailures.status, storage.delaySeconds)
        }
        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        if let injected { return response(.error(injected, "injected failure (\(injected))")) }
        let unreadable = !data.isEmpty && call.body == nil
        let answer = state.locked { storage in route(call, unreadableBody: unreadable, &storage) }
        return response(answer)
    }

    /// The answer of the first route that matches, after its token check.
    static func route(_ call: ConsoleCall, unreadableBody: Bool, _ storage: inout ConsoleState.Storage) -> ConsoleAnswer {
        let path = call.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for (route, handle) in table {
            guard let parameters = route.match(call.method, path) else { continue }
            if !route.open, let token = storage.token, call.header("authorization") != "Bearer \(token)" {
                return .error(401, "missing or wrong bearer token")
            }
            if unreadableBody { return .error(400, "the body is not JSON") }
            return handle(&storage, call, parameters)
        }
        return .error(404, "no route for \(call.method) \(call.path)")
    }

    static func parseQuery(_ query: String?) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var components = URLComponents()
        components.percentEncodedQuery = query
        var result: [String: String] = [:]
        for item in components.queryItems ?? [] { result[item.name] = item.value ?? "" }
        return result
    }

    static func response(_ answer: ConsoleAnswer) -> Response {
        var headers = HTTPFields()
        if answer.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        guard let body = answer.body else {
            return Response(status: .init(code: answer.status), headers: headers, body: ResponseBody())
        }
        headers[.contentType] = "application/json"
        return Response(status: .init(code: answer.status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.canonicalBytes)))
    }
}
