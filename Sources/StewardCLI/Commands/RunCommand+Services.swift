import Controller
import Logging
import ServiceLifecycle
import StateStore

extension RunCommand {
    /// The services that run beside the reconcile loop in `steward run`'s `ServiceGroup`.
    func sideServices(settings: ControllerSettings, store: any StateStore, reconcile: ReconcileService,
                      logger: Logger) throws -> [any Service] {
        try backupServices(settings: settings, store: store, reconcile: reconcile, logger: logger)
            + httpServices(settings: settings, store: store, reconcile: reconcile, logger: logger)
    }
}
