import ArgumentParser
import Controller
import Foundation

/// `--config FILE` (default `./controller.yaml`), shared by every command that reads the configuration.
struct ConfigOption: ParsableArguments {
    @Option(name: .customLong("config"), help: "The controller configuration file.")
    var path: String = "controller.yaml"

    func load() throws -> ControllerSettings {
        do { return try ControllerSettings.load(path: path) } catch let error as ControllerError { throw CLIError(error.message) }
    }

    /// The configuration for a read command that plans (`diff`, `explain`, `rollout`): it reads what
    /// the controller saved in `.steward/cache` and saves nothing (`ControllerSettings.savesCaches`).
    func loadForReading() throws -> ControllerSettings {
        var settings = try load()
        settings.savesCaches = false
        return settings
    }
}
