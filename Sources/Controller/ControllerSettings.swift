import Foundation
import GitSource
import Manifests

/// A loaded `controller.yaml` with the folder its relative paths resolve against.
public struct ControllerSettings: Sendable {
    public var config: ControllerConfig
    public var file: String
    public var baseDirectory: String
    /// Whether this process saves what the next one can reuse (`BlobCache`, the probe memo) in
    /// `.steward/cache`; a read command (`diff`, `explain`, `rollout`) only reads them, and writes nothing.
    public var savesCaches = true

    public init(config: ControllerConfig, file: String, baseDirectory: String) {
        self.config = config
        self.file = file
        self.baseDirectory = baseDirectory
    }

    /// Loads `path`, or fails with every problem as `file:line:col: field: message` lines.
    public static func load(path: String) throws -> ControllerSettings {
        do {
            let config = try ControllerConfig.load(path: path)
            // Absolute, so paths built from it (exec checkouts, local roots) mean the same from any folder.
            var folder = (path as NSString).deletingLastPathComponent
            if !folder.hasPrefix("/") {
                folder = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(folder)
            }
            return ControllerSettings(config: config, file: path, baseDirectory: (folder as NSString).standardizingPath)
        } catch let error as ControllerConfig.LoadError {
            throw ControllerError(error.description)
        }
    }

    public func resolve(_ path: String) -> String { ControllerConfig.resolve(path, relativeTo: baseDirectory) }

    /// Steward's working folder (`.steward` beside the configuration).
    public var stateDirectory: String { resolve(".steward") }

    /// Manifest blobs kept between processes (`BlobCache`).
    var blobCacheDirectory: String { resolve(".steward/cache/blobs-1") }

    /// Whether `source.repository` is a URL (fetched into a cache) rather than a local path.
    public var sourceIsURL: Bool {
        let repository = config.source.repository
        return repository.contains("://") || (repository.contains("@") && repository.contains(":"))
    }

    /// Opens the configured repository: a local path directly, a URL through a fetched mirror.
    public func openSource() throws -> GitRepository {
        do {
            if sourceIsURL {
                return try GitRepository.mirror(url: config.source.repository, cacheDirectory: resolve(".steward/cache"))
            }
            return try GitRepository.open(at: resolve(config.source.repository))
        } catch let error as GitError {
            throw ControllerError("source.repository: \(error.message)")
        }
    }

    /// `openSource()` for the reconcile loop: a URL's mirror is fetched within `fetchLimits` on a
    /// thread of its own, and cancelling the task ends the wait at once.
    public func fetchSource(stop: FetchStop? = nil) async throws -> GitRepository {
        do {
            if sourceIsURL {
                return try await GitRepository.mirror(url: config.source.repository, cacheDirectory: resolve(".steward/cache"),
                                                      limits: fetchLimits, stop: stop)
            }
            return try GitRepository.open(at: resolve(config.source.repository))
        } catch let error as GitError {
            throw ControllerError("source.repository: \(error.message)")
        }
    }

    /// The poll interval in seconds (`source.interval`, default 30 s).
    public var interval: Double { config.source.interval.flatMap(ControllerConfig.seconds) ?? 30 }

    /// How long a probe may be skipped because nothing it reads changed (`reconcile.fullProbeInterval`, default 10 min).
    public var fullProbeSeconds: Double { config.reconcile?.fullProbeInterval.flatMap(ControllerConfig.seconds) ?? 600 }

    /// What local probes learnt of the files, kept between processes (`LocalProbeMemo`).
    var probeMemoFile: String { resolve(".steward/cache/probe-memo") }
    var documentHashesFile: String { resolve(".steward/cache/document-hashes") }

    /// How long a fetch of a URL source may wait on the remote (`source.connectTimeout`, `source.transferTimeout`).
    public var fetchLimits: FetchLimits {
        FetchLimits(connectSeconds: config.source.connectTimeout.flatMap(ControllerConfig.seconds) ?? 15,
                    transferSeconds: config.source.transferTimeout.flatMap(ControllerConfig.seconds) ?? 60)
    }
}
