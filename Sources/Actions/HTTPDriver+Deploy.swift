import Foundation
import Manifests
import NIOHTTP1
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
    /// `POST /api/deployments` with the recorded version id; records the deployment's id, then polls
    /// until `deployed` or `failed`.
    func deploy(_ request: ActionRequest, verb: String = "deployed") async throws -> ActionOutcome {
        let target = try DeploymentTarget(request.action)
        let versionId = try requireVersionId(name: target.blueprint, version: target.version, book: try await book())
        let body = ConsoleAPI.deploy(versionId: versionId, environment: request.environment, metadata: metadata(request, target))
        let created = try await create(.POST, "/api/deployments", body: body, request: request, target: target)
        return try await awaitDeployed(created, target: target, environment: request.environment, verb: verb)
    }

    /// Promotes through the console when `sourceEnvironment` runs a Steward deployment of the same
    /// version id (`POST /api/deployments/:sourceId/promote`); otherwise deploys the version.
    public func promote(_ request: ActionRequest, sourceEnvironment: String) async throws -> ActionOutcome {
        let target = try DeploymentTarget(request.action)
        let book = try await book()
        guard let versionId = book.versionId(blueprint: target.blueprint, version: target.version) else {
            return try await deploy(request, verb: "promoted")
        }
        let stewards = book.deploymentIds(environment: sourceEnvironment)
        let sources = try await deployments(environment: sourceEnvironment)
        guard let source = sources.newestFirst.first(where: {
            $0.versionId == versionId && $0.status == ConsoleStatus.deployed && ($0.stewardDeployment != nil || stewards.contains($0.id))
        }) else {
            return try await deploy(request, verb: "promoted")
        }
        let body = ConsoleAPI.promote(targetEnvironment: request.environment, strategy: request.strategy,
                                      metadata: metadata(request, target))
        let created = try await create(.POST, Self.deploymentPath(source.id) + "/promote", body: body, request: request, target: target)
        var outcome = try await awaitDeployed(created, target: target, environment: request.environment, verb: "promoted")
        outcome.message += " from \(sourceEnvironment) (console deployment \(source.id))"
        return outcome
    }

    /// To the version the Deployment ran just before: `POST /api/deployments/rollback`; to any other
    /// version: a deploy of that version's `versionId`, reported as a rollback.
    func rollback(_ request: ActionRequest) async throws -> ActionOutcome {
        let target = try DeploymentTarget(request.action)
        let book = try await book()
        let knownId = book.deploymentId(environment: request.environment, deployment: target.name)
        let list = try await deployments(environment: request.environment)
        guard let current = list.current(of: target.name, knownId: knownId) else {
            return try await deploy(request, verb: "rolled back (nothing ran) to")
        }
        guard let previous = list.previous(of: target.name, knownId: knownId, before: current),
              runs(previous, target.version, of: target.blueprint, book: book) else {
            return try await deploy(request, verb: "rolled back by deploying")
        }
        let body = ConsoleAPI.rollback(deploymentId: current.id, reason: request.action.reason)
        let created = try await create(.POST, "/api/deployments/rollback", body: body, request: request, target: target)
        var outcome = try await awaitDeployed(created, target: target, environment: request.environment, verb: "rolled back to")
        outcome.message += " from console deployment \(current.id)"
        return outcome
    }

    /// `DELETE /api/deployments/:id` for every live console deployment of the Deployment.
    func undeploy(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        let knownId = try await book().deploymentId(environment: request.environment, deployment: name)
        let live = try await deployments(environment: request.environment).mine(name, knownId: knownId)
            .filter { ConsoleStatus.isLive($0.status) }
        for deployment in live {
            let response = try await send(.DELETE, Self.deploymentPath(deployment.id), idempotencyKey: request.idempotencyKey)
            if response.status != .notFound { _ = try response.requireSuccess() }
        }
        if live.isEmpty { return ActionOutcome(message: "\(name) was not deployed in \(request.environment)") }
        let ids = live.map(\.id)
        return ActionOutcome(message: "undeployed \(name) from \(request.environment) (console deployment \(ids.joined(separator: ", ")))",
                             targetId: ids.first)
    }

    /// Sends a request that creates a console deployment and records its id before anything else.
    func create(_ method: HTTPMethod, _ path: String, body: JSONValue, request: ActionRequest,
                target: DeploymentTarget) async throws -> ConsoleAPI.Created {
        let response = try await call(method, path, body: body, idempotencyKey: request.idempotencyKey)
        guard let created = ConsoleAPI.Created(try response.json(what: "a deployment")) else {
            throw response.failure("the answer creating a deployment of \(target.label) carries no id")
        }
        await rememberDeployment(created.id, environment: request.environment, deployment: target.name)
        return created
    }

    /// Polls `GET /api/deployments/:id` until `deployed` (success) or `failed` (terminal), first
    /// soon, then less often up to every `pollInterval` (`pollDelay`); past `deployTimeout` a
    /// transient error.
    func awaitDeployed(_ created: ConsoleAPI.Created, target: DeploymentTarget, environment: String,
                       verb: String) async throws -> ActionOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(deployTimeout))
        var status = created.status ?? "pending"
        var detail: String?
        var polls = 0
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
            let delay = Self.pollDelay(after: polls, interval: pollInterval)
            guard clock.now.advanced(by: .seconds(delay)) < deadline else {
                throw DriverError("console deployment \(created.id) of \(target.label) still \(status) after \(Int(deployTimeout))s",
                                  transient: true)
            }
            try await Task.sleep(for: .seconds(delay))
            polls += 1
            let answer = try await call(.GET, Self.deploymentPath(created.id)).json(what: "a deployment")
            let polled = ConsoleAPI.Deployment(answer)
            status = polled?.status ?? answer["status"]?.string ?? "unknown"
            detail = polled?.error ?? polled?.message
        }
    }

    /// The wait before poll `polls + 1` of a deployment: an eighth of `interval`, doubling up to
    /// `interval` (0.125, 0.25, 0.5, 1, 1, … s by default). A console that deploys at once is
    /// answered within an eighth of the interval, not a whole one; one that takes minutes is
    /// polled at most three times more.
    static func pollDelay(after polls: Int, interval: Double) -> Double {
        min(interval, interval / 8 * Double(1 << min(polls, 3)))
    }

    /// `metadata` of a deployment Steward creates or promotes.
    func metadata(_ request: ActionRequest, _ target: DeploymentTarget) -> JSONValue {
        ConsoleAPI.deploymentMetadata(gitCommit: request.action.commit, strategy: request.strategy, deployment: target.name,
                                      stewardKey: request.idempotencyKey, version: target.version)
    }

    /// `GET /api/deployments?environment=ENV`; an answer that is not a list is a terminal error.
    func deployments(environment: String) async throws -> ConsoleDeploymentList {
        let response = try await call(.GET, "/api/deployments", query: [("environment", environment)])
        do {
            return try ConsoleDeploymentList(answer: try response.json(what: "a deployment list"))
        } catch let unreadable as ConsoleAPI.Unreadable {
            throw DriverError("console GET /api/deployments?environment=\(environment): \(unreadable)", transient: false)
        }
    }
}
