@testable import Controller
import Logging

extension Reconciler {
    /// A reconciler for the controller folder `folder` (its `controller.yaml`), logging only
    /// critical messages; `probeTargets: false` leaves target probes out of its passes.
    static func quiet(in folder: String, probeTargets: Bool = true) async throws -> Reconciler {
        let settings = try ControllerSettings.load(path: folder + "/controller.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let reconciler = Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
        reconciler.probeTargets = probeTargets
        return reconciler
    }
}
