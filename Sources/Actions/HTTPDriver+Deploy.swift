import Foundation
import Manifests
import Reconcile

/// The Deployment an action is about: its name, blueprint and version.
struct DeploymentTarget: Sendable, Hashable {
    var name: String
    var blueprint: String
    var version: String

    init(_ action: PlannedAction) throws {
        let spec = action.document["spec"]
        guard let blueprint = spec?["blueprint"]?.string else {
            throw DriverError("\(action.key.resource) has no spec.blueprint to deploy", transient: false)
        }
        guard let version = action.version ?? spec?["version"]?.string else {
            throw DriverError("\(action.key.resource) has no version to deploy", transient: false)
        }
        self.name = action.key.name
        self.blueprint = blueprint
        self.version = version
    }

    var label: String { "\(name) (\(blueprint)@\(version))" }
}

/// deploy, promote, rollback, undeploy (DESIGN §5, §6).
extension HTTPDriver {
    /// `POST /api/deployments`, then polls until `deployed` or `failed`.
    func deploy(_ request: ActionRequest, verb: String = "deployed") async throws -> ActionOutcome {
        let action = request.action
        let target = try DeploymentTarget(action)
        let versionId = try await requireVersionId(name: target.blueprint, version: target.version)
        let body = ConsoleAPI.deploy(versionId: versionId, environment: request.environment, metadata: metadata(request, target))
        let created = try await call("POST", "/api/deployments", body: body, idempotencyKey: request.idempotencyKey)
            .decode(ConsoleAPI.Created.self, what: "deployment")
        return try await awaitDeployed(created, target: target, environment: request.environment, verb: verb)
    }

    /// Promotes through the console when `sourceEnvironment` runs a Steward deployment of the same
    /// blueprint version (`POST /api/deployments/:sourceId/promote`); otherwise deploys the version.
    public func promote(_ request: ActionRequest, sourceEnvironment: String) async throws -> ActionOutcome {
        let target = try DeploymentTarget(request.action)
        guard let versionId = try await lookUpVersionId(name: target.blueprint, version: target.version) else {
            return try await deploy(request, verb: "promoted")
        }
        let sources = try await deployments(environment: sourceEnvironment)
        guard let source = sources.last(where: {
            $0.versionId == versionId && $0.stewardDeployment != nil && $0.status == ConsoleStatus.deployed
        }) else {
            return try await deploy(request, verb: "promoted")
        }
        let body = ConsoleAPI.promote(targetEnvironment: request.environment, strategy: request.strategy,
                                      metadata: metadata(request, target))
        let created = try await call("POST", Self.deploymentPath(source.id) + "/promote", body: body,
                                     idempotencyKey: request.idempotencyKey)
            .decode(ConsoleAPI.Created.self, what: "deployment")
        var outcome = try await awaitDeployed(created, target: target, environment: request.environment, verb: "promoted")
        outcome.message += " from \(sourceEnvironment) (console deployment \(source.id))"
        return outcome
    }

    /// To the version the Deployment ran just before: `POST /api/deployments/rollback`; to any other
    /// version: a deploy of that version's `versionId`, reported as a rollback.
    func rollback(_ request: ActionRequest) async throws -> ActionOutcome {
        let target = try DeploymentTarget(request.action)
        let list = try await deployments(environment: request.environment)
        guard let currentIndex = Self.currentIndex(of: target.name, in: list) else {
            return try await deploy(request, verb: "rolled back (nothing ran) to")
        }
        let current = list[currentIndex]
        let previous = list[..<currentIndex].last {
            $0.stewardDeployment == target.name && ($0.status == ConsoleStatus.superseded || $0.status == ConsoleStatus.deployed)
        }
        guard let previous, previous.stewardVersion == target.version else {
            return try await deploy(request, verb: "rolled back by deploying")
        }
        let body = ConsoleAPI.rollback(deploymentId: current.id, reason: request.action.reason)
        let created = try await call("POST", "/api/deployments/rollback", body: body, idempotencyKey: request.idempotencyKey)
            .decode(ConsoleAPI.Created.self, what: "deployment")
        var outcome = try await awaitDeployed(created, target: target, environment: request.environment, verb: "rolled back to")
        outcome.message += " from console deployment \(current.id)"
        return outcome
    }

    /// `DELETE /api/deployments/:id` for every live console deployment of the Deployment.
    func undeploy(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        let live = try await deployments(environment: request.environment)
            .filter { $0.stewardDeployment == name && ConsoleStatus.isLive($0.status) }
        for deployment in live {
            let response = try await send("DELETE", Self.deploymentPath(deployment.id), idempotencyKey: request.idempotencyKey)
            if response.status != 404 { _ = try response.requireSuccess() }
        }
        if live.isEmpty { return ActionOutcome(message: "\(name) was not deployed in \(request.environment)") }
        let ids = live.map(\.id)
        return ActionOutcome(message: "undeployed \(name) from \(request.environment) (console deployment \(ids.joined(separator: ", ")))",
                             targetId: ids.last)
    }

    /// Polls `GET /api/deployments/:id` every `pollInterval` until `deployed` (success) or `failed`
    /// (terminal); past `deployTimeout` a transient error.
    func awaitDeployed(_ created: ConsoleAPI.Created, target: DeploymentTarget, environment: String,
                       verb: String) async throws -> ActionOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(deployTimeout))
        var status = created.status ?? "pending"
        var detail: String?
        while true {
            switch status {
            case ConsoleStatus.deployed:
                return ActionOutcome(message: "\(verb) \(target.label) in \(environment) (console deployment \(created.id))",
                                     targetId: created.id)
            case ConsoleStatus.failed, ConsoleStatus.rolledBack, "undeployed", "deleted":
                let why = detail.map { ": \($0)" } ?? ""
                throw DriverError("console deployment \(created.id) of \(target.label) in \(environment) \(status)\(why)",
                                  transient: false)
            default:
                break
            }
            guard clock.now.advanced(by: .seconds(pollInterval)) < deadline else {
                throw DriverError("console deployment \(created.id) of \(target.label) still \(status) after \(Int(deployTimeout))s",
                                  transient: true)
            }
            try await Task.sleep(for: .seconds(pollInterval))
            let polled = try await call("GET", Self.deploymentPath(created.id)).decode(ConsoleAPI.Deployment.self, what: "deployment")
            status = polled.status
            detail = polled.error ?? polled.message
        }
    }

    /// `metadata` of a deployment Steward creates or promotes.
    func metadata(_ request: ActionRequest, _ target: DeploymentTarget) -> JSONValue {
        ConsoleAPI.deploymentMetadata(gitCommit: request.action.commit, strategy: request.strategy, deployment: target.name,
                                      stewardKey: request.idempotencyKey, version: target.version)
    }

    /// `GET /api/deployments?environment=ENV`, in the console's order (oldest first).
    public func deployments(environment: String) async throws -> [ConsoleAPI.Deployment] {
        try await call("GET", "/api/deployments", query: [URLQueryItem(name: "environment", value: environment)])
            .decode([ConsoleAPI.Deployment].self, what: "deployment list")
    }

    /// The console deployment that stands for a Steward Deployment: the newest live one carrying its
    /// name (a failed newer deploy leaves the older one running); else the newest one that ended
    /// without being superseded (failed, rolled back), which probes report as drift.
    static func current(of name: String, in list: [ConsoleAPI.Deployment]) -> ConsoleAPI.Deployment? {
        currentIndex(of: name, in: list).map { list[$0] }
    }

    static func currentIndex(of name: String, in list: [ConsoleAPI.Deployment]) -> Int? {
        list.lastIndex { $0.stewardDeployment == name && ConsoleStatus.isLive($0.status) }
            ?? list.lastIndex { $0.stewardDeployment == name && $0.status != ConsoleStatus.superseded }
    }
}
