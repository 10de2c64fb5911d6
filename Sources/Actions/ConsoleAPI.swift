import Foundation
import Manifests

/// The console deployment API's answers (DevOps guide, "API-Driven Deployment Workflow"; DESIGN §5),
/// read leniently: only the fields Steward uses are looked at, anything else is ignored.
public enum ConsoleAPI {
    /// What creating a version or a deployment answers (register, deploy, promote, rollback): `{id, status, ...}`.
    public struct Created: Sendable, Hashable {
        public var id: String
        public var status: String?

        /// Nil when the answer carries no id.
        init?(_ json: JSONValue) {
            guard let id = json["id"]?.consoleId else { return nil }
            self.id = id
            self.status = json["status"]?.string
        }
    }

    /// One console deployment, as `GET /api/deployments/:id` and `GET /api/deployments?environment=` show it.
    public struct Deployment: Sendable, Hashable {
        public var id: String
        public var versionId: String?
        public var environment: String?
        /// `pending`, `deployed`, `failed`, ...; `unknown` when the console gives none.
        public var status: String
        public var metadata: JSONValue?
        /// The `health` member as the console gave it (see `health`).
        public var healthJSON: JSONValue?
        /// When it was created (RFC 3339), when the console says.
        public var createdAt: String?
        /// Why a deployment failed, when the console says.
        public var error: String?
        public var message: String?

        /// Nil when the entry is not an object with an id.
        init?(_ json: JSONValue) {
            guard json.object != nil, let id = json["id"]?.consoleId else { return nil }
            self.id = id
            versionId = json["versionId"]?.consoleId
            environment = json["environment"]?.string
            status = json["status"]?.string ?? "unknown"
            metadata = json["metadata"]
            healthJSON = json["health"]
            createdAt = json["createdAt"]?.string
            error = json["error"]?.string
            message = json["message"]?.string
        }

        /// `metadata.stewardDeployment`: the Steward Deployment that created it; nil for foreign ones.
        public var stewardDeployment: String? { metadata?["stewardDeployment"]?.string }
        /// `metadata.stewardVersion`: the blueprint version Steward deployed.
        public var stewardVersion: String? { metadata?["stewardVersion"]?.string }
        /// What its `health` member says.
        public var health: HealthReading { HealthReading(healthJSON) }
    }

    /// `{overallStatus, testResults, ...}` of `POST /api/deployments/:id/smoke-tests`.
    public struct SmokeTestReport: Sendable, Hashable {
        /// `passed`, `failed`, ...
        public var overallStatus: String
        public var testResults: [TestResult]

        /// The overall status, else derived from `failedTests` or the results; nil when none of them is there.
        init?(_ json: JSONValue) {
            testResults = json["testResults"]?.array?.map(TestResult.init) ?? []
            if let status = json["overallStatus"]?.string {
                overallStatus = status
            } else if let failed = json["failedTests"]?.number {
                overallStatus = failed > 0 ? "failed" : "passed"
            } else if !testResults.isEmpty {
                overallStatus = testResults.contains { $0.failed } ? "failed" : "passed"
            } else {
                return nil
            }
        }
    }

    /// One smoke test's result: `{name, status, duration}`.
    public struct TestResult: Sendable, Hashable {
        public var name: String?
        public var status: String?
        public var message: String?

        init(_ json: JSONValue) {
            name = json["name"]?.string
            status = json["status"]?.string
            message = json["message"]?.string ?? json["error"]?.string
        }

        var failed: Bool { (status ?? "").lowercased() == "failed" }
    }
}

/// What a console says about health: a reading, nothing, or something Steward cannot read.
public enum HealthReading: Sendable, Hashable {
    case sample(HealthSample)
    case absent
    /// The health of an unknown shape, and why it could not be read.
    case unreadable(String)

    /// `{status, errorRate, responseTime}` (DevOps guide), `{healthy: bool}` (the adapter registry's
    /// shape), a bare status string or boolean.
    init(_ json: JSONValue?) {
        switch json {
        case nil, .null?:
            self = .absent
        case .string(let status)?:
            self = .sample(HealthSample(status: status))
        case .bool(let healthy)?:
            self = .sample(HealthSample(status: healthy ? "healthy" : "unhealthy"))
        case .object(let members)?:
            let status: String
            if let text = members["status"]?.string {
                status = text
            } else if case .bool(let healthy)? = members["healthy"] {
                status = healthy ? "healthy" : "unhealthy"
            } else {
                self = .unreadable("health \(json.map(ConsoleAPI.quote) ?? "") has neither a status nor healthy")
                return
            }
            var sample = HealthSample(status: status)
            for (name, value) in [("errorRate", members["errorRate"]), ("responseTime", members["responseTime"])] {
                guard let value, value != .null else { continue }
                guard let number = value.number else {
                    self = .unreadable("health \(name) \(ConsoleAPI.quote(value)) is not a number")
                    return
                }
                if name == "errorRate" { sample.errorRate = number } else { sample.responseTime = number }
            }
            self = .sample(sample)
        case let other?:
            self = .unreadable("health \(ConsoleAPI.quote(other)) is neither an object, a status nor a boolean")
        }
    }
}

/// One health reading of a console deployment, for the health gate (DESIGN §6).
public struct HealthSample: Sendable, Hashable, Codable {
    /// `healthy`, `degraded`, ... as the console reports it.
    public var status: String
    public var errorRate: Double?
    /// Response time in milliseconds.
    public var responseTime: Double?

    public init(status: String, errorRate: Double? = nil, responseTime: Double? = nil) {
        self.status = status
        self.errorRate = errorRate
        self.responseTime = responseTime
    }

    /// Whether the console calls it healthy.
    public var isHealthy: Bool { status.lowercased() == "healthy" }
}

extension ConsoleAPI {
    /// A JSON value for a message: its canonical JSON, cut at 120 characters.
    static func quote(_ value: JSONValue) -> String {
        let text = value.canonicalJSON
        return text.count > 120 ? String(text.prefix(117)) + "..." : text
    }
}

extension JSONValue {
    /// An id as the console gives it: a string, or an integer written out.
    var consoleId: String? {
        switch self {
        case .string(let text) where !text.isEmpty: return text
        case .int(let number): return String(number)
        default: return nil
        }
    }
}
