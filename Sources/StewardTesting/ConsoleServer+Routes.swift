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

/// Turns Hummingbird requests into recorded calls and routes them.
enum ConsoleRoutes {
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
        let answer = state.locked { storage -> ConsoleAnswer in
            if let token = storage.token, call.header("authorization") != "Bearer \(token)" {
                return .error(401, "missing or wrong bearer token")
            }
            if !data.isEmpty && call.body == nil { return .error(400, "the body is not JSON") }
            return storage.route(call)
        }
        return response(answer)
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

extension ConsoleState.Storage {
    /// Routes one authorised call.
    mutating func route(_ call: ConsoleCall) -> ConsoleAnswer {
        let parts = call.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (call.method, parts) {
        case ("GET", ["health"]):
            return .json(200, .object(["status": .string("healthy")]))
        case ("GET", ["health", "runtime-adapters"]):
            let entries = adapters.keys.sorted().map { name -> JSONValue in
                .object(["name": .string(name), "status": .string(adapterHealth[name] ?? "healthy"),
                         "runtimeType": adapters[name]?["runtimeType"] ?? .null])
            }
            return .json(200, .object(["adapters": .array(entries)]))
        case ("POST", ["api", "deployments", "versions"]):
            return registerVersion(call.body)
        case ("GET", ["api", "deployments", "versions"]):
            let listed = versions.filter { call.query["name"] == nil || $0.name == call.query["name"] }
            return .json(200, .array(listed.map { .object(["id": .string($0.id), "name": .string($0.name), "version": .string($0.version)]) }))
        case ("POST", ["api", "deployments", "rollback"]):
            return rollback(call.body)
        case ("POST", ["api", "deployments"]):
            return createDeployment(call.body)
        case ("GET", ["api", "deployments"]):
            let listed = deployments.filter { call.query["environment"] == nil || $0.environment == call.query["environment"] }
            return .json(200, .array(listed.map(json)))
        case ("GET", let path) where path.count == 3 && path[0] == "api" && path[1] == "deployments":
            return poll(path[2])
        case ("DELETE", let path) where path.count == 3 && path[0] == "api" && path[1] == "deployments":
            guard let index = deployments.firstIndex(where: { $0.id == path[2] }) else { return .error(404, "no deployment \(path[2])") }
            deployments.remove(at: index)
            return .noContent
        case ("POST", let path) where path.count == 4 && path[0] == "api" && path[1] == "deployments" && path[3] == "promote":
            return promote(path[2], call.body)
        case ("POST", let path) where path.count == 4 && path[0] == "api" && path[1] == "deployments" && path[3] == "smoke-tests":
            return smokeTests(path[2], call.body)
        case ("PUT", let path) where path.count == 3 && path[0] == "api" && path[1] == "runtime-adapters":
            guard let body = call.body, body.object != nil else { return .error(400, "an adapter spec object is required") }
            adapters[path[2]] = body
            return .json(200, .object(["name": .string(path[2]), "status": .string("configured")]))
        case ("GET", let path) where path.count == 3 && path[0] == "api" && path[1] == "runtime-adapters":
            guard let spec = adapters[path[2]] else { return .error(404, "no runtime adapter \(path[2])") }
            return .json(200, spec)
        case ("DELETE", let path) where path.count == 3 && path[0] == "api" && path[1] == "runtime-adapters":
            guard adapters.removeValue(forKey: path[2]) != nil else { return .error(404, "no runtime adapter \(path[2])") }
            adapterHealth[path[2]] = nil
            return .noContent
        default:
            return .error(404, "no route for \(call.method) \(call.path)")
        }
    }

    /// `POST /api/deployments/versions`: 409 with the registered content when `name@version` exists.
    mutating func registerVersion(_ body: JSONValue?) -> ConsoleAnswer {
        guard let spec = body?["workflowSpec"], spec.object != nil,
              let name = spec["name"]?.string,
              let version = body?["version"]?.string ?? spec["version"]?.string else {
            return .error(400, "workflowSpec with name and version is required")
        }
        if let existing = versions.first(where: { $0.name == name && $0.version == version }) {
            return .json(409, .object([
                "error": .string("version \(name)@\(version) already registered"),
                "id": .string(existing.id), "workflowSpec": existing.workflowSpec,
            ]))
        }
        let id = newId("ver")
        versions.append(ConsoleVersionRecord(id: id, name: name, version: version, workflowSpec: spec, body: body ?? .null))
        return .json(201, .object(["id": .string(id), "status": .string("registered")]))
    }
}
