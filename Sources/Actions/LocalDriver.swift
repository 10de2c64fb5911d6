import Foundation
import NIOPosix
import Manifests
import Reconcile

/// The embedded driver (DESIGN §5): materialises an environment as canonical JSON files under
/// `root` — `adapters/<name>.json`, `blueprints/<name>/<version>.json`, `deployments/<name>.json`.
public struct LocalDriver: Driver {
    /// The environment's folder, already resolved and allowed by the caller.
    public let root: String
    /// The environment's smoke tests (`gates.smokeTests`); reported as skipped, no endpoints here.
    public let smokeTests: [SmokeTest]
    /// How long a file's identity stands for its content without a full read (`reconcile.fullProbeInterval`).
    public let fullProbeSeconds: Double

    /// The folder entries written and not yet made durable (`settle`): the process's, but for tests.
    let pendingFolders: PendingFolderSyncs
    /// Where written files wait, under temporary names, to be fsynced and renamed into place when
    /// the driver settles (`PendingWrites`, this driver's and its copies'); nil: each write is
    /// fsynced and renamed as it is made.
    let pendingWrites: PendingWrites?
    /// The root's real path, once it exists (for this driver's pass).
    let resolvedRoot = ResolvedRoot()

    /// `stagingWrites`: an action's file is put in place when the driver settles, as the executor
    /// does before it records outcomes (`PendingWrites`), not before `execute` returns.
    public init(root: String, smokeTests: [SmokeTest] = [], fullProbeSeconds: Double = 600, stagingWrites: Bool = false) {
        self.init(root: root, smokeTests: smokeTests, fullProbeSeconds: fullProbeSeconds, pendingFolders: .shared,
                  pendingWrites: stagingWrites ? PendingWrites() : nil)
    }

    init(root: String, smokeTests: [SmokeTest] = [], fullProbeSeconds: Double = 600, pendingFolders: PendingFolderSyncs,
         pendingWrites: PendingWrites? = nil) {
        self.root = root
        self.smokeTests = smokeTests
        self.fullProbeSeconds = fullProbeSeconds
        self.pendingFolders = pendingFolders
        self.pendingWrites = pendingWrites
    }

    public func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        let action = request.action
        switch action.kind {
        case .configureAdapter, .registerVersion, .deploy, .promote, .rollback, .switchSlot:
            if let pendingWrites, pendingWrites.isStaged(stageKey(try LocalFile(for: action))) { try await commitStaged() }
            return try await Self.onFileThreads { try self.write(request) }
        case .removeAdapter, .undeploy:
            try await commitStaged()
            return try await Self.onFileThreads { try self.remove(request) }
        case .smokeTest:
            try await commitStaged()
            return try smokeTest(request)
        case .backup, .pruneBackups:
            throw DriverError("the local driver does not run \(action.kind.rawValue) (\(action.key.resource)); "
                              + "backups are run by the controller's scheduler", transient: false)
        }
    }

    /// Puts the staged files in place, durable (`PendingWrites`), and makes the folder entries of
    /// the files written (and of the folders made) durable: renames are synced a group at a time,
    /// before their outcomes are recorded (`PendingFolderSyncs`).
    public func settle() async throws {
        try await commitStaged()
        do {
            try await pendingFolders.flush()
        } catch let error as AtomicFileError {
            throw Self.driverError(error, relative: root)
        }
    }

    /// Puts every staged file in place (before anything reads or removes the driver's files).
    func commitStaged() async throws {
        guard let pendingWrites, !pendingWrites.isEmpty else { return }
        do {
            try await pendingWrites.commit(into: pendingFolders)
        } catch let error as AtomicFileError {
            throw Self.driverError(error, relative: root)
        }
    }

    /// What `PendingWrites` knows a file of this driver by: the same for every action on it.
    func stageKey(_ file: LocalFile) -> String { root + "/" + file.relativePath }

    public func hasEffect(_ request: ActionRequest) async throws -> Bool {
        try await commitStaged()
        let action = request.action
        switch action.kind {
        case .configureAdapter, .registerVersion, .deploy, .promote, .rollback, .switchSlot:
            let file = try LocalFile(for: action)
            guard let path = try path(of: file, create: false) else { return false }
            guard try Self.readFile(path, relative: file.relativePath) == Self.content(for: request) else { return false }
            // Found after a crash between the rename and the settle: its folder and the folder's own
            // entry (a folder the run made) are synced before it goes on record.
            let folder = AtomicFile.split(path).folder
            pendingFolders.add(folder)
            pendingFolders.add(AtomicFile.split(folder).folder)
            return true
        case .removeAdapter, .undeploy:
            let file = try LocalFile(for: action)
            guard let path = try path(of: file, create: false) else { return true }
            return try Self.readFile(path, relative: file.relativePath) == nil
        case .smokeTest, .backup, .pruneBackups:
            // Nothing lasting to look at: run it again.
            return false
        }
    }

    /// The path of `file` under this driver's root (`LocalFile.path(under:create:pending:resolved:)`).
    func path(of file: LocalFile, create: Bool) throws(DriverError) -> String? {
        try file.path(under: root, create: create, pending: pendingFolders, resolved: resolvedRoot)
    }

    /// Writes the resource's file unless it already holds exactly the expected bytes. A blue-green
    /// switch (DESIGN §10) writes the slot taking traffic, one line, to `deployments/<name>.active-slot`,
    /// for whatever routes the environment's traffic to read.
    func write(_ request: ActionRequest) throws -> ActionOutcome {
        let file = try LocalFile(for: request.action)
        let bytes = try Self.content(for: request)
        guard let path = try path(of: file, create: true) else {
            throw DriverError("cannot create the folder of \(file.relativePath) under \(root)", transient: false)
        }
        let written: Bool
        do throws(AtomicFileError) {
            if let pendingWrites {
                // Fsynced and renamed into place with the others of its group when the driver settles.
                let staged = try AtomicFile.stage(path: path, bytes: bytes)
                if let staged { pendingWrites.add(staged, key: stageKey(file)) }
                written = staged != nil
            } else {
                // The rename is made durable with the others of its group before the outcome is recorded (`settle`).
                written = try AtomicFile.write(path: path, bytes: bytes, syncingFolder: false)
                if written { pendingFolders.add(AtomicFile.split(path).folder) }
            }
        } catch {
            throw Self.driverError(error, relative: file.relativePath)
        }
        return ActionOutcome(message: written ? "wrote \(file.relativePath)" : "\(file.relativePath) already up to date",
                             data: .object(["file": .string(file.relativePath), "written": .bool(written)]))
    }

    /// The bytes an action leaves in its file.
    static func content(for request: ActionRequest) throws(DriverError) -> [UInt8] {
        request.action.kind == .switchSlot ? try slotContent(request.action) : try expectedContent(for: request)
    }

    static func slotContent(_ action: PlannedAction) throws(DriverError) -> [UInt8] {
        guard let slot = action.document["spec"]?["activeSlot"]?.string else {
            throw DriverError("switch of \(action.key.resource) names no slot (spec.activeSlot)", transient: false)
        }
        return Array("\(slot)\n".utf8)
    }

    /// Deletes the resource's file; a file without Steward's `steward` block is left alone.
    func remove(_ request: ActionRequest) throws -> ActionOutcome {
        let file = try LocalFile(for: request.action)
        guard let path = try path(of: file, create: false),
              let bytes = try Self.readFile(path, relative: file.relativePath) else {
            return ActionOutcome(message: "\(file.relativePath) already absent",
                                 data: .object(["file": .string(file.relativePath), "deleted": .bool(false)]))
        }
        guard Self.isWrittenBySteward(bytes) else {
            throw DriverError("refusing to delete \(file.relativePath) under \(root): it was not written by Steward "
                              + "(no steward block); remove it by hand", transient: false)
        }
        do throws(AtomicFileError) {
            try AtomicFile.remove(path: path)
        } catch {
            throw Self.driverError(error, relative: file.relativePath)
        }
        return ActionOutcome(message: "deleted \(file.relativePath)",
                             data: .object(["file": .string(file.relativePath), "deleted": .bool(true)]))
    }

    /// Reads a file Steward manages: nil when missing; a symlink or folder in its place is an error.
    static func readFile(_ path: String, relative: String) throws(DriverError) -> [UInt8]? {
        try readStated(path, relative: relative)?.bytes
    }

    /// `readFile`, with the file's status from before and after the read.
    static func readStated(_ path: String, relative: String) throws(DriverError) -> (bytes: [UInt8], before: stat, after: stat)? {
        do throws(AtomicFileError) {
            return try AtomicFile.readStated(path: path)
        } catch {
            throw driverError(error, relative: relative)
        }
    }

    /// A file operation's failure as a driver error: permission-like failures wait for a fix,
    /// others (disk full, I/O) are retried.
    static func driverError(_ error: AtomicFileError, relative: String) -> DriverError {
        let terminal: Set<Int32> = [EACCES, EPERM, EROFS, EISDIR, ENOTDIR, ELOOP, ENAMETOOLONG, EEXIST]
        return DriverError("\(relative): \(error)", transient: !terminal.contains(error.code))
    }

    /// Whether `bytes` is a JSON object carrying Steward's `steward` block.
    static func isWrittenBySteward(_ bytes: [UInt8]) -> Bool {
        guard let value = parseJSON(bytes), case .object(let block)? = value["steward"] else { return false }
        return block["commit"] != nil
    }

    /// Writes and removals wait on fsync: they run on threads of their own, off the cooperative pool,
    /// so concurrent actions overlap their syncs (and share folder syncs, see `FolderSyncs`). Not a
    /// concurrent `DispatchQueue`: on Linux it runs about one block per core, whatever
    /// `reconcile.concurrency` allows. Up to 16 at once; more wait their turn.
    static let filePool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    static func onFileThreads<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await filePool.runIfActive(body)
    }

    /// Parses JSON text into a `JSONValue`, nil when it is not valid JSON or an object in it names
    /// a key twice (Steward never writes that; a reader of the file could take either value).
    static func parseJSON(_ bytes: [UInt8]) -> JSONValue? {
        bytes.withUnsafeBufferPointer { JSONParser.parse($0, rejectingRepeatedKeys: true).value }
    }
}
