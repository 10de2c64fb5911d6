import Foundation
import Manifests

/// One request the test console received.
public struct ConsoleCall: Sendable, Hashable {
    public var method: String
    /// The path without the query, percent-decoded.
    public var path: String
    public var query: [String: String]
    /// Header values by lowercased name.
    public var headers: [String: String]
    /// The JSON body, when there was one that parsed.
    public var body: JSONValue?

    public init(method: String, path: String, query: [String: String], headers: [String: String], body: JSONValue?) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// A header's value, by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A version registered on the test console.
public struct ConsoleVersionRecord: Sendable, Hashable {
    public var id: String
    /// `workflowSpec.id` (else its `name`): with `version`, what makes a version unique.
    public var workflowId: String
    /// `workflowSpec.name`, else the workflow id.
    public var name: String
    public var version: String
    public var workflowSpec: JSONValue
    public var body: JSONValue
}

/// A deployment on the test console.
public struct ConsoleDeploymentRecord: Sendable, Hashable {
    public var id: String
    public var versionId: String
    public var environment: String
    /// `pending`, `deployed`, `failed`, `superseded`, `rolled_back`.
    public var status: String
    public var metadata: JSONValue
    public var createdAt: Date
    /// `strategy` as the deploy's metadata or the promotion gave it.
    public var strategy: JSONValue?
    /// `deployedBy` or `promotedBy`.
    public var createdBy: String?
    public var deployedAt: Date?
    /// How often `GET /api/deployments/:id` asked for it.
    public var polls = 0
    public var error: String?
    public var promotedFrom: String?
    public var rollbackOf: String?
    public var reason: String?

    /// `metadata.stewardDeployment`.
    public var stewardDeployment: String? { metadata["stewardDeployment"]?.string }
}

/// Everything the test console holds, behind one lock.
final class ConsoleState: @unchecked Sendable {
    struct Storage {
        var token: String?
        var pollsUntilDeployed: Int
        var startedAt = Date()
        var calls: [ConsoleCall] = []
        var injectedFailures: (count: Int, status: Int) = (0, 500)
        var delaySeconds: Double = 0
        var versions: [ConsoleVersionRecord] = []
        var deployments: [ConsoleDeploymentRecord] = []
        var adapters: [String: JSONValue] = [:]
        var adapterHealthy: [String: Bool] = [:]
        /// Replaces the whole answer of `GET /health/runtime-adapters` (a console of another shape).
        var adapterHealthAnswer: JSONValue?
        var deployOutcomes: [String: DeployOutcome] = [:]
        var smokeTestsPass: [String: Bool] = [:]
        var health: [String: JSONValue] = [:]
        var nextId = 1

        /// `prefix-N`, unique across the console.
        mutating func newId(_ prefix: String) -> String {
            defer { nextId += 1 }
            return "\(prefix)-\(nextId)"
        }
    }

    private let lock = NSLock()
    private var storage: Storage

    init(token: String?, pollsUntilDeployed: Int) {
        storage = Storage(token: token, pollsUntilDeployed: max(0, pollsUntilDeployed))
    }

    func locked<T>(_ body: (inout Storage) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&storage)
    }
}

/// RFC 3339 with milliseconds, as the console writes times.
func consoleTime(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
}
