import Manifests
import Reconcile

/// Probing: what the files on disk say about what Steward applied (DESIGN §4).
extension LocalDriver {
    /// Reads and compares the files on every core when there are many (each file is its own work).
    /// The root and each folder are resolved once per probe, not once per file.
    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        let mine = applied.filter { resource in
            let placed = resource.key.environment
            return placed == nil || placed == environment
        }
        LocalProbeMemo.shared.countProbe(root)
        let folders = Self.resolvedFolders(root: root, for: mine)
        let found = ConcurrentMap.map(mine) { probe($0, environment: environment, folders: folders) }
        var results: [ResourceKey: ProbeResult] = [:]
        results.reserveCapacity(mine.count)
        for (resource, result) in zip(mine, found) { results[resource.key] = result }
        return results
    }

    /// Each folder the resources' files are in, resolved under the root (nil: it does not exist);
    /// a folder that cannot be resolved is left out, so each file's probe says why in its own words.
    /// A resource whose folder group (`LocalFile.folderGroup`) was looked at already is skipped
    /// without making its `LocalFile`.
    static func resolvedFolders(root: String, for resources: [AppliedResource]) -> [[String]: String?] {
        guard !root.isEmpty, let realRoot = LocalFile.realPath(root) else { return [:] }
        var folders: [[String]: String?] = [:]
        var looked = Set<LocalFile.FolderGroup>()
        for resource in resources {
            let key = resource.key
            guard let group = LocalFile.folderGroup(of: key), !looked.contains(group), let file = try? LocalFile(key: key) else { continue }
            looked.insert(group)
            guard let folder = try? file.folder(in: realRoot, create: false) else { continue }
            folders[file.folders] = .some(folder)
        }
        return folders
    }

    /// The change count of the root's tree (inotify, `FileWatch`): while it stays the same, no file
    /// under the root was written, created, removed, renamed or had its attributes changed.
    public func changeCount(start: Bool) -> UInt64? { FileWatch.shared.count(root, start: start) }

    /// How many probes in this process looked at the files under `root` (tests, benchmarks).
    public static func probes(of root: String) -> Int { LocalProbeMemo.shared.probes(of: root) }

    /// Forgets what probes learnt of files: the next probes read every file in full, as a fresh process does.
    public static func forgetProbedFiles() { LocalProbeMemo.shared.forgetAll() }

    /// The probe result of one applied resource; nil for kinds without a file.
    /// - Parameter folders: folders already resolved (`resolvedFolders`); others are resolved here.
    func probe(_ resource: AppliedResource, environment: String, folders: [[String]: String?] = [:]) -> ProbeResult? {
        let file: LocalFile
        do {
            guard let found = try LocalFile(key: resource.key) else { return nil }
            file = found
        } catch {
            return ProbeResult(state: .drifted, health: .unknown, message: "\(error)")
        }
        // The file as found the last time it was read in full, for the same applied content: not read
        // again. With no interval to trust it for (a one-shot process), nothing is remembered.
        let memo = fullProbeSeconds > 0 ? root + "/" + file.relativePath : nil
        let content = memo == nil ? "" : "\(resource.specHash) \(resource.commit) \(resource.version ?? "-") \(environment)"
        if let memo, LocalProbeMemo.shared.unchanged(memo, content: content, maxAge: fullProbeSeconds) {
            return ProbeResult(state: .inSync, health: .healthy)
        }
        LocalProbeMemo.shared.countRead(root)
        do {
            let expected = try Self.expectedContent(for: resource, environment: environment)
            let path: String?
            if let folder = folders[file.folders] {
                path = folder.map(file.path(in:))
            } else {
                path = try file.path(under: root, create: false)
            }
            guard let path, let read = try Self.readStated(path, relative: file.relativePath) else {
                LocalProbeMemo.shared.forget(memo)
                return ProbeResult(state: .missing, health: .missing, message: "\(file.relativePath) is missing")
            }
            switch Self.compare(expected: expected, actual: read.bytes) {
            case .equal:
                if let memo {
                    LocalProbeMemo.shared.remember(memo, content: content, before: LocalProbeMemo.identity(read.before),
                                                   after: LocalProbeMemo.identity(read.after))
                }
                return ProbeResult(state: .inSync, health: .healthy)
            case .differs(let why):
                LocalProbeMemo.shared.forget(memo)
                return ProbeResult(state: .drifted, health: .healthy, message: "\(file.relativePath): \(why)")
            }
        } catch {
            LocalProbeMemo.shared.forget(memo)
            return ProbeResult(state: .drifted, health: .unknown, message: "\(error)")
        }
    }
}
