@testable import Controller
import Foundation
import EventLog
import GitSource
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting

/// The quickstart fleet with staging and production on a real console server (http driver):
/// production promotes from staging; gates and auto-rollback as each test asks.
final class PromotionFleet {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    let console: ConsoleServer
    var path: String { directory.path }

    struct Production {
        var requireApproval = false
        var autoRollback = true
        var revertCommit = true
        var restoreBackup = false
        var health: String? = nil
        var syncWindows: String? = nil
        /// `gates.preDeploy` of production (YAML flow text).
        var preDeploy: String? = nil
        /// `gates.backupBefore` of production (YAML flow text).
        var backupBefore: String? = nil
        /// `driver.tokenFrom` of production (YAML flow text).
        var tokenFrom: String? = nil
    }

    /// - Parameter store: `store.url` (default: SQLite in the fleet's folder).
    init(production: Production = Production(), git: String = "", store: String = "sqlite://.steward/state.db") async throws {
        directory = try TemporaryDirectory()
        repo = try TemporaryGitRepository()
        console = try await ConsoleServer.start(pollsUntilDeployed: 0)
        try repo.copyQuickstart()
        try repo.remove("deployments/desktop-assistant-staging.yaml")
        try repo.write("environments/environments.yaml", Self.environments(url: console.baseURL.absoluteString, production: production))
        try setVersion("robot-nav-staging", "1.2.0")
        try setVersion("robot-nav-production", "1.2.0")
        _ = try repo.commit("fleet on the console")
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "\(store)"}
            eventLog: {directory: .steward/events}
            reconcile: {prune: true, selfHeal: true, concurrency: 2, retry: {initialSeconds: 0.1, maxSeconds: 1}}
            \(git)

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    static func environments(url: String, production: Production) -> String {
        var text = """
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: staging}
            spec:
              driver: {type: http, url: "\(url)"}
              adapters: [robotics-main, desktop-main]
              gates:
                smokeTests:
                  - {name: API Health Check, endpoint: /health, expectedStatus: 200}
            ---
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: production}
            spec:
              promotesFrom: staging
              driver: {type: http, url: "\(url)"\(production.tokenFrom.map { ", tokenFrom: \($0)" } ?? "")}
              adapters: [robotics-main, desktop-main]
              strategy: {type: canary, steps: [10, 50, 100]}
              gates:
                smokeTests:
                  - {name: API Health Check, endpoint: /health, expectedStatus: 200}
                requireApproval: \(production.requireApproval)

            """
        if let health = production.health { text += "    health: \(health)\n" }
        if let checks = production.preDeploy { text += "    preDeploy: \(checks)\n" }
        if let backups = production.backupBefore { text += "    backupBefore: \(backups)\n" }
        text += "  autoRollback: {enabled: \(production.autoRollback), revertCommit: \(production.revertCommit)"
            + (production.restoreBackup ? ", restoreBackup: true}\n" : "}\n")
        if let windows = production.syncWindows { text += "  syncWindows: \(windows)\n" }
        return text
    }

    /// Sets `spec.version` of a Deployment file in the work tree (not committed).
    func setVersion(_ deployment: String, _ version: String) throws {
        let file = "deployments/\(deployment).yaml"
        let text = try require(repo.read(file), file)
        let edited = try require(try DeploymentVersionEdit.setVersion(version, ofDeployment: deployment, in: text, file: file), "deployment")
        try repo.write(file, edited)
    }

    func reconciler(now: Date? = nil) async throws -> Reconciler {
        let settings = try ControllerSettings.load(path: path + "/controller.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let reconciler = Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
        if let now { reconciler.now = { now } }
        return reconciler
    }

    func applied(_ reconciler: Reconciler, _ deployment: String) async throws -> AppliedResource? {
        try await reconciler.store.resources().first { $0.key.kind == .deployment && $0.key.name == deployment }
    }

    func events(_ reconciler: Reconciler, type: String) async throws -> [EventRecord] {
        try await reconciler.store.events(since: 0, limit: nil).filter { $0.type == type }
    }

    /// 1.2.0 everywhere, then 1.3.0 proven in staging and promoted to production, whose smoke tests
    /// of 1.3.0 fail: after that pass (returned with its commit), production runs 1.2.0 again (auto-rollback).
    @discardableResult
    func failProductionOn130(_ reconciler: Reconciler) async throws -> (commit: String, pass: Reconciler.PassResult) {
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()
        try setVersion("robot-nav-staging", "1.3.0")
        _ = try repo.commit("staging to 1.3.0")
        _ = try await reconciler.pass()   // staging proves 1.3.0
        console.setSmokeTests(version: "1.3.0", passed: false)
        try setVersion("robot-nav-production", "1.3.0")
        let bad = try repo.commit("production to 1.3.0")
        let failed = try await reconciler.pass()   // production promotes 1.3.0 and its smoke test fails
        return (bad, failed)
    }

    func settings() throws -> ControllerSettings { try ControllerSettings.load(path: path + "/controller.yaml") }

    func stop() async { await console.stop() }
}

/// `#require` for plain throwing code outside a test body.
func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw ProcessFailure(message: "missing \(what)") }
    return value
}
