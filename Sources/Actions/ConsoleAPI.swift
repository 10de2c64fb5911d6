import Manifests

/// The console deployment API's wire shapes (DESIGN §5, `http` driver), as the driver reads them.
public enum ConsoleAPI {
    /// `{id, status}`: what creating a version or deployment (deploy, promote, rollback) answers.
    public struct Created: Decodable, Sendable, Hashable {
        public var id: String
        public var status: String?
    }

    /// One registered blueprint version, as `GET /api/deployments/versions?name=` lists it.
    public struct Version: Decodable, Sendable, Hashable {
        public var id: String
        public var name: String?
        public var version: String?
    }

    /// The body of a 409 on `POST /api/deployments/versions`: what is registered under that id.
    public struct VersionConflict: Decodable, Sendable, Hashable {
        public var id: String?
        public var workflowSpec: JSONValue?
    }

    /// One console deployment (`GET /api/deployments[/:id]`).
    public struct Deployment: Decodable, Sendable, Hashable {
        public var id: String
        public var versionId: String?
        public var environment: String?
        public var status: String
        public var metadata: JSONValue?
        public var health: Health?
        /// Why a deployment failed, when the console says.
        public var error: String?
        public var message: String?

        /// `metadata.stewardDeployment`: the Steward Deployment that created it; nil for foreign ones.
        public var stewardDeployment: String? { metadata?["stewardDeployment"]?.string }
        /// `metadata.stewardVersion`: the blueprint version Steward deployed.
        public var stewardVersion: String? { metadata?["stewardVersion"]?.string }
    }

    /// `health` of a console deployment.
    public struct Health: Decodable, Sendable, Hashable {
        public var status: String?
        public var errorRate: Double?
        public var responseTime: Double?
    }

    /// `{overallStatus, testResults}` of `POST /api/deployments/:id/smoke-tests`.
    public struct SmokeTestReport: Decodable, Sendable, Hashable {
        public var overallStatus: String
        public var testResults: [TestResult]?
    }

    /// One smoke test's result.
    public struct TestResult: Decodable, Sendable, Hashable {
        public var name: String?
        public var status: String?
        public var message: String?
    }

    /// `GET /health/runtime-adapters`: `{adapters: [{name, status}]}`.
    public struct AdapterHealthList: Decodable, Sendable, Hashable {
        public struct Entry: Decodable, Sendable, Hashable {
            public var name: String
            public var status: String?
        }

        public var adapters: [Entry]
    }

    /// An error body: `{error}` or `{message}`.
    struct ErrorBody: Decodable {
        var error: String?
        var message: String?
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
