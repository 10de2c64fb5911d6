import Foundation
import Manifests
import Reconcile

/// Probing: what the files on disk say about what Steward applied (DESIGN §4).
extension LocalDriver {
    /// Reads and compares the files on every core when there are many (each file is its own work).
    /// Files the memo vouches for are not read; for the others, the root and each folder are
    /// resolved once per probe, not once per file.
    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        try await commitStaged()
        let mine = applied.filter { resource in
            let placed = resource.key.environment
            return placed == nil || placed == environment
        }
        LocalProbeMemo.shared.countProbe(root)
        var results: [ResourceKey: ProbeResult] = [:]
        results.reserveCapacity(mine.count)
        var unread: [AppliedResource] = []
        for (resource, vouched) in zip(mine, ConcurrentMap.map(mine) { remembered($0, environment: environment) }) {
            if vouched { results[resource.key] = ProbeResult(state: .inSync, health: .healthy) } else { unread.append(resource) }
        }
        let folders = Self.resolvedFolders(realRoot: root.isEmpty ? nil : resolvedRoot.realPath(of: root), for: unread)
        let found = ConcurrentMap.map(unread) { probe($0, environment: environment, folders: folders, memoChecked: true) }
        for (resource, result) in zip(unread, found) { results[resource.key] = result }
        return results
    }

    /// Each folder the resources' files are in, resolved under the root (nil: it does not exist);
    /// a folder that cannot be resolved is left out, so each file's probe says why in its own words.
    /// A resource whose folder group (`LocalFile.folderGroup`) was looked at already is skipped
    /// without making its `LocalFile`.
    /// `realRoot`: the root's real path (the driver's `resolvedRoot`), nil when it does not exist.
    static func resolvedFolders(realRoot: String?, for resources: [AppliedResource]) -> [[String]: String?] {
        guard let realRoot else { return [:] }
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

    /// Forgets what probes learnt of files: the next probes read every file in full, as a process
    /// with no saved memo does.
    public static func forgetProbedFiles() { LocalProbeMemo.shared.forgetAll() }

    /// Starts from what probes in other processes learnt of the files (saved in `file`), and saves
    /// there from now on (`saveProbedFiles`) when `saving`.
    public static func attachProbedFiles(_ file: String, saving: Bool = true) { LocalProbeMemo.shared.attach(file, saving: saving) }

    /// Saves what probes learnt of the files, when it changed, to the attached file.
    public static func saveProbedFiles() { LocalProbeMemo.shared.save() }

    /// Forgets what probes learnt and the attached file: the next `attachProbedFiles` reads it again.
    public static func detachProbedFiles() { LocalProbeMemo.shared.detach() }

    /// The memo's name for the file of `resource` and what was applied there; nil when nothing is
    /// remembered (no interval to trust it for) or the resource has no file.
    private func memoKey(_ resource: AppliedResource, _ file: LocalFile, environment: String) -> (path: String, content: String)? {
        guard fullProbeSeconds > 0 else { return nil }
        return (root + "/" + file.relativePath, "\(resource.specHash) \(resource.commit) \(resource.version ?? "-") \(environment)")
    }

    /// Whether the file of `resource` is as found the last time it was read in full, for the same
    /// applied content: then it is not read again.
    func remembered(_ resource: AppliedResource, environment: String) -> Bool {
        guard let file = try? LocalFile(key: resource.key), let memo = memoKey(resource, file, environment: environment) else { return false }
        return LocalProbeMemo.shared.unchanged(memo.path, content: memo.content, maxAge: fullProbeSeconds)
    }

    /// The probe result of one applied resource; nil for kinds without a file.
    /// - Parameters:
    ///   - folders: folders already resolved (`resolvedFolders`); others are resolved here.
    ///   - memoChecked: `remembered` said no already.
    func probe(_ resource: AppliedResource, environment: String, folders: [[String]: String?] = [:], memoChecked: Bool = false) -> ProbeResult? {
        let file: LocalFile
        do {
            guard let found = try LocalFile(key: resource.key) else { return nil }
            file = found
        } catch {
            return ProbeResult(state: .drifted, health: .unknown, message: "\(error)")
        }
        let key = memoKey(resource, file, environment: environment)
        let memo = key?.path
        if !memoChecked, let key, LocalProbeMemo.shared.unchanged(key.path, content: key.content, maxAge: fullProbeSeconds) {
            return ProbeResult(state: .inSync, health: .healthy)
        }
        LocalProbeMemo.shared.countRead(root)
        let readAt = Date().timeIntervalSince1970   // before the read: what settled by then stays settled
        do {
            let expected = try Self.expectedContent(for: resource, environment: environment)
            let path: String?
            if let folder = folders[file.folders] {
                path = folder.map(file.path(in:))
            } else {
                path = try self.path(of: file, create: false)
            }
            guard let path, let read = try Self.readStated(path, relative: file.relativePath) else {
                LocalProbeMemo.shared.forget(memo)
                return ProbeResult(state: .missing, health: .missing, message: "\(file.relativePath) is missing")
            }
            switch Self.compare(expected: expected, actual: read.bytes) {
            case .equal:
                if let key {
                    LocalProbeMemo.shared.remember(key.path, content: key.content, before: LocalProbeMemo.identity(read.before),
                                                   after: LocalProbeMemo.identity(read.after), now: readAt)
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
