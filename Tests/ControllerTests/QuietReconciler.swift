@testable import Controller
import Logging

extension Reconciler {
    /// A reconciler for the controller folder `folder` (its `controller.yaml`), logging only critical messages.
    static func quiet(in folder: String) async throws -> Reconciler {
        let settings = try ControllerSettings.load(path: folder + "/controller.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
    }
}
