import Controller
import Foundation
import HTTPAPI
import Hummingbird
import Logging
import Manifests
import ServiceLifecycle
import StateStore

extension RunCommand {
    /// The HTTP server: probes, metrics, status API, webhooks (DESIGN §8).
    func httpServices(settings: ControllerSettings, store: any StateStore, reconcile: ReconcileService, logger: Logger) throws -> [any Service] {
        let server = settings.config.server
        let address: String = server?.listen ?? "127.0.0.1:9600"
        let bind: BindAddress
        do { bind = try HTTPServer.address(address) } catch { throw CLIError("\(error)") }
        // Resolved once, at start: a reference that cannot be resolved is said once, with what follows from it.
        func optionalSecret(_ ref: SecretRef?, _ field: String, consequence: String) -> String? {
            guard let ref else { return nil }
            do {
                return try SecretResolver.resolve(ref, baseDirectory: settings.baseDirectory)
            } catch {
                logger.error("\(field) \(ref) cannot be resolved: \(error); \(consequence)",
                             metadata: ["field": "\(field)", "reference": "\(ref)"])
                return nil
            }
        }
        let apiToken = optionalSecret(server?.apiToken, "server.apiToken", consequence: "every /api/* request is refused with 401")
        let webhookSecret = optionalSecret(server?.webhookSecret, "server.webhookSecret", consequence: "/webhooks/git answers 404")
        let context = APIContext(store: store, reconcile: reconcile, branch: settings.config.branch,
                                 apiToken: apiToken, webhookSecret: webhookSecret,
                                 leader: try settings.leaderLockPath().map { _ in "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)" },
                                 registry: StewardMetrics.registry(), ui: server?.ui ?? .on, settings: settings)
        let application = HTTPServer.application(context: context, address: bind, logger: logger) { port in
            logger.info("serving HTTP", metadata: ["listen": "\(address)", "port": "\(port)"])
        }
        return [application]
    }
}
