import Foundation
import Logging
import Manifests
import Reconcile

/// The `http` driver (DESIGN §5): carries actions to a console deployment API over HTTP, using only
/// the endpoints the Aureus DevOps guide documents plus DESIGN's runtime-adapter routes and
/// `DELETE /api/deployments/:id`.
///
/// The console ids it learns (versions, deployments) are recorded in `ids` as soon as they are
/// known, so a restart or a new leader still knows them. Every deployment it creates carries
/// `metadata.stewardDeployment`. 5xx answers, timeouts and connection errors are retried with
/// exponential backoff and end as transient errors; 4xx answers are terminal at once. The token is
/// sent as a bearer header and never appears in logs, errors or descriptions.
public final class HTTPDriver: Driver, Sendable {
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
    /// Where the console ids it learns are kept.
    let ids: any ConsoleIdStore
    /// `baseURL` without credentials: the key of this console's ids.
    let consoleKey: String
    /// The environment's `gates.smokeTests`, sent with every `smokeTest` action.
    public let smokeTests: [SmokeTest]
    /// The environment's `promotesFrom`: `promote` actions promote the console deployment running there.
    public let promotesFrom: String?

    public init(baseURL: URL, token: String?, environment: String, ids: any ConsoleIdStore, smokeTests: [SmokeTest] = [],
                promotesFrom: String? = nil, requestTimeout: Double = 30, pollInterval: Double = 1, deployTimeout: Double = 600,
                retries: Int = 3, initialBackoff: Double = 0.5, logger: Logger = Logger(label: "steward.driver.http")) {
        self.smokeTests = smokeTests
        self.promotesFrom = promotesFrom
        self.baseURL = baseURL
        self.consoleKey = Self.consoleKey(baseURL)
        self.token = token
        self.environment = environment
        self.ids = ids
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
        case .switchSlot:
            // The DevOps guide's console has no traffic endpoint: it gets `metadata.strategy` with each deploy, as
            // before, and routes itself; the switch is recorded by Steward (DESIGN §10).
            let slot = request.action.document["spec"]?["activeSlot"]?.string ?? "?"
            return ActionOutcome(message: "traffic of \(request.action.key.name) is routed by the console (blue-green passed with each deploy); \(slot) recorded as active")
        case .backup, .pruneBackups:
            throw DriverError("the http driver does not run \(request.action.kind.rawValue) actions", transient: false)
        }
    }

    /// Answered from the recorded ids and `GET /api/deployments?environment=ENV` only. The guide has
    /// no endpoint that shows a version or an adapter: a version has its effect when its id is
    /// recorded; `PUT` / `DELETE` of an adapter are idempotent, so they are sent again (a `DELETE`
    /// answered 404 counts as done).
    public func hasEffect(_ request: ActionRequest) async throws -> Bool {
        let action = request.action
        switch action.kind {
        case .registerVersion:
            let (name, version) = try Self.blueprintVersion(of: action)
            return try await book().versionId(blueprint: name, version: version) != nil
        case .deploy, .promote, .rollback:
            let target = try DeploymentTarget(action)
            let book = try await book()
            let list = try await deployments(environment: request.environment)
            let knownId = book.deploymentId(environment: request.environment, deployment: target.name)
            guard let current = list.current(of: target.name, knownId: knownId) else { return false }
            return current.status == ConsoleStatus.deployed && runs(current, target.version, of: target.blueprint, book: book)
        case .undeploy:
            let name = action.key.name
            let knownId = try await book().deploymentId(environment: request.environment, deployment: name)
            let list = try await deployments(environment: request.environment)
            return !list.mine(name, knownId: knownId).contains { ConsoleStatus.isLive($0.status) }
        case .configureAdapter, .removeAdapter, .smokeTest, .backup, .pruneBackups, .switchSlot:
            return false
        }
    }
}

extension HTTPDriver: CustomStringConvertible {
    /// Names the console and environment only, never the token.
    public var description: String { "HTTPDriver(\(consoleKey), environment: \(environment))" }
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
