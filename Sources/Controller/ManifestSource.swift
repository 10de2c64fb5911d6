import Foundation
import GitSource
import Manifests

/// Manifest files read from a folder or a git commit, ready for `FleetValidator`.
public struct LoadedSource: Sendable {
    public var files: [FleetValidator.SourceFile] = []
    /// Files refused before parsing (too large, unreadable).
    public var fileErrors: [ValidationError] = []
    /// Entries skipped and reported (symlinks, submodules).
    public var warnings: [String] = []
    public var commit: CommitInfo?

    public func validate(options: FleetValidator.Options) -> ValidationReport {
        var report = FleetValidator.validate(files: files, options: options)
        if !fileErrors.isEmpty {
            report.errors = ValidationError.sortedForDisplay(report.errors.filter { !$0.message.hasPrefix("no resources found") } + fileErrors)
        }
        report.warnings = warnings
        return report
    }
}

/// Reads manifests from a plain folder or from a git repository at a revision.
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

    /// The manifests under `subPath` at `revision` of a repository.
    public static func git(_ repository: GitRepository, revision: String, subPath: String, limits: YAMLLimits = .standard) throws -> LoadedSource {
        let commit = try repository.resolve(revision)
        let snapshot = try repository.snapshot(commit: commit.sha, path: subPath)
        var source = LoadedSource(commit: commit)
        for skipped in snapshot.skipped where skipped.reason == .submodule || FleetValidator.isManifestPath(skipped.path) {
            source.warnings.append("skipped \(skipped.reason.rawValue) \(skipped.path)")
        }
        for file in snapshot.files where FleetValidator.isManifestPath(file.path) {
            do {
                let bytes = try repository.readBlob(file.blobId, path: file.path, limit: limits.maxFileBytes)
                source.files.append(FleetValidator.SourceFile(path: file.path, bytes: bytes))
            } catch let error as GitError where error.code == .blobTooLarge {
                source.fileErrors.append(ValidationError(file: file.path, position: SourcePosition(line: 1, column: 1), message: error.message))
            }
        }
        return source
    }
}
