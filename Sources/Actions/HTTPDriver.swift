import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Manifests
import Reconcile

/// The `http` driver (DESIGN §5): carries actions to a console deployment API over HTTP.
///
/// Every deployment it creates carries `metadata.stewardDeployment`; console deployments without it
/// are ignored. 5xx answers, timeouts and connection errors are retried with exponential backoff and
/// end as transient errors; 4xx answers are terminal at once. The token is sent as a bearer header and
/// never appears in logs, errors or descriptions.
public final class HTTPDriver: Driver, @unchecked Sendable {
    public let baseURL: URL
    /// The environment this driver serves (the default for `health(environment:)`).
    public let environment: String
    let token: String?
    let requestTimeout: Double
    let pollInterval: Double
    let deployTimeout: Double
    let retries: Int
    let initialBackoff: Double
    let logger: Logger
    /// Console version ids by `name@version`, learned on registration or from the version list.
    let versionIds = VersionIdCache()
    /// The environment's `gates.smokeTests`, sent with every `smokeTest` action.
    public let smokeTests: [SmokeTest]
    /// The environment's `promotesFrom`: `promote` actions promote the console deployment running there.
    public let promotesFrom: String?

    public init(baseURL: URL, token: String?, environment: String, smokeTests: [SmokeTest] = [], promotesFrom: String? = nil,
                requestTimeout: Double = 30,
                pollInterval: Double = 1, deployTimeout: Double = 600, retries: Int = 3, initialBackoff: Double = 0.5,
                logger: Logger = Logger(label: "steward.driver.http")) {
        self.smokeTests = smokeTests
        self.promotesFrom = promotesFrom
        self.baseURL = baseURL
        self.token = token
        self.environment = environment
        self.requestTimeout = requestTimeout
        self.pollInterval = pollInterval
        self.deployTimeout = deployTimeout
        self.retries = max(0, retries)
        self.initialBackoff = initialBackoff
        self.logger = logger
    }

    public func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        switch request.action.kind {
        case .registerVersion: return try await registerVersion(request)
        case .configureAdapter: return try await configureAdapter(request)
        case .removeAdapter: return try await removeAdapter(request)
        case .deploy: return try await deploy(request)
        case .promote:
            guard let promotesFrom else { return try await deploy(request) }
            return try await promote(request, sourceEnvironment: promotesFrom)
        case .smokeTest: return try await smokeTest(request, tests: smokeTests)
        case .rollback: return try await rollback(request)
        case .undeploy: return try await undeploy(request)
        case .backup, .pruneBackups:
            throw DriverError("the http driver does not run \(request.action.kind.rawValue) actions", transient: false)
        }
    }

    public func hasEffect(_ request: ActionRequest) async throws -> Bool {
        let action = request.action
        switch action.kind {
        case .registerVersion:
            let (name, version) = try Self.blueprintVersion(of: action)
            return try await lookUpVersionId(name: name, version: version) != nil
        case .deploy, .promote, .rollback:
            let target = try DeploymentTarget(action)
            let list = try await deployments(environment: request.environment)
            guard let current = Self.current(of: target.name, in: list) else { return false }
            return current.status == ConsoleStatus.deployed && current.stewardVersion == target.version
        case .undeploy:
            let list = try await deployments(environment: request.environment)
            return !list.contains { $0.stewardDeployment == action.key.name && ConsoleStatus.isLive($0.status) }
        case .configureAdapter:
            let response = try await send("GET", Self.adapterPath(action.key.name))
            guard response.status != 404 else { return false }
            let stored = try response.decode(JSONValue.self, what: "runtime adapter")
            return stored.canonicalJSON == (action.document["spec"] ?? .null).canonicalJSON
        case .removeAdapter:
            return try await send("GET", Self.adapterPath(action.key.name)).status == 404
        case .smokeTest, .backup, .pruneBackups:
            return false
        }
    }
}

extension HTTPDriver: CustomStringConvertible {
    /// Names the console and environment only, never the token.
    public var description: String {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)
        components?.user = nil
        components?.password = nil
        return "HTTPDriver(\(components?.string ?? "console"), environment: \(environment))"
    }
}

/// Console deployment statuses the driver reads.
enum ConsoleStatus {
    static let deployed = "deployed"
    static let failed = "failed"
    static let rolledBack = "rolled_back"
    static let superseded = "superseded"
    /// Statuses of a deployment that no longer runs (or never will).
    static let ended: Set<String> = ["failed", "rolled_back", "superseded", "undeployed", "deleted"]

    /// Whether a deployment in this status runs or is about to.
    static func isLive(_ status: String) -> Bool { !ended.contains(status) }
}

/// Console version ids by `name@version` (in memory; re-learned from the console when unknown).
final class VersionIdCache: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [String: String] = [:]

    subscript(key: String) -> String? {
        get { lock.withLock { ids[key] } }
        set { lock.withLock { ids[key] = newValue } }
    }
}
