import Foundation
import Synchronization
import Manifests
import Reconcile

/// Where the local driver keeps one resource: folders and file name relative to the root.
/// Every component is checked so that no name can leave the root.
struct LocalFile: Sendable, Hashable {
    var folders: [String]
    var fileName: String

    /// The path relative to the root, for messages.
    var relativePath: String { (folders + [fileName]).joined(separator: "/") }

    /// The file of `key`, or nil for kinds that have no file (environments, backup schedules).
    init?(key: ResourceKey) throws(DriverError) {
        switch key.kind {
        case .runtimeAdapter:
            try Self.check(key.name, what: "adapter name", key: key)
            self.init(folders: ["adapters"], fileName: "\(key.name).json")
        case .deployment:
            try Self.check(key.name, what: "deployment name", key: key)
            self.init(folders: ["deployments"], fileName: "\(key.name).json")
        case .agentBlueprint:
            guard let ref = key.blueprintRef else {
                throw DriverError("refusing \(key.resource): a blueprint version is named name@version", transient: false)
            }
            try Self.check(ref.name, what: "blueprint name", key: key)
            try Self.check(ref.version, what: "blueprint version", key: key)
            self.init(folders: ["blueprints", ref.name], fileName: "\(ref.version).json")
        case .environment, .backupSchedule, .target:
            return nil
        }
    }

    /// What a file's folders follow from: its kind, and a blueprint's name (`nav` of `nav@1.2.0`).
    struct FolderGroup: Hashable {
        var kind: ResourceKind
        var blueprint: Substring
    }

    /// The folder group of `key`'s file, without making (or checking) the file; nil for kinds
    /// without a file. Keys with one group have their files in the same folders (`init(key:)`).
    static func folderGroup(of key: ResourceKey) -> FolderGroup? {
        switch key.kind {
        case .runtimeAdapter, .deployment: FolderGroup(kind: key.kind, blueprint: "")
        case .agentBlueprint: FolderGroup(kind: key.kind, blueprint: key.name.split(separator: "@", maxSplits: 1).first ?? "")
        case .environment, .backupSchedule, .target: nil
        }
    }

    /// The file an action writes, deletes or checks; the key's kind must be the action's.
    init(for action: PlannedAction) throws(DriverError) {
        let expected: ResourceKind?
        switch action.kind {
        case .configureAdapter, .removeAdapter: expected = .runtimeAdapter
        case .registerVersion: expected = .agentBlueprint
        case .deploy, .promote, .rollback, .undeploy, .smokeTest, .switchSlot: expected = .deployment
        case .backup, .pruneBackups: expected = nil
        }
        guard let expected, action.key.kind == expected, let file = try LocalFile(key: action.key) else {
            throw DriverError("the local driver cannot \(action.kind.rawValue) \(action.key.resource)", transient: false)
        }
        self = file
        // A blue-green Deployment's router: the file its traffic switch reads (DESIGN §10).
        if action.kind == .switchSlot { fileName = "\(action.key.name).active-slot" }
    }

    init(folders: [String], fileName: String) {
        self.folders = folders
        self.fileName = fileName
    }

    /// Refuses a path component that could leave its folder or collide with Steward's temp files.
    static func check(_ component: String, what: String, key: ResourceKey) throws(DriverError) {
        // One pass over the bytes (Foundation's substring search cost a probe of 10,000 files ~30 ms).
        var slash = false, nul = false, dots = false, backslash = false, previous: UInt8 = 0
        for byte in component.utf8 {
            switch byte {
            case UInt8(ascii: "/"): slash = true
            case 0: nul = true
            case UInt8(ascii: "\\"): backslash = true
            case UInt8(ascii: "."): dots = dots || previous == UInt8(ascii: ".")
            default: break
            }
            previous = byte
        }
        let problem: String?
        if component.isEmpty { problem = "is empty" }
        else if slash { problem = "contains '/'" }
        else if nul { problem = "contains NUL" }
        else if dots { problem = "contains '..'" }
        else if component.utf8.first == UInt8(ascii: ".") { problem = "starts with '.'" }
        else if backslash { problem = "contains '\\'" }
        else if component.utf8.count > 250 { problem = "is longer than 250 bytes" }
        else { problem = nil }
        if let problem {
            throw DriverError("refusing \(key.resource): the \(what) \(problem) and would not stay inside the root", transient: false)
        }
    }

    /// The absolute path of the file under `root`, its folders checked to resolve inside the root
    /// (a symlinked folder pointing elsewhere is refused), the root's real path taken from
    /// `resolved`. With `create`, missing folders (and the root) are made, and the folders their
    /// entries are in go to `pending`; without, nil when a folder does not exist.
    func path(under root: String, create: Bool, pending: PendingFolderSyncs, resolved: ResolvedRoot) throws(DriverError) -> String? {
        guard !root.isEmpty else { throw DriverError("the local driver's root is empty", transient: false) }
        if create, !Self.isDirectory(root) {
            // The missing folders from the deepest one there, each made in turn; its entry is made durable later.
            var missing: [String] = []
            var folder = root
            while !folder.isEmpty, folder != "/", !Self.isDirectory(folder) {
                missing.append(folder)
                folder = AtomicFile.split(folder).folder
            }
            for folder in missing.reversed() {
                guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
                    throw DriverError("cannot create the root \(root): \(String(cString: strerror(errno)))", transient: false)
                }
                pending.add(AtomicFile.split(folder).folder)
            }
        }
        guard let realRoot = resolved.realPath(of: root) else {
            if create { throw DriverError("cannot resolve the root \(root)", transient: false) }
            return nil
        }
        return try folder(in: realRoot, create: create, pending: pending).map(path(in:))
    }

    /// The file's path in its resolved `folder`.
    func path(in folder: String) -> String {
        folder == "/" ? "/\(fileName)" : "\(folder)/\(fileName)"
    }

    /// The file's folder under the resolved root `realRoot`, each folder checked to resolve inside it;
    /// without `create`, nil when one does not exist. Files in the same folders share the answer.
    func folder(in realRoot: String, create: Bool, pending: PendingFolderSyncs? = nil) throws(DriverError) -> String? {
        var folder = realRoot
        for component in folders {
            let candidate = folder == "/" ? "/\(component)" : "\(folder)/\(component)"
            var info = stat()
            if lstat(candidate, &info) != 0 {
                guard errno == ENOENT else {
                    throw DriverError("cannot inspect \(candidate): \(String(cString: strerror(errno)))", transient: true)
                }
                guard create else { return nil }
                if mkdir(candidate, 0o755) == 0 {
                    // Made just now in a resolved folder, so it resolves to itself, as a plain folder does below.
                    // Its entry in the parent is made durable with the file's rename (`PendingFolderSyncs`).
                    pending?.add(folder)
                    folder = candidate
                    continue
                }
                guard errno == EEXIST else {
                    throw DriverError("cannot create \(candidate): \(String(cString: strerror(errno)))", transient: false)
                }
            } else if (info.st_mode & S_IFMT) == S_IFDIR {
                // A plain folder (not a link) in a resolved folder resolves to itself: no realpath needed.
                folder = candidate
                continue
            }
            guard let real = Self.realPath(candidate) else {
                // A dangling symlink: it points nowhere inside the root either.
                throw DriverError("refusing \(relativePath): \(candidate) does not resolve", transient: false)
            }
            guard Self.isInside(real, root: realRoot) else {
                throw DriverError("refusing \(relativePath): \(candidate) resolves to \(real), outside the root \(realRoot)",
                                  transient: false)
            }
            var resolved = stat()
            guard stat(real, &resolved) == 0, (resolved.st_mode & S_IFMT) == S_IFDIR else {
                throw DriverError("refusing \(relativePath): \(candidate) is not a folder", transient: false)
            }
            folder = real
        }
        return folder
    }

    /// Whether `path` is a folder (following links), as a cheap check before creating it.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// `realpath(3)` of a path, nil when it does not resolve.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether the resolved `path` is `root` or below it.
    static func isInside(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }
}

/// The real path of a driver's root, resolved the first time it exists and then kept: a driver
/// lives for one pass (`DriverFactory`), so each pass resolves its roots once instead of once per
/// file written (`realpath` reads every component's link, ~9 system calls an action). A root
/// pointed elsewhere is followed from the next pass on.
final class ResolvedRoot: Sendable {
    private let known = Mutex<String?>(nil)

    func realPath(of root: String) -> String? {
        if let real = known.withLock({ $0 }) { return real }
        guard let real = LocalFile.realPath(root) else { return nil }
        known.withLock { $0 = $0 ?? real }
        return real
    }
}
