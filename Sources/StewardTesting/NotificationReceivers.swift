import Crypto
import Foundation
import Hummingbird
import Logging

/// A real HTTP server on 127.0.0.1 posing as the services a notifier posts to: GitHub and GitLab
/// commit statuses, a Slack incoming webhook and a generic signed webhook. It accepts exactly the
/// documented request shapes, records every request, and fails on demand.
///
/// ```swift
/// let receivers = NotificationReceivers(.init(githubToken: "ghp_test"))
/// let base = try await receivers.start()
/// // ... notify base.appendingPathComponent("repos/acme/app/statuses/\(sha)") ...
/// #expect(receivers.deliveries().map(\.kind) == [.github])
/// await receivers.stop()
/// ```
public final class NotificationReceivers: Sendable {
    /// Which service a request was addressed to.
    public enum Kind: String, Sendable, Hashable {
        case github, gitlab, slack, webhook
    }

    /// Tokens, secrets and paths the receivers accept.
    public struct Configuration: Sendable {
        /// Accepted as `Authorization: Bearer <token>` or `token <token>`.
        public var githubToken: String
        /// Before `/repos/...`: "" for api.github.com, "/api/v3" for GitHub Enterprise Server.
        public var githubPathPrefix: String
        /// Accepted as `PRIVATE-TOKEN: <token>` (or `Authorization: Bearer <token>`).
        public var gitlabToken: String
        /// The one Slack webhook path that exists: `/services/{T}/{B}/{secret}`.
        public var slackPath: String
        /// The HMAC-SHA256 key of `X-Steward-Signature`.
        public var webhookSecret: String

        public init(githubToken: String = "github-token", githubPathPrefix: String = "", gitlabToken: String = "gitlab-token",
                    slackPath: String = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                    webhookSecret: String = "webhook-secret") {
            self.githubToken = githubToken
            self.githubPathPrefix = githubPathPrefix
            self.gitlabToken = gitlabToken
            self.slackPath = slackPath
            self.webhookSecret = webhookSecret
        }
    }

    public let configuration: Configuration
    let state = ReceiverState()

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Starts listening on an ephemeral loopback port; returns `http://127.0.0.1:<port>`.
    @discardableResult
    public func start() async throws -> URL {
        let started = StartSignal()
        var logger = Logger(label: "steward.test.receivers")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { [self] request, _ in try await respond(to: request) },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "steward-test-receivers"),
            onServerRunning: { started.resolve(.success($0.localAddress?.port ?? 0)) },
            logger: logger
        )
        let task = Task {
            do {
                try await app.run()
                started.resolve(.failure(ConsoleServerError("the receivers stopped before they started")))
            } catch {
                started.resolve(.failure(error))
                throw error
            }
        }
        let port: Int
        do { port = try await started.wait() } catch { task.cancel(); throw error }
        guard port > 0 else { task.cancel(); throw ConsoleServerError("the receivers did not report their port") }
        let url = URL(string: "http://127.0.0.1:\(port)")!
        state.locked { $0.server = (url, task) }
        return url
    }

    /// Shuts the server down and waits until it has stopped.
    public func stop() async {
        guard let task = state.locked({ $0.server?.task }) else { return }
        task.cancel()
        _ = await task.result
    }

    /// `http://127.0.0.1:<port>` once started.
    public var baseURL: URL? { state.locked { $0.server?.url } }

    /// The base URL a GitHub client is given (`baseURL` plus `githubPathPrefix`).
    public var githubAPI: URL? { baseURL.map { URL(string: $0.absoluteString + configuration.githubPathPrefix)! } }

    /// The one valid Slack webhook URL.
    public var slackWebhookURL: URL? { baseURL.map { URL(string: $0.absoluteString + configuration.slackPath)! } }

    // MARK: Recorded requests

    /// Every accepted request, in arrival order.
    public func deliveries() -> [ReceivedNotification] { state.locked { $0.received.filter(\.accepted) } }

    /// Every refused request (bad token, shape or signature; unknown path; down; injected), in arrival order.
    public func rejected() -> [ReceivedNotification] { state.locked { $0.received.filter { !$0.accepted } } }

    /// Forgets what was recorded so far.
    public func clear() { state.locked { $0.received.removeAll() } }

    // MARK: Failures on demand

    /// While down, every request is answered 503 and recorded as rejected.
    public func setDown(_ down: Bool) { state.locked { $0.down = down } }

    /// The next `count` requests are answered `status` (recorded as rejected), whatever they ask.
    public func failNext(_ count: Int, status: Int = 500) {
        state.locked { $0.injectedFailures = (max(0, count), status) }
    }

    /// `sha256=<lowercase hex HMAC-SHA256 of body under secret>`, the `X-Steward-Signature` value.
    public static func signature(of body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
