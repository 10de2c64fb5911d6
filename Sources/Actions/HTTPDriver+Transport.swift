import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AsyncHTTPClient
import Logging
import Manifests
import NIOCore
import NIOHTTP1

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

    /// One exchange through AsyncHTTPClient (event-driven: URLSession on Linux polls its sockets
    /// while it waits, burning a core on a console that does not answer), bounded by
    /// `requestTimeout` from connect to the last body byte. Cancelling the calling task cancels it.
    func perform(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        guard let url = request.url else { throw URLError(.badURL) }
        let address = url.absoluteString, method = request.httpMethod ?? "GET"
        let headers = request.allHTTPHeaderFields ?? [:], body = request.httpBody
        let timeout = requestTimeout
        let (data, status): (Data, Int)
        do {
            (data, status) = try await withThrowingTaskGroup(of: (Data, Int).self) { group in
                group.addTask {
                    var outgoing = HTTPClientRequest(url: address)
                    outgoing.method = HTTPMethod(rawValue: method)
                    for (name, value) in headers { outgoing.headers.add(name: name, value: value) }
                    if let body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
                    let response = try await HTTPClient.shared.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000) + 1))
                    let bytes = try await response.body.collect(upTo: Self.maxBodyBytes)
                    return (Data(bytes.readableBytesView), Int(response.status.code))
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    throw URLError(.timedOut)
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as URLError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.transportError(error)
        }
        guard let http = HTTPURLResponse(url: url, statusCode: status, httpVersion: "HTTP/1.1", headerFields: [:]) else {
            throw URLError(.badServerResponse)
        }
        return (data, http)
    }

    /// A console answer is JSON of a few kilobytes; more is refused rather than buffered.
    static let maxBodyBytes = 16 * 1024 * 1024

    /// AsyncHTTPClient's and NIO's errors as the `URLError` codes `describe` names.
    static func transportError(_ error: any Error) -> any Error {
        if let client = error as? HTTPClientError {
            if [.deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout].contains(client) { return URLError(.timedOut) }
            if [.remoteConnectionClosed, .cancelled].contains(client) { return URLError(.networkConnectionLost) }
        }
        let text = String(describing: error)
        if text.contains("refused") || text.contains("Refused") || text.contains("ECONNREFUSED") { return URLError(.cannotConnectToHost) }
        return error
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
