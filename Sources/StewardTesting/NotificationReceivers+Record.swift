import Foundation
import Manifests

/// One request the receivers got, and how they answered it.
public struct ReceivedNotification: Sendable, Hashable {
    /// The receiver the path addressed; nil for a path no receiver serves.
    public var kind: NotificationReceivers.Kind?
    public var method: String
    /// The raw path, without the query.
    public var path: String
    /// Path parameters, percent-decoded: `owner`, `repo`, `sha` (GitHub); `project` ("group/project"
    /// or a number), `sha` (GitLab); `name` (webhook).
    public var parameters: [String: String]
    /// Query parameters, percent-decoded.
    public var query: [String: String]
    /// Header values by lowercased name.
    public var headers: [String: String]
    /// The body parsed: JSON, or a form body's fields as strings; nil when empty or unreadable.
    public var body: JSONValue?
    public var rawBody: Data
    /// The HTTP status answered.
    public var status: Int
    /// Why it was refused (the error the receiver answered), nil when accepted.
    public var reason: String?

    /// Answered 2xx.
    public var accepted: Bool { (200..<300).contains(status) }

    /// A header's value, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// A top-level member of `body`.
    public subscript(field: String) -> JSONValue? { body?[field] }
}

/// The receivers' mutable state behind one lock.
final class ReceiverState: @unchecked Sendable {
    struct Storage {
        var server: (url: URL, task: Task<Void, any Error>)?
        var received: [ReceivedNotification] = []
        var down = false
        var injectedFailures: (count: Int, status: Int) = (0, 500)
        var nextId = 1

        /// Takes one injected failure, if any is left: its status.
        mutating func takeInjectedFailure() -> Int? {
            guard injectedFailures.count > 0 else { return nil }
            injectedFailures.count -= 1
            return injectedFailures.status
        }

        mutating func newId() -> Int {
            defer { nextId += 1 }
            return nextId
        }
    }

    private let lock = NSLock()
    private var storage = Storage()

    func locked<T>(_ body: (inout Storage) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&storage)
    }
}
