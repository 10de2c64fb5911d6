import AsyncHTTPClient
import Foundation
import Logging
import Manifests
import NIOCore
import NIOHTTP1

/// One answer from the console below 500 (5xx are retried, then thrown).
struct ConsoleResponse: Sendable {
    var method: HTTPMethod
    var path: String
    var status: HTTPResponseStatus
    var body: Data
    /// Redacts the token out of anything quoted from the body.
    var redact: @Sendable (String) -> String

    var isSuccess: Bool { (200..<300).contains(status.code) }

    /// The body as JSON; a body that is not JSON is a terminal error.
    func json(what: String) throws -> JSONValue {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw DriverError("console \(method.rawValue) \(path) answered \(status.code) with \(what) that is not JSON: \(snippet)",
                              transient: false)
        }
        return value
    }

    /// The body's `error`/`message`, or its first 200 characters, token redacted.
    var snippet: String {
        let parsed = try? JSONDecoder().decode(JSONValue.self, from: body)
        let text = parsed?["error"]?.string ?? parsed?["message"]?.string ?? String(decoding: body.prefix(200), as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return redact(trimmed.isEmpty ? "(empty body)" : trimmed)
    }

    /// Throws a terminal error unless the answer is 2xx.
    func requireSuccess() throws -> ConsoleResponse {
        guard isSuccess else { throw failure() }
        return self
    }

    /// The terminal error for a 4xx (or unexpected) answer.
    func failure(_ context: String? = nil) -> DriverError {
        let prefix = context.map { "\($0): " } ?? ""
        return DriverError("\(prefix)console \(method.rawValue) \(path) answered \(status.code) \(status.reasonPhrase): \(snippet)",
                           transient: false)
    }
}

extension HTTPDriver {
    /// One client for every console: event-driven sockets (no core burnt on a console that does not
    /// answer), no redirects (the bearer token never follows one), and a refused connection fails at
    /// once so that `send` retries it with its own backoff.
    static let client: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60))
        pool.retryConnectionEstablishment = false
        let configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30)),
                                                     connectionPool: pool)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A console answer is JSON of a few kilobytes; more is refused rather than buffered.
    static let maxBodyBytes = 16 * 1024 * 1024

    /// Sends one request, retrying 5xx answers, timeouts and connection errors with exponential backoff.
    /// Returns any answer below 500; throws a transient `DriverError` when the retries run out.
    func send(_ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = [], body: JSONValue? = nil,
              idempotencyKey: String? = nil) async throws -> ConsoleResponse {
        let request = try clientRequest(method, path, query: query, body: body, idempotencyKey: idempotencyKey)
        var lastProblem = ""
        for attempt in 0...retries {
            if attempt > 0 {
                let delay = initialBackoff * pow(2, Double(attempt - 1))
                logger.debug("retrying console request", metadata: [
                    "method": "\(method.rawValue)", "path": "\(path)", "attempt": "\(attempt + 1)", "problem": "\(lastProblem)",
                ])
                try await Task.sleep(for: .seconds(delay))
            }
            do {
                let (status, data) = try await perform(request)
                let answer = ConsoleResponse(method: method, path: path, status: status, body: data, redact: redactor)
                guard status.code >= 500 else { return answer }
                lastProblem = "answered \(status.code) \(status.reasonPhrase): \(answer.snippet)"
            } catch let problem as ConsoleTransportProblem {
                guard problem.isRetried else {
                    throw DriverError("console \(method.rawValue) \(path): \(describe(problem))", transient: false)
                }
                lastProblem = describe(problem)
            }
        }
        let attempts = retries + 1
        throw DriverError("console \(method.rawValue) \(path) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(lastProblem)",
                          transient: true)
    }

    /// One exchange, bounded by `requestTimeout` from connect to the last body byte. Throws
    /// `ConsoleTransportProblem` when no answer came, `CancellationError` when the task was cancelled.
    func perform(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, Data) {
        let timeout = requestTimeout
        do {
            return try await withThrowingTaskGroup(of: (HTTPResponseStatus, Data).self) { group in
                group.addTask {
                    let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout * 1000) + 1))
                    let bytes = try await response.body.collect(upTo: Self.maxBodyBytes)
                    return (response.status, Data(bytes.readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    throw ConsoleTransportProblem.timedOut
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch {
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw ConsoleTransportProblem(classifying: error)
        }
    }

    /// Sends and requires a 2xx answer; 4xx is a terminal error.
    func call(_ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = [], body: JSONValue? = nil,
              idempotencyKey: String? = nil) async throws -> ConsoleResponse {
        try await send(method, path, query: query, body: body, idempotencyKey: idempotencyKey).requireSuccess()
    }

    /// `baseURL`'s path + `path` (+ query), with the standard headers.
    func clientRequest(_ method: HTTPMethod, _ path: String, query: [(name: String, value: String)], body: JSONValue?,
                       idempotencyKey: String?) throws -> HTTPClientRequest {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https", components.host != nil else {
            throw DriverError("console URL \(consoleKey) is not an http(s) URL", transient: false)
        }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        components.percentEncodedPath = basePath + path
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.name, value: $0.value) }
        guard let url = components.string else { throw DriverError("cannot form a console URL for \(path)", transient: false) }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalBytes))
        }
        return request
    }

    /// A one-line description of a request that got no answer.
    func describe(_ problem: ConsoleTransportProblem) -> String {
        switch problem {
        case .timedOut: return "timed out after \(HTTPDriver.number(requestTimeout))s"
        case .connection(let reason): return redactor("cannot connect to \(hostAndPort): \(reason)")
        case .answerTooLarge: return "the answer is larger than \(Self.maxBodyBytes / 1024 / 1024) MiB"
        case .invalidRequest(let reason): return redactor("the request cannot be sent: \(reason)")
        }
    }

    /// `host:port` of the console, for messages.
    var hostAndPort: String {
        let host = baseURL.host ?? "the console"
        return baseURL.port.map { "\(host):\($0)" } ?? host
    }

    /// Replaces the token wherever it appears.
    var redactor: @Sendable (String) -> String {
        let token = self.token
        return { text in
            guard let token, !token.isEmpty else { return text }
            return text.replacingOccurrences(of: token, with: "[redacted]")
        }
    }

    /// Percent-encodes one path segment (names, ids).
    static func segment(_ value: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    static func adapterPath(_ name: String) -> String { "/api/runtime-adapters/\(segment(name))" }
    static func deploymentPath(_ id: String) -> String { "/api/deployments/\(segment(id))" }

    /// The console's base URL without credentials, query or trailing slash: the key its ids are kept under.
    static func consoleKey(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        components.scheme = components.scheme?.lowercased()
        components.host = components.host?.lowercased()
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        components.percentEncodedPath = path
        return components.string ?? url.absoluteString
    }
}
