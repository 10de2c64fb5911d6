import Foundation
import GitSource
import Manifests

/// Manifest files read from a folder, ready for `FleetValidator`.
public struct LoadedSource: Sendable {
    public var files: [FleetValidator.SourceFile] = []
    /// Files refused before parsing (too large, unreadable).
    public var fileErrors: [ValidationError] = []
    /// Entries skipped and reported (symlinks, submodules).
    public var warnings: [String] = []

    public func validate(options: FleetValidator.Options) -> ValidationReport {
        var report = FleetValidator.validate(files: files, options: options)
        if !fileErrors.isEmpty {
            report.errors = ValidationError.sortedForDisplay(report.errors.filter { !$0.message.hasPrefix("no resources found") } + fileErrors)
        }
        report.warnings = warnings
        return report
    }
}

/// Reads manifests from a plain folder or from a git repository at a revision (through `ParseCache`).
public enum ManifestSource {
    public static func folder(_ root: String, limits: YAMLLimits = .standard) throws -> LoadedSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw ControllerError("\(root): no such file or directory")
        }
        var source = LoadedSource()
        if !isDirectory.boolValue {
            try read(file: root, display: root, into: &source, limits: limits)
            return source
        }
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw ControllerError("\(root): cannot read the folder") }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            let type = walker.fileAttributes?[.type] as? FileAttributeType
            let name = (relative as NSString).lastPathComponent
            if type == .typeDirectory, name.hasPrefix(".") { walker.skipDescendants(); continue }
            guard FleetValidator.isManifestPath(relative) else { continue }
            if type == .typeSymbolicLink { source.warnings.append("skipped symlink \(join(root, relative))"); continue }
            if type == .typeRegular { paths.append(relative) }
        }
        for relative in paths.sorted() {
            try read(file: join(root, relative), display: join(root, relative), into: &source, limits: limits)
        }
        return source
    }

    private static func join(_ root: String, _ relative: String) -> String {
        root == "." ? relative : (root as NSString).appendingPathComponent(relative)
    }

    private static func read(file: String, display: String, into source: inout LoadedSource, limits: YAMLLimits) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        if size > limits.maxFileBytes {
            source.fileErrors.append(ValidationError(file: display, position: SourcePosition(line: 1, column: 1),
                                                     message: "file is \(size) bytes, above the \(limits.maxFileBytes)-byte limit"))
            return
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw ControllerError("\(file): cannot read the file") }
        source.files.append(FleetValidator.SourceFile(path: display, bytes: Array(data)))
    }

    /// Resolves `revision` and validates the manifests under `subPath` at that commit.
    public static func validate(_ repository: GitRepository, revision: String, subPath: String,
                                options: FleetValidator.Options) throws -> (commit: CommitInfo, report: ValidationReport) {
        let commit = try repository.resolve(revision)
        var cache = ParseCache()
        return (commit, try validate(repository, commit: commit.sha, subPath: subPath, cache: &cache, options: options))
    }
}
