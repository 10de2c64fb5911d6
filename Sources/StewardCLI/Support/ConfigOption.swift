import ArgumentParser
import Foundation
import GitSource
import Manifests

/// `--config FILE` (default `./controller.yaml`), shared by every command that reads the configuration.
struct ConfigOption: ParsableArguments {
    @Option(name: .customLong("config"), help: "The controller configuration file.")
    var path: String = "controller.yaml"

    /// The configuration and the folder its relative paths resolve against.
    func load() throws -> LoadedConfig {
        do {
            let config = try ControllerConfig.load(path: path)
            let base = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
            return LoadedConfig(config: config, file: path, baseDirectory: base.isEmpty ? "." : base)
        } catch let error as ControllerConfig.LoadError {
            throw CLIError(error.description)
        }
    }
}

/// A loaded `controller.yaml` with its location.
struct LoadedConfig {
    var config: ControllerConfig
    var file: String
    var baseDirectory: String

    func resolve(_ path: String) -> String { ControllerConfig.resolve(path, relativeTo: baseDirectory) }

    /// Whether `source.repository` is a URL (fetched into a cache) rather than a local path.
    var sourceIsURL: Bool {
        let repository = config.source.repository
        return repository.contains("://") || (repository.contains("@") && repository.contains(":"))
    }

    /// Opens the configured repository: a local path directly, a URL through a fetched mirror.
    func openSource() throws -> GitRepository {
        do {
            if sourceIsURL {
                let cache = resolve(".steward/cache")
                return try GitRepository.mirror(url: config.source.repository, cacheDirectory: cache)
            }
            return try GitRepository.open(at: resolve(config.source.repository))
        } catch let error as GitError {
            throw CLIError("source.repository: \(error.message)")
        }
    }
}
