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
}
