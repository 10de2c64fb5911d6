import Controller
import Foundation
import Manifests
import Prometheus
import StateStore

/// What the HTTP routes need: the store, the loop, secrets and the metrics registry.
public struct APIContext: Sendable {
    public var store: any StateStore
    public var reconcile: ReconcileService
    public var branch: String
    /// Guards `/api/*`; nil means the API answers 401 to everyone (no token configured).
    public var apiToken: String?
    /// Verifies `/webhooks/git`; nil means the route answers 404.
    public var webhookSecret: String?
    public var leader: String?
    public var registry: PrometheusCollectorRegistry
    /// Largest webhook body accepted.
    public var maxBodyBytes: Int
    /// The status page (DESIGN §12): on, off or read-only.
    public var ui: ControllerConfig.UIMode
    /// What the page's approve button needs (the repository, the gates); nil: no approve button.
    public var settings: ControllerSettings?
    /// The page's sessions, with `apiToken` set.
    let sessions: UISessions?
    /// The event log's verdict on `/events`.
    let verdicts = UIVerdicts()
    /// The plan the Deployment pages show.
    let plans = UIPlans()

    public init(store: any StateStore, reconcile: ReconcileService, branch: String, apiToken: String?, webhookSecret: String?,
                leader: String? = nil, registry: PrometheusCollectorRegistry, maxBodyBytes: Int = 1 << 20,
                ui: ControllerConfig.UIMode = .on, settings: ControllerSettings? = nil) {
        self.store = store
        self.reconcile = reconcile
        self.branch = branch
        self.apiToken = apiToken
        self.webhookSecret = webhookSecret
        self.leader = leader
        self.registry = registry
        self.maxBodyBytes = maxBodyBytes
        self.ui = ui
        self.settings = settings
        sessions = UISessions(apiToken: apiToken)
    }

    /// Who leads: the live lease holder with PostgreSQL, else the lock holder given at start.
    func currentLeader() async -> String? {
        if reconcile.leadership != nil { return (try? await store.leaderLease()).flatMap { $0?.isLive == true ? $0?.holder : nil } }
        return leader
    }
}
