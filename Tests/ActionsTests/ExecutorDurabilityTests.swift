@testable import Actions
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// The local driver, asking the store from inside each action which earlier actions are on record
/// as completed, whether the folder each of them renamed its file into is still to be synced, and
/// whether its file is in place.
private final class SettleCheckingDriver: Driver, @unchecked Sendable {
    let local: LocalDriver
    let store: any StateStore
    private let lock = NSLock()
    private var written: [(key: String, folder: String)] = []
    private(set) var checked = 0
    private(set) var unsynced: [String] = []
    private(set) var notInPlace: [String] = []

    init(local: LocalDriver, store: any StateStore) {
        self.local = local
        self.store = store
    }

    func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        let earlier = lock.withLock { written }
        let states = try await store.actionKeys(earlier.map(\.key))
        for (key, folder) in earlier where states[key]?.state == .completed {
            let pending = local.pendingFolders.isPending(folder)
            let inPlace = FileManager.default.fileExists(atPath: folder + "/1.0.0.json")
            lock.withLock {
                checked += 1
                if pending { unsynced.append(folder) }
                if !inPlace { notInPlace.append(folder) }
            }
        }
        let outcome = try await local.execute(request)
        let ref = try #require(request.action.key.blueprintRef)
        let folder = try #require(LocalFile.realPath(local.root)) + "/blueprints/" + ref.name
        lock.withLock { written.append((request.idempotencyKey, folder)) }
        return outcome
    }

    func settle() async throws { try await local.settle() }
    func hasEffect(_ request: ActionRequest) async throws -> Bool { try await local.hasEffect(request) }
    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        try await local.probe(environment: environment, applied: applied)
    }
}

@Suite("Executor: an outcome goes on record only once the driver made its effect durable")
struct ExecutorDurabilityTests {
    /// Each version in a folder of its own, written once: once its key is completed, its file must be
    /// in place and the folder it was renamed into synced (it is never to be synced again). Several
    /// groups of outcomes; with the files staged (as the controller runs the driver, each group
    /// settling while the one before it is recorded) and without.
    @Test(arguments: [false, true])
    func noOutcomeIsRecordedWhileItsRenameIsStillToBeSynced(staging: Bool) async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let pending = PendingFolderSyncs()   // this driver's alone: no other test's settle syncs it
        let local = LocalDriver(root: dir.appending("var").path, pendingFolders: pending, pendingWrites: staging ? PendingWrites() : nil)
        let driver = SettleCheckingDriver(local: local, store: store)
        let actions = (0..<700).map { index in
            let name = "bp\(index)"
            let document: JSONValue = .object([
                "apiVersion": .string("steward/v1"), "kind": .string("AgentBlueprint"), "metadata": .object(["name": .string(name)]),
                "spec": .object(["version": .string("1.0.0"), "goal": .string("Navigate")]),
            ])
            return PlannedAction(kind: .registerVersion, key: ResourceKey(kind: .agentBlueprint, name: "\(name)@1.0.0", environment: "staging"),
                                 change: .create, document: document, specHash: ContentHash.sha256Hex(name), version: "1.0.0",
                                 commit: "c1", trigger: "c1", reason: "new in Git")
        }
        let report = try await Executor(store: store, drivers: ["staging": driver], options: Executor.Options(concurrency: 8))
            .run(Plan(commit: "c1", actions: actions))
        #expect(report.succeeded.count == 700 && report.failed.isEmpty)
        #expect(driver.checked > 0, "no action saw an earlier one on record: nothing was checked")
        #expect(driver.unsynced.count == 0, "recorded before their renames were synced: \(driver.unsynced.prefix(3))")
        #expect(driver.notInPlace.count == 0, "recorded before their files were in place: \(driver.notInPlace.prefix(3))")
        let root = try #require(LocalFile.realPath(dir.appending("var").path))
        #expect(!pending.isPending(root + "/blueprints/bp699") && !pending.isPending(root + "/blueprints"))
        try await store.close()
    }
}
