import Controller
import Logging
import ServiceLifecycle
import StateStore

extension RunCommand {
    /// The backup scheduler: the BackupSchedules of the last applied commit, run beside the reconcile loop.
    func backupServices(settings: ControllerSettings, store: any StateStore, reconcile: ReconcileService,
                        logger: Logger) throws -> [any Service] {
        let source = AppliedBackupSchedules(settings: settings, store: store, logger: logger, validated: reconcile.validatedSchedules)
        let context: BackupContext
        do {
            context = try BackupContext.make(settings: settings, checkout: { try await source.checkout() })
        } catch let error as BackupError {
            throw CLIError(error.message)
        }
        return [BackupScheduler(store: store, context: context, schedules: { reconcile.isLeader ? await source.schedules() : [:] }, logger: logger)]
    }
}
