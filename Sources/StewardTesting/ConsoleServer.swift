import Foundation
import Hummingbird
import Logging
import Manifests

/// A real HTTP server on 127.0.0.1 speaking the console deployment API as the Aureus guides document
/// it (plus DESIGN §5's own routes; `routes` lists them all), kept in memory, for tests of the `http`
/// driver. It records every call; tests make it fail through its methods, never through extra routes.
///
/// ```swift
/// let console = try await ConsoleServer.start(token: "s3cret")
/// defer { Task { await console.stop() } }
/// let driver = HTTPDriver(baseURL: console.baseURL, token: "s3cret", environment: "staging", ids: ids)
/// ```
public final class ConsoleServer: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let baseURL: URL
    public let port: Int
    let state: ConsoleState
    let task: Task<Void, any Error>

    private init(port: Int, state: ConsoleState, task: Task<Void, any Error>) {
        self.port = port
        self.baseURL = URL(string: "http://127.0.0.1:\(port)")!
        self.state = state
        self.task = task
    }

    /// Starts a server on `port` (0: an ephemeral one); with a `token`, every request to `/api/*` needs
    /// `Authorization: Bearer <token>`. A new deployment answers `pending` until it was polled
    /// `pollsUntilDeployed` times.
    public static func start(token: String? = nil, pollsUntilDeployed: Int = 1, port: Int = 0) async throws -> ConsoleServer {
        let state = ConsoleState(token: token, pollsUntilDeployed: pollsUntilDeployed)
        let started = StartSignal()
        var logger = Logger(label: "steward.test.console")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                try await ConsoleRoutes.respond(to: request, state: state)
            },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: "steward-test-console"),
            onServerRunning: { channel in
                started.resolve(.success(channel.localAddress?.port ?? 0))
            },
            logger: logger
        )
        let task = Task {
            do {
                try await app.run()
                started.resolve(.failure(ConsoleServerError("the console server stopped before it started")))
            } catch {
                started.resolve(.failure(error))
                throw error
            }
        }
        let port: Int
        do {
            port = try await started.wait()
        } catch {
            task.cancel()
            throw error
        }
        guard port > 0 else {
            task.cancel()
            throw ConsoleServerError("the console server did not report its port")
        }
        return ConsoleServer(port: port, state: state, task: task)
    }

    /// Shuts the server down and waits until it has stopped.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Every route the console serves, with where it is documented.
    public static var routes: [ConsoleRoute] { ConsoleRoutes.table.map(\.route) }

    // MARK: Recorded calls

    /// Every request received so far, in order.
    public var calls: [ConsoleCall] { state.locked { $0.calls } }

    /// The recorded requests with this method and path (query excluded).
    public func calls(_ method: String, _ path: String) -> [ConsoleCall] {
        calls.filter { $0.method == method && $0.path == path }
    }

    /// Forgets the calls recorded so far.
    public func clearCalls() { state.locked { $0.calls.removeAll() } }

    // MARK: Failures on demand

    /// The next `count` requests answer `status` (with `{error}`), whatever they ask.
    public func failNext(_ count: Int, status: Int) {
        state.locked { $0.injectedFailures = (max(0, count), status) }
    }

    /// Deployments of `version` end `failed` (or `deployed`) when polled.
    public func setDeployOutcome(version: String, _ outcome: DeployOutcome) {
        state.locked { $0.deployOutcomes[version] = outcome }
    }

    /// Smoke tests of deployments of `version` pass or fail (the first test fails).
    public func setSmokeTests(version: String, passed: Bool) {
        state.locked { $0.smokeTestsPass[version] = passed }
    }

    /// The health reported for console deployments carrying `metadata.stewardDeployment: deployment`.
    public func setHealth(deployment: String, status: String, errorRate: Double, responseTime: Double) {
        setHealth(deployment: deployment, .object([
            "status": .string(status), "errorRate": .double(errorRate), "responseTime": .double(responseTime),
        ]))
    }

    /// The `health` member shown for those deployments, as given (a console of another shape).
    public func setHealth(deployment: String, _ health: JSONValue) {
        state.locked { $0.health[deployment] = health }
    }

    /// Whether `/health/runtime-adapters` reports an adapter healthy (default `true`).
    public func setAdapterHealth(name: String, healthy: Bool) {
        state.locked { $0.adapterHealthy[name] = healthy }
    }

    /// The whole answer of `/health/runtime-adapters`, as given (a console of another shape); nil
    /// goes back to the registry's shape.
    public func setAdapterHealthAnswer(_ answer: JSONValue?) {
        state.locked { $0.adapterHealthAnswer = answer }
    }

    /// Every following request waits `seconds` before it is answered (0 turns this off).
    public func delay(seconds: Double) {
        state.locked { $0.delaySeconds = max(0, seconds) }
    }

    /// How many polls of `GET /api/deployments/:id` a new deployment answers before it ends.
    public func setPollsUntilDeployed(_ polls: Int) {
        state.locked { $0.pollsUntilDeployed = max(0, polls) }
    }

    // MARK: What the console holds

    /// Console deployments (oldest first), optionally of one environment.
    public func deployments(environment: String? = nil) -> [ConsoleDeploymentRecord] {
        state.locked { state in state.deployments.filter { environment == nil || $0.environment == environment } }
    }

    /// Registered versions, oldest first.
    public var versions: [ConsoleVersionRecord] { state.locked { $0.versions } }

    /// Configured runtime adapters: name → the spec last `PUT`.
    public var adapters: [String: JSONValue] { state.locked { $0.adapters } }

    /// Adds a deployment as if someone created it on the console by hand (`metadata` may lack
    /// `stewardDeployment`); returns its id. `versionId` defaults to a new unregistered id.
    @discardableResult
    public func addDeployment(environment: String, versionId: String? = nil, status: String = "deployed",
                              metadata: JSONValue = .object([:])) -> String {
        state.locked { state in
            let id = state.newId("dep")
            state.deployments.append(ConsoleDeploymentRecord(id: id, versionId: versionId ?? "ver-unregistered", environment: environment,
                                                             status: status, metadata: metadata, createdAt: Date()))
            return id
        }
    }

    /// Sets a deployment's status as if changed by hand on the console (`failed`, `rolled_back`, ...).
    public func setStatus(deploymentId: String, _ status: String) {
        state.locked { state in
            if let index = state.deployments.firstIndex(where: { $0.id == deploymentId }) { state.deployments[index].status = status }
        }
    }
}

/// How a deployment ends when polled.
public enum DeployOutcome: String, Sendable, Hashable {
    case deployed, failed
}

/// An error of the test console itself.
public struct ConsoleServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Hands the bound port from `onServerRunning` (or a start failure) to `start`, in whichever order.
final class StartSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Int, any Error>?
    private var continuation: CheckedContinuation<Int, any Error>?

    func resolve(_ outcome: Result<Int, any Error>) {
        let waiting: CheckedContinuation<Int, any Error>? = lock.withLock {
            guard result == nil else { return nil }
            result = outcome
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: outcome)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = lock.withLock {
                if let result { return result }
                self.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
