@testable import Controller
import EventLog
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting

/// The quickstart's robot navigation agent on a production environment that spans Targets
/// (DESIGN §10): robots on the local driver (one folder each) or on an exec script that records every
/// action it is asked to run, per target, and fails smoke tests on the targets listed in a file.
final class TargetFleet {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    var path: String { directory.path }
    /// The console base URL of each robot (http driver), robot-01 first.
    let consoles: [String]
    /// Where the exec script appends one line per action (`TARGET ACTION VERSION KEY SLOT`).
    var effectsFile: String { path + "/effects.log" }
    /// Targets whose smoke tests fail on the exec driver, one name per line.
    var failingFile: String { path + "/failing" }

    /// - Parameters:
    ///   - targets: how many robots (`robot-01`…), labelled `site: berlin` (odd) or `site: paris` (even).
    ///   - strategy: production's `strategy` (YAML flow text), nil for none.
    ///   - driver: `local`, `exec`, or `http` (one console per target, at `consoles`).
    init(targets: Int, strategy: String?, driver: String = "local", autoRollback: Bool = false, store: String = "sqlite://.steward/state.db",
         health: String? = nil, consoles: [String] = [], slots: Bool = false) throws {
        self.consoles = consoles
        directory = try TemporaryDirectory()
        repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        try repo.remove("deployments/desktop-assistant-staging.yaml")
        try repo.remove("deployments/robot-nav-staging.yaml")
        try "".write(toFile: effectsFile, atomically: true, encoding: .utf8)
        try "".write(toFile: failingFile, atomically: true, encoding: .utf8)
        try repo.write("environments/environments.yaml", environments(strategy: strategy, driver: driver, autoRollback: autoRollback, health: health))
        try repo.write("targets/robots.yaml", (1...targets).map { Self.target($0, driver: driver, consoles: consoles, slots: slots) }.joined(separator: "---\n"))
        try repo.write("scripts/robot.sh", Self.script)
        chmod(repo.path + "/scripts/robot.sh", 0o755)
        try setVersion("1.2.0")
        _ = try repo.commit("production on \(targets) robots")
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "\(store)"}
            eventLog: {directory: .steward/events}
            reconcile: {prune: true, selfHeal: true, concurrency: 4, retry: {initialSeconds: 0.1, maxSeconds: 1}}

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    static func name(_ index: Int) -> String { String(format: "robot-%02d", index) }

    /// - Parameter slots: blue-green slots: odd robots `slot: blue`, even ones `slot: green`.
    static func target(_ index: Int, driver: String, consoles: [String] = [], slots: Bool = false) -> String {
        let override: String
        switch driver {
        case "local": override = "{root: ./var/robots/\(name(index))}"
        case "http": override = "{url: \"\(consoles[index - 1])\"}"
        default: override = "{env: {ROBOT_ID: \"\(index)\"}}"
        }
        return """
            apiVersion: steward/v1
            kind: Target
            metadata:
              name: \(name(index))
              labels: {site: \(index % 2 == 1 ? "berlin" : "paris"), model: tb4\(slots ? ", slot: \(index % 2 == 1 ? "blue" : "green")" : "")}
            spec:
              environment: production
              driver: \(override)

            """
    }

    private func environments(strategy: String?, driver: String, autoRollback: Bool, health: String?) -> String {
        let spec: String
        switch driver {
        case "local": spec = "{type: local, root: ./var/production}"
        case "http": spec = "{type: http, url: \"\(consoles.first ?? "")\"}"
        default: spec = "{type: exec, command: [scripts/robot.sh], env: {EFFECTS: \"\(effectsFile)\", FAILING: \"\(failingFile)\"}}"
        }
        var text = """
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: production}
            spec:
              driver: \(spec)
              adapters: [robotics-main, desktop-main]

            """
        if let strategy { text += "  strategy: \(strategy)\n" }
        text += "  gates:\n    smokeTests:\n      - {name: API Health Check, endpoint: /health, expectedStatus: 200}\n"
        if let health { text += "    health: \(health)\n" }
        if autoRollback { text += "  autoRollback: {enabled: true}\n" }
        return text
    }

    /// An exec target: records each action, answers `status` with nothing (healthy, running what was
    /// applied) — but for the slot taking traffic (blue-green) — and fails smoke tests on the targets named in `$FAILING`.
    static let script = """
        #!/bin/sh
        cat > /dev/null
        # Blue-green: the slot taking traffic is kept in a file; status with STEWARD_SLOT asks whether it is that one.
        if [ "$STEWARD_ACTION" = status ] && [ -n "$STEWARD_SLOT" ]; then
          printf '{"activeSlot":"%s"}\n' "$(cat "$EFFECTS.slot" 2>/dev/null)"
          exit 0
        fi
        if [ "$STEWARD_ACTION" = switch ]; then echo "$STEWARD_SLOT" > "$EFFECTS.slot"; fi
        echo "$STEWARD_TARGET $STEWARD_ACTION $STEWARD_VERSION $STEWARD_IDEMPOTENCY_KEY $STEWARD_SLOT" >> "$EFFECTS"
        if [ "$STEWARD_ACTION" = smokeTest ] && grep -qx "$STEWARD_TARGET" "$FAILING"; then
          echo "smoke test failed on $STEWARD_TARGET" >&2
          exit 1
        fi
        exit 0

        """

    /// Sets `spec.version` of the production Deployment in the work tree (not committed).
    func setVersion(_ version: String) throws {
        let file = "deployments/robot-nav-production.yaml"
        let text = try require(repo.read(file), file)
        let edited = try require(try DeploymentVersionEdit.setVersion(version, ofDeployment: "robot-nav-production", in: text, file: file), "deployment")
        try repo.write(file, edited)
    }

    func reconciler(now: (@Sendable () -> Date)? = nil) async throws -> Reconciler {
        let settings = try ControllerSettings.load(path: path + "/controller.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let reconciler = Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
        if let now { reconciler.now = now }
        return reconciler
    }

    /// Runs `body` with a reconciler whose store is closed afterwards, whatever happened.
    func run(_ body: (Reconciler) async throws -> Void) async throws {
        let reconciler = try await self.reconciler()
        do {
            try await body(reconciler)
        } catch {
            try? await reconciler.store.close()
            throw error
        }
        try await reconciler.store.close()
    }

    /// The version each robot's local folder runs (nil: no Deployment file).
    func localVersions(_ count: Int) -> [String: String] {
        var versions: [String: String] = [:]
        for index in 1...count {
            let file = path + "/var/robots/\(Self.name(index))/deployments/robot-nav-production.json"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                  let range = text.range(of: #""version":"[0-9.]+""#, options: .regularExpression) else { continue }
            versions[Self.name(index)] = String(text[range].dropFirst(11).dropLast())
        }
        return versions
    }

    /// The slot production's local router file names (`deployments/robot-nav-production.active-slot`), nil before a switch.
    func activeSlot() -> String? {
        (try? String(contentsOfFile: path + "/var/production/deployments/robot-nav-production.active-slot", encoding: .utf8))
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The exec targets' record: (target, action, version) per line, in order.
    func effects() throws -> [(target: String, action: String, version: String, key: String, slot: String)] {
        try String(contentsOfFile: effectsFile, encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts[1], parts.count > 2 ? parts[2] : "", parts.count > 3 ? parts[3] : "", parts.count > 4 ? parts[4] : "")
        }
    }

    func events(_ reconciler: Reconciler, type: String) async throws -> [EventRecord] {
        try await reconciler.store.events(since: 0, limit: nil).filter { $0.type == type }
    }
}
