@testable import Controller
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// A controller over a real git repository of the quickstart fleet (local driver, SQLite), already
/// converged on a good commit, to throw one hostile commit at and check what it changed.
final class HostileBench {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    private(set) var reconciler: Reconciler
    /// The last good commit applied.
    private(set) var good: String?
    var path: String { directory.path }
    var store: any StateStore { reconciler.store }

    /// What the fleet looks like from outside: store rows, local driver files, the applied commit.
    struct Snapshot: Equatable {
        var resources: [String: String]
        var files: [String: Data]
        var applied: String?
    }

    /// How one hostile pass ended.
    struct Attempt {
        var result: Reconciler.PassResult?
        var thrown: String?
        var seconds: Double
        /// Every error line the pass reported (validation errors, or the error it threw).
        var messages: [String] { result.map { $0.validationErrors.map(\.description) } ?? [thrown ?? ""] }
        var refused: Bool { thrown != nil || !(result?.validationErrors.isEmpty ?? true) }
    }

    /// - Parameters:
    ///   - converge: commit the quickstart fleet and apply it (else the repository is left empty).
    ///   - source: extra `source:` settings, e.g. `allowForcePush: true`.
    init(converge: Bool = true, source: String = "") async throws {
        directory = try TemporaryDirectory(prefix: "steward-hostile")
        repo = try TemporaryGitRepository()
        let extra = source.isEmpty ? "" : ", " + source
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s\(extra)}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}
            reconcile: {prune: true, selfHeal: true, concurrency: 4, retry: {initialSeconds: 0.1, maxSeconds: 1}}
            drivers: {local: {allowedRoots: [.]}}

            """.write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let settings = try ControllerSettings.load(path: directory.path + "/controller.yaml")
        var logger = Logger(label: "hostile")
        logger.logLevel = .critical
        reconciler = Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
        guard converge else { return }
        do {
            try repo.copyQuickstart()
            let sha = try repo.commit("quickstart fleet")
            let first = try await reconciler.pass()
            guard first.appliedCommit == sha, !(first.report?.hasFailures ?? true) else {
                throw ProcessFailure(message: "the good commit did not apply: \(first.validationErrors)")
            }
            try await settle()
            good = sha
        } catch {
            await close()
            throw error
        }
    }

    /// Runs passes until one plans nothing (at most 10, as `run --once`): a pass that proves a
    /// version in staging unblocks production in the next.
    func settle() async throws {
        for _ in 0..<10 {
            let result = try await reconciler.pass()
            if result.plan.actions.isEmpty || result.report?.hasFailures == true { return }
        }
        throw ProcessFailure(message: "the fleet did not converge in 10 passes")
    }

    /// Replaces the reconciler by a new one on the same configuration and store, as after a restart.
    func restart() async throws {
        try await reconciler.store.close()
        var logger = Logger(label: "hostile-restart")
        logger.logLevel = .critical
        reconciler = Reconciler(settings: reconciler.settings, store: try await reconciler.settings.openStore(), logger: logger)
    }

    /// Closes the store (call at the end of each test).
    func close() async { try? await reconciler.store.close() }

    /// Runs `body` with a new bench and closes its store afterwards, also when `body` throws.
    static func with(converge: Bool = true, source: String = "", _ body: (HostileBench) async throws -> Void) async throws {
        let bench = try await HostileBench(converge: converge, source: source)
        do {
            try await body(bench)
        } catch {
            await bench.close()
            throw error
        }
        await bench.close()
    }

    /// The store rows (key → hash, commit, version, sync), local driver files and applied commit.
    func snapshot() async throws -> Snapshot {
        var rows: [String: String] = [:]
        for resource in try await store.resources() {
            rows[resource.key.description] = "\(resource.specHash) \(resource.commit) \(resource.version ?? "-") \(resource.sync)"
        }
        var files: [String: Data] = [:]
        let root = path + "/var/fleet"
        if let walker = FileManager.default.enumerator(atPath: root) {
            while let relative = walker.nextObject() as? String {
                if let data = FileManager.default.contents(atPath: root + "/" + relative) { files[relative] = data }
            }
        }
        return Snapshot(resources: rows, files: files, applied: try await store.sourceCursor()?.lastAppliedCommit)
    }

    /// The canonical JSON the local driver wrote for `relative` (under `var/fleet/`).
    func fleetFile(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/var/fleet/" + relative, encoding: .utf8)
    }

    /// Runs one pass, timing it; a thrown error is kept, not rethrown.
    func timedPass() async -> Attempt {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let result = try await reconciler.pass()
            return Attempt(result: result, thrown: nil, seconds: Self.seconds(clock.now - start))
        } catch {
            return Attempt(result: nil, thrown: "\(error)", seconds: Self.seconds(clock.now - start))
        }
    }

    /// The legitimate change every hostile commit carries too, so a partly applied commit shows.
    static let bait = ("adapters/desktop-main.yaml", "memoryMb: 4096", "memoryMb: 8192")

    func addBait() throws {
        let (file, from, to) = Self.bait
        guard let text = repo.read(file) else { return }   // the hostile change removed it
        try repo.write(file, text.replacingOccurrences(of: from, with: to))
    }

    /// Whether the bait (8192 MB for desktop-main) reached the staging target.
    var baitApplied: Bool { fleetFile("staging/adapters/desktop-main.json")?.contains("\"memoryMb\":8192") == true }

    /// Puts the quickstart fleet back (plus the bait change), commits it and applies it: the
    /// controller must still work after the hostile commit.
    func recover(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for entry in try FileManager.default.contentsOfDirectory(atPath: repo.path) where entry != ".git" {
            try FileManager.default.removeItem(atPath: repo.path + "/" + entry)
        }
        try repo.copyQuickstart()
        try addBait()
        let sha = try repo.commit("good again", allowEmpty: true)
        let result = try await reconciler.pass()
        #expect(result.validationErrors.isEmpty, "\(result.validationErrors)", sourceLocation: sourceLocation)
        #expect(result.appliedCommit == sha, sourceLocation: sourceLocation)
        #expect(baitApplied, "the good commit after the hostile one was not applied", sourceLocation: sourceLocation)
        #expect(try await store.sourceCursor()?.lastAppliedCommit == sha, sourceLocation: sourceLocation)
        try await settle()
        good = sha
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension HostileBench {
    /// Commits `change` together with the bait, runs one pass and checks that it was refused with a
    /// message containing `expected`, and that nothing of the commit reached the store or the
    /// target; then checks that the next good commit is applied.
    func expectRefused(_ name: String, containing expected: String, change: () throws -> Void,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = try await snapshot()
        try change()
        try addBait()
        let hostile = try repo.commit("hostile: \(name)", allowEmpty: true)
        try await checkRefused(name, containing: expected, head: hostile, before: before, sourceLocation: sourceLocation)
        try await recover(sourceLocation: sourceLocation)
    }

    /// Runs one pass with `head` at the branch tip and checks it was refused and changed nothing.
    @discardableResult
    func checkRefused(_ name: String, containing expected: String, head: String?, before: Snapshot,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> Attempt {
        let attempt = await timedPass()
        let messages = attempt.messages
        HostileReport.record(name, expected: "refused", outcome: attempt.refused ? "refused" : "accepted",
                             seconds: attempt.seconds, message: messages.first)
        #expect(attempt.refused, "\(name) was not refused", sourceLocation: sourceLocation)
        #expect(messages.contains { $0.contains(expected) }, "\(name): no message contains '\(expected)' in \(messages.prefix(5))",
                sourceLocation: sourceLocation)
        if let result = attempt.result {
            #expect(result.commit == head, sourceLocation: sourceLocation)
            #expect(result.appliedCommit == before.applied, sourceLocation: sourceLocation)
            #expect(result.plan.actions.isEmpty, "\(result.plan.actions.map(\.key))", sourceLocation: sourceLocation)
            let cursor = try await store.sourceCursor()
            #expect(cursor?.lastSeenCommit == head && cursor?.errors.isEmpty == false, "status must say why", sourceLocation: sourceLocation)
        }
        #expect(try await snapshot() == before, "\(name): the store or the target changed", sourceLocation: sourceLocation)
        if let good, let shown = try? repo.git("show", "\(good):\(Self.bait.0)"), !shown.contains(Self.bait.2) {
            #expect(!baitApplied, "\(name): the legitimate change beside the hostile one was applied", sourceLocation: sourceLocation)
        }
        return attempt
    }

    /// Commits `change` (no bait), runs one pass and checks the commit was applied without errors.
    @discardableResult
    func expectAccepted(_ name: String, change: () throws -> Void,
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> Reconciler.PassResult? {
        try change()
        let sha = try repo.commit("legal but unusual: \(name)", allowEmpty: true)
        let attempt = await timedPass()
        HostileReport.record(name, expected: "accepted", outcome: attempt.refused ? "refused" : "accepted",
                             seconds: attempt.seconds, message: attempt.messages.first)
        #expect(!attempt.refused, "\(name): \(attempt.messages.prefix(5))", sourceLocation: sourceLocation)
        #expect(attempt.result?.appliedCommit == sha, sourceLocation: sourceLocation)
        #expect(!(attempt.result?.report?.hasFailures ?? false), sourceLocation: sourceLocation)
        if !attempt.refused {
            try await settle()
            good = sha
        }
        return attempt.result
    }
}

/// One line per case for scripts/hostile-report: `HOSTILE <case> expected=… outcome=… seconds=…`.
enum HostileReport {
    static func record(_ name: String, expected: String, outcome: String, seconds: Double, message: String?) {
        let shown = (message ?? "").replacingOccurrences(of: "\n", with: " ").prefix(200)
        print("HOSTILE \(name) expected=\(expected) outcome=\(outcome) seconds=\(String(format: "%.4f", seconds)) message=\(shown)")
    }
}
