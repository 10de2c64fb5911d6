import AsyncHTTPClient
import Foundation
import Manifests
import NIOCore

/// A WebDriver command failed: the W3C error code (`no such element`, `timeout`, ...) and message.
public struct WebDriverError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The W3C `error` code, or this client's own (`chromedriver exited`, `bad response`).
    public var error: String
    public var message: String
    /// The HTTP status of the answer, when there was one.
    public var status: Int?

    public init(error: String, message: String, status: Int? = nil) {
        self.error = error
        self.message = message
        self.status = status
    }

    public var description: String { "WebDriver \(error): \(message)" }
}

/// A reference to an element of the current page, as WebDriver returns it.
public struct ElementID: Sendable, Hashable, CustomStringConvertible {
    /// The W3C web element identifier key.
    public static let key = "element-6066-11e4-a52e-4f735466cecf"
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The reference as a script argument (`arguments[0]` is the element in `executeScript`).
    public var json: JSONValue { .object([Self.key: .string(rawValue)]) }

    public var description: String { rawValue }

    init(from value: JSONValue) throws {
        guard let id = value[Self.key]?.string else {
            throw WebDriverError(error: "bad response", message: "not an element reference: \(value)")
        }
        self.init(id)
    }
}

/// A cookie of the current page as the browser holds it.
public struct WebDriverCookie: Sendable, Hashable {
    public var name: String
    public var value: String
    public var httpOnly: Bool
    /// `Strict`, `Lax` or `None`, as the browser reports it.
    public var sameSite: String?
    public var path: String?
    public var secure: Bool

    init(from json: JSONValue) {
        name = json["name"]?.string ?? ""
        value = json["value"]?.string ?? ""
        httpOnly = json["httpOnly"] == .bool(true)
        sameSite = json["sameSite"]?.string
        path = json["path"]?.string
        secure = json["secure"] == .bool(true)
    }
}

/// Plain W3C WebDriver over HTTP: JSON in, the answer's `value` out, `{error, message}` thrown.
enum WebDriverWire {
    static func send(_ method: String, _ url: URL, _ body: JSONValue? = nil, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .init(rawValue: method)
        if let body = body ?? (method == "POST" ? .object([:]) : nil) {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeAmount(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let data = Data(bytes.readableBytesView)
        let status = Int(response.status.code)
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            let text = String(decoding: data.prefix(500), as: UTF8.self)
            throw WebDriverError(error: "bad response", message: "\(method) \(url.path): HTTP \(status): \(text)", status: status)
        }
        let value = json["value"] ?? .null
        if let code = value["error"]?.string {
            throw WebDriverError(error: code, message: value["message"]?.string ?? "", status: status)
        }
        guard (200..<300).contains(status) else {
            throw WebDriverError(error: "bad response", message: "\(method) \(url.path): HTTP \(status): \(json)", status: status)
        }
        return value
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
