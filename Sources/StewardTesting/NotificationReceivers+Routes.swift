import Foundation
import Hummingbird
import Manifests

/// How a receiver answers: status, content type and body, and why it refused.
struct ReceiverAnswer {
    var status: Int
    var contentType: String
    var body: Data
    var reason: String?

    static func json(_ status: Int, _ body: JSONValue, reason: String? = nil) -> ReceiverAnswer {
        ReceiverAnswer(status: status, contentType: "application/json; charset=utf-8", body: Data(body.canonicalBytes), reason: reason)
    }

    static func text(_ status: Int, _ text: String) -> ReceiverAnswer {
        ReceiverAnswer(status: status, contentType: "text/plain; charset=utf-8", body: Data(text.utf8),
                       reason: (200..<300).contains(status) ? nil : text)
    }
}

extension NotificationReceivers {
    /// Reads and routes one request, applies `down` and injected failures, records it, answers it.
    func respond(to request: Request) async throws -> Response {
        var request = request
        let raw = Data(try await request.collectBody(upTo: 4 << 20).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        let path = request.uri.path
        let (kind, parameters) = route(request.method.rawValue, path)
        let json = try? JSONDecoder().decode(JSONValue.self, from: raw)
        let isForm = headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true
        let body = json ?? (isForm ? .object(Self.formFields(String(decoding: raw, as: UTF8.self)).mapValues(JSONValue.string)) : nil)
        var received = ReceivedNotification(kind: kind, method: request.method.rawValue, path: path, parameters: parameters,
                                            query: Self.formFields(request.uri.query ?? ""), headers: headers, body: body,
                                            rawBody: raw, status: 0, reason: nil)
        let base = baseURL?.absoluteString ?? ""
        let answer = state.locked { storage -> ReceiverAnswer in
            let answer: ReceiverAnswer
            if storage.down {
                answer = .json(503, .object(["message": .string("Service Unavailable")]), reason: "down")
            } else if let status = storage.takeInjectedFailure() {
                answer = .json(status, .object(["message": .string("injected failure (\(status))")]), reason: "injected failure")
            } else {
                answer = handle(kind, received, json: json, base: base, &storage)
            }
            received.status = answer.status
            received.reason = answer.reason
            storage.received.append(received)
            return answer
        }
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// The receiver `method path` addresses, and its path parameters (percent-decoded).
    func route(_ method: String, _ path: String) -> (NotificationReceivers.Kind?, [String: String]) {
        guard method == "POST" else { return (nil, [:]) }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        func decoded(_ segment: String) -> String { segment.removingPercentEncoding ?? segment }
        let prefix = configuration.githubPathPrefix.split(separator: "/").map(String.init)
        if segments.count == prefix.count + 5, Array(segments.prefix(prefix.count)) == prefix {
            let rest = Array(segments.dropFirst(prefix.count))
            if rest[0] == "repos", rest[3] == "statuses" {
                return (.github, ["owner": decoded(rest[1]), "repo": decoded(rest[2]), "sha": decoded(rest[4])])
            }
        }
        if segments.count == 6, segments[0...2] == ["api", "v4", "projects"], segments[4] == "statuses" {
            return (.gitlab, ["project": decoded(segments[3]), "sha": decoded(segments[5])])
        }
        if segments.first == "services" { return (.slack, [:]) }
        if segments.count == 2, segments[0] == "hooks", !segments[1].isEmpty { return (.webhook, ["name": decoded(segments[1])]) }
        return (nil, [:])
    }

    private func handle(_ kind: NotificationReceivers.Kind?, _ call: ReceivedNotification, json: JSONValue?, base: String,
                        _ storage: inout ReceiverState.Storage) -> ReceiverAnswer {
        switch kind {
        case .github: return github(call, json: json, base: base, &storage)
        case .gitlab: return gitlab(call, json: json, &storage)
        case .slack: return slack(call, json: json)
        case .webhook: return webhook(call, json: json)
        case nil: return .json(404, .object(["message": .string("Not Found")]), reason: "no receiver at \(call.method) \(call.path)")
        }
    }

    /// `application/x-www-form-urlencoded` (or a query string) as fields, `+` read as a space.
    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ") }
            fields[parts[0].removingPercentEncoding ?? parts[0]] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
        }
        return fields
    }

    /// Now as GitHub and GitLab write times.
    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
