import Controller
import Logging
import ServiceLifecycle
import StateStore

extension RunCommand {
    /// The services that run beside the reconcile loop in `steward run`'s `ServiceGroup`.
    func sideServices(settings: ControllerSettings, store: any StateStore, reconcile: ReconcileService,
                      logger: Logger) async throws -> [any Service] {
        let notifier = try await notificationServices(settings: settings, store: store, reconcile: reconcile, logger: logger)
        return try backupServices(settings: settings, store: store, reconcile: reconcile, logger: logger)
            + httpServices(settings: settings, store: store, reconcile: reconcile, logger: logger) + notifier
    }

    /// The notifier (DESIGN §12), when `notifications:` lists receivers; new receivers start at
    /// the log's head before the first pass, so they hear of everything that pass does.
    func notificationServices(settings: ControllerSettings, store: any StateStore, reconcile: ReconcileService,
                              logger: Logger) async throws -> [any Service] {
        let receivers = NotificationReceiver.configured(settings)
        guard !receivers.isEmpty else { return [] }
        let notifier = Notifier(receivers: receivers, store: store, isLeader: { reconcile.isLeader }, logger: logger)
        try await notifier.prepare()
        return [notifier]
    }
}
