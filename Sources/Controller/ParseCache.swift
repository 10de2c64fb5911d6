import GitSource
import Manifests

/// Parsed manifest files keyed by blob id: an unchanged blob is never read or parsed again.
/// Bounded: past `capacity` files the oldest generation is dropped.
struct ParseCache {
    private var current: [String: ManifestParser.FileResult] = [:]
    private var previous: [String: ManifestParser.FileResult] = [:]
    let capacity: Int
    private(set) var hits = 0
    private(set) var misses = 0

    init(capacity: Int = 50_000) { self.capacity = capacity }

    /// The parse of `file` (re-stamped with its current path), reading and parsing only on a miss.
    mutating func result(for file: SourceFile, limits: YAMLLimits, read: () throws -> [UInt8]) throws -> ManifestParser.FileResult {
        if let cached = current[file.blobId] ?? previous[file.blobId] {
            hits += 1
            store(file.blobId, cached)
            return Self.restamp(cached, path: file.path)
        }
        misses += 1
        let parsed = ManifestParser.parse(file: file.path, bytes: try read(), limits: limits)
        store(file.blobId, parsed)
        return parsed
    }

    private mutating func store(_ blobId: String, _ result: ManifestParser.FileResult) {
        if current.count >= capacity {
            previous = current
            current = [:]
        }
        current[blobId] = result
    }

    /// A cached parse with file names of resources and errors moved to `path`.
    private static func restamp(_ result: ManifestParser.FileResult, path: String) -> ManifestParser.FileResult {
        guard let first = result.resources.first?.file ?? result.errors.first?.file, first != path else { return result }
        var moved = ManifestParser.FileResult()
        moved.resources = result.resources.map { $0.moved(to: path) }
        moved.errors = result.errors.map { error in
            var copy = error
            copy.file = path
            return copy
        }
        return moved
    }
}

extension ManifestSource {
    /// The manifests under `subPath` at `commit`, parsed through `cache`, then validated as a whole.
    static func validate(_ repository: GitRepository, commit: String, subPath: String, cache: inout ParseCache,
                         options: FleetValidator.Options) throws -> ValidationReport {
        let snapshot = try repository.snapshot(commit: commit, path: subPath)
        var resources: [Resource] = []
        var errors: [ValidationError] = []
        for file in snapshot.files where FleetValidator.isManifestPath(file.path) {
            do {
                let result = try cache.result(for: file, limits: options.limits) {
                    try repository.readBlob(file.blobId, path: file.path, limit: options.limits.maxFileBytes)
                }
                resources += result.resources
                errors += result.errors
            } catch let error as GitError where error.code == .blobTooLarge {
                errors.append(ValidationError(file: file.path, position: SourcePosition(line: 1, column: 1), message: error.message))
            }
        }
        var report = FleetValidator.validate(resources: resources, parseErrors: errors, options: options)
        report.warnings = snapshot.skipped.filter { $0.reason == .submodule || FleetValidator.isManifestPath($0.path) }
            .map { "skipped \($0.reason.rawValue) \($0.path)" }
        return report
    }
}
