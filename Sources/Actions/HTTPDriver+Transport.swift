import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Manifests

/// One answer from the console below 500 (5xx are retried, then thrown).
struct ConsoleResponse: Sendable {
    var method: String
    var path: String
    var status: Int
    var body: Data
    /// Redacts the token out of anything quoted from the body.
    var redact: @Sendable (String) -> String

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as `T`; a body that does not decode is a terminal error.
    func decode<T: Decodable>(_ type: T.Type, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw DriverError("console \(method) \(path) answered \(status) with an unreadable \(what): \(snippet)", transient: false)
        }
    }

    /// The body's `error`/`message`, or its first 200 characters, token redacted.
    var snippet: String {
        let text: String
        if let parsed = try? JSONDecoder().decode(ConsoleAPI.ErrorBody.self, from: body), let message = parsed.error ?? parsed.message {
            text = message
        } else {
            text = String(decoding: body.prefix(200), as: UTF8.self)
        }
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
        return DriverError("\(prefix)console \(method) \(path) answered \(status) \(Self.reason(status)): \(snippet)", transient: false)
    }

    static func reason(_ status: Int) -> String {
        HTTPURLResponse.localizedString(forStatusCode: status)
    }
}

extension HTTPDriver {
    /// Sends one request, retrying 5xx answers, timeouts and connection errors with exponential backoff.
    /// Returns any answer below 500; throws a transient `DriverError` when the retries run out.
    func send(_ method: String, _ path: String, query: [URLQueryItem] = [], body: JSONValue? = nil,
              idempotencyKey: String? = nil) async throws -> ConsoleResponse {
        let request = try urlRequest(method, path, query: query, body: body, idempotencyKey: idempotencyKey)
        var lastProblem = ""
        for attempt in 0...retries {
            if attempt > 0 {
                let delay = initialBackoff * pow(2, Double(attempt - 1))
                logger.debug("retrying console request", metadata: [
                    "method": "\(method)", "path": "\(path)", "attempt": "\(attempt + 1)", "problem": "\(lastProblem)",
                ])
                try await Task.sleep(for: .seconds(delay))
            }
            do {
                let (data, http) = try await perform(request)
                let answer = ConsoleResponse(method: method, path: path, status: http.statusCode, body: data, redact: redactor)
                if http.statusCode >= 500 {
                    lastProblem = "answered \(http.statusCode) \(ConsoleResponse.reason(http.statusCode)): \(answer.snippet)"
                    continue
                }
                return answer
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as URLError where error.code == .cancelled && Task.isCancelled {
                throw CancellationError()
            } catch {
                lastProblem = describe(error)
            }
        }
        let attempts = retries + 1
        throw DriverError("console \(method) \(path) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(lastProblem)",
                          transient: true)
    }

    /// One exchange, bounded by `requestTimeout` (enforced here: FoundationNetworking on Linux rounds
    /// its own timeouts down to whole seconds, so 0.5 s would time out at once). Cancelling the
    /// calling task cancels the request.
    func perform(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let exchange = Exchange()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.start(continuation)
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        exchange.finish(.failure(error))
                    } else if let http = response as? HTTPURLResponse {
                        exchange.finish(.success((data ?? Data(), http)))
                    } else {
                        exchange.finish(.failure(URLError(.badServerResponse)))
                    }
                }
                exchange.attach(task)
                DispatchQueue.global().asyncAfter(deadline: .now() + requestTimeout) {
                    exchange.finish(.failure(URLError(.timedOut)))
                }
                task.resume()
            }
        } onCancel: {
            exchange.finish(.failure(CancellationError()))
        }
    }

    /// Sends and requires a 2xx answer; 4xx is a terminal error.
    func call(_ method: String, _ path: String, query: [URLQueryItem] = [], body: JSONValue? = nil,
              idempotencyKey: String? = nil) async throws -> ConsoleResponse {
        try await send(method, path, query: query, body: body, idempotencyKey: idempotencyKey).requireSuccess()
    }

    /// `baseURL`'s path + `path`, with the standard headers.
    func urlRequest(_ method: String, _ path: String, query: [URLQueryItem], body: JSONValue?,
                    idempotencyKey: String?) throws -> URLRequest {
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else {
            throw DriverError("console URL \(baseURL.absoluteString) is not a valid URL", transient: false)
        }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        components.percentEncodedPath = basePath + path
        components.queryItems = query.isEmpty ? nil : query
        guard let url = components.url else {
            throw DriverError("cannot form a console URL for \(path)", transient: false)
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData,
                                 timeoutInterval: (requestTimeout + 1).rounded(.up))
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        if let body { request.httpBody = Data(body.canonicalBytes) }
        return request
    }

    /// A one-line description of a transport error (timeouts and refused connections by name).
    func describe(_ error: any Error) -> String {
        if let urlError = error as? URLError {
            switch urlError.code {
            case .timedOut: return "timed out after \(requestTimeout)s"
            case .cannotConnectToHost: return "cannot connect to \(baseURL.host ?? "the console")"
            case .networkConnectionLost: return "connection lost"
            case .cannotFindHost: return "cannot find host \(baseURL.host ?? "")"
            default: return redactor("network error \(urlError.code.rawValue): \(urlError.localizedDescription)")
            }
        }
        return redactor("\(error)")
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
}

/// One URLSession task and the continuation waiting for it: the first of answer, timeout or
/// cancellation wins; the task is cancelled when it did not answer.
final class Exchange: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>?
    private var task: URLSessionDataTask?
    private var outcome: Result<(Data, HTTPURLResponse), any Error>?

    func start(_ continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) {
        let early: Result<(Data, HTTPURLResponse), any Error>? = lock.withLock {
            if outcome == nil { self.continuation = continuation }
            return outcome
        }
        if let early { continuation.resume(with: early) }
    }

    func attach(_ task: URLSessionDataTask) {
        let cancelNow = lock.withLock {
            self.task = task
            return outcome != nil
        }
        if cancelNow { task.cancel() }
    }

    func finish(_ result: Result<(Data, HTTPURLResponse), any Error>) {
        let (waiting, task): (CheckedContinuation<(Data, HTTPURLResponse), any Error>?, URLSessionDataTask?) = lock.withLock {
            guard outcome == nil else { return (nil, nil) }
            outcome = result
            defer { continuation = nil; self.task = nil }
            return (continuation, self.task)
        }
        if case .failure = result { task?.cancel() }
        waiting?.resume(with: result)
    }
}
