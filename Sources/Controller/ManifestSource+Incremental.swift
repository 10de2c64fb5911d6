import Foundation
import GitSource
import Manifests

/// A commit whose manifests validated without errors: each file's parse and the fleet. A later
/// commit that changes only Deployments is validated by patching it (`FleetValidator.patch`).
struct ValidatedSource {
    struct File {
        var blobId: String
        var result: ManifestParser.FileResult
    }

    var commit: String
    var options: FleetValidator.Options
    var files: [String: File]
    var fleet: Fleet
}

/// A commit's validation, and whether its fleet was patched onto the commit validated before.
struct SourceValidation {
    var report: ValidationReport
    var patched = false
}

extension ManifestSource {
    /// The manifests under `subPath` at `commit`, parsed through `cache`, then validated as a whole.
    static func validate(_ repository: GitRepository, commit: String, subPath: String, cache: inout ParseCache,
                         options: FleetValidator.Options) throws -> ValidationReport {
        var base: ValidatedSource?
        return try validate(repository, commit: commit, subPath: subPath, cache: &cache, options: options, base: &base, keep: false).report
    }

    /// Like `validate`, patching `base` when the commit changes only Deployments since it (checked
    /// again as a whole otherwise); `base` becomes this commit when it validates (`keep`).
    static func validate(_ repository: GitRepository, commit: String, subPath: String, cache: inout ParseCache,
                         options: FleetValidator.Options, base: inout ValidatedSource?, keep: Bool = true) throws -> SourceValidation {
        let snapshot = try repository.snapshot(commit: commit, path: subPath, sizes: false)   // readBlob checks the size limit
        let files = snapshot.files.filter { FleetValidator.isManifestPath($0.path) }
        let warnings = snapshot.skipped.filter { $0.reason == .submodule || FleetValidator.isManifestPath($0.path) }
            .map { "skipped \($0.reason.rawValue) \($0.path)" }
        if var previous = base.take(), previous.options.allowEmpty == options.allowEmpty, previous.options.limits == options.limits {
            switch try previous.patch(to: commit, files: files, options: options, cache: &cache, repository: repository) {
            case .patched:
                cache.storeFresh(live: files)
                var report = ValidationReport(fleet: previous.fleet, errors: [], warnings: warnings)
                report.fleet.documents = cache.documents
                base = previous
                return SourceValidation(report: report, patched: true)
            case .notDeploymentsOnly:
                base = previous
            case .unresolved:
                break   // the base's fleet went into the attempt; the whole check below says why
            }
        }
        var resources: [Resource] = []
        var errors: [ValidationError] = []
        resources.reserveCapacity(files.count)
        let results = try cache.results(for: files, limits: options.limits, repository: repository)
        cache.storeFresh(live: files)
        for result in results {
            resources += result.resources
            errors += result.errors
        }
        if errors.isEmpty { DocumentWarmUp.start(resources, registered: options.registeredVersions) }
        var report = FleetValidator.validate(resources: resources, parseErrors: errors, options: options, checkedEach: true)
        report.fleet.documents = cache.documents
        report.warnings = warnings
        if keep, report.isValid {
            var table: [String: ValidatedSource.File] = [:]
            table.reserveCapacity(files.count)
            for (file, result) in zip(files, results) { table[file.path] = ValidatedSource.File(blobId: file.blobId, result: result) }
            base = ValidatedSource(commit: commit, options: options, files: table, fleet: report.fleet)
        }
        return SourceValidation(report: report)
    }
}

extension ValidatedSource {
    enum Patch {
        case patched
        /// The commit changes more than Deployments, a changed file has errors, or a kept blueprint
        /// no longer matches a version registered since: unchanged.
        case notDeploymentsOnly
        /// An added Deployment does not resolve: the fleet is gone (it was patched in place).
        case unresolved
    }

    /// Moves this source to `commit`, whose manifest `files` differ from its own only in Deployments,
    /// by patching its fleet. Reads and parses only the files whose blob changed. Versions registered
    /// since (`options`) are checked against the kept blueprints (their spec hashes are made once).
    mutating func patch(to commit: String, files: [SourceFile], options: FleetValidator.Options, cache: inout ParseCache,
                        repository: GitRepository) throws -> Patch {
        if options.registeredVersions != self.options.registeredVersions,
           !VersionImmutability.check(fleet.resources, registered: options.registeredVersions).isEmpty {
            return .notDeploymentsOnly
        }
        var kept: [ManifestParser.FileResult?] = []   // per file: its parse when unchanged
        var changed: [SourceFile] = []
        var present = 0
        kept.reserveCapacity(files.count)
        for file in files {
            let old = self.files[file.path]
            if old != nil { present += 1 }
            if let old, old.blobId == file.blobId { kept.append(old.result) } else { kept.append(nil); changed.append(file) }
        }
        var gone: [String] = []
        if present < self.files.count {
            let paths = Set(files.map(\.path))
            gone = self.files.keys.filter { !paths.contains($0) }
        }
        let results = try cache.results(for: changed, limits: options.limits, repository: repository)
        var removed: [Resource] = [], added: [Resource] = []
        for (file, result) in zip(changed, results) {
            guard result.errors.isEmpty else { return .notDeploymentsOnly }
            added += result.resources
            removed += self.files[file.path]?.result.resources ?? []
        }
        for path in gone { removed += self.files[path]?.result.resources ?? [] }
        guard removed.allSatisfy({ $0.kind == .deployment }), added.allSatisfy({ $0.kind == .deployment }) else { return .notDeploymentsOnly }
        var resources = fleet.resources
        if !changed.isEmpty || !gone.isEmpty {
            resources = []
            resources.reserveCapacity(fleet.resources.count + added.count)
            var next = results.makeIterator()
            for result in kept { resources += (result ?? next.next()!).resources }
        }
        var previous = Fleet()
        swap(&previous, &fleet)   // held once, so the patch edits its tables in place
        guard let patched = FleetValidator.patch(consume previous, resources: resources, removed: removed, added: added) else { return .unresolved }
        for (file, result) in zip(changed, results) { self.files[file.path] = File(blobId: file.blobId, result: result) }
        for path in gone { self.files[path] = nil }
        fleet = patched
        self.commit = commit
        self.options = options
        return .patched
    }
}
