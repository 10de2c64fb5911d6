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
        func optionalSecret(_ ref: SecretRef?) -> String? {
            guard let ref else { return nil }
            return try? SecretResolver.resolve(ref, baseDirectory: settings.baseDirectory)
        }
        let context = APIContext(store: store, reconcile: reconcile, branch: settings.config.branch,
                                 apiToken: optionalSecret(server?.apiToken), webhookSecret: optionalSecret(server?.webhookSecret),
                                 leader: try settings.leaderLockPath().map { _ in "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)" },
                                 registry: StewardMetrics.registry())
        let application = HTTPServer.application(context: context, address: bind, logger: logger) { port in
            logger.info("serving HTTP", metadata: ["listen": "\(address)", "port": "\(port)"])
        }
        return [application]
    }
}
