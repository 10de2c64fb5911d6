@testable import Controller
import Foundation
import Logging
import StewardTesting
import Testing

/// Figures for scripts/bench (printed, never asserted). Runs only with STEWARD_BENCH=1 and a fleet in
/// STEWARD_BENCH_FLEET (a git repository made by scripts/gen-fleet --git).
@Suite("Reconcile benchmarks", .enabled(if: ProcessInfo.processInfo.environment["STEWARD_BENCH"] == "1"))
struct ReconcileBenchmarks {
    static let runs = 5

    private func workspace(_ fleet: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try "source: {repository: \(fleet), branch: main}\nstore: {url: sqlite://state.db}\neventLog: {directory: events}\nreconcile: {concurrency: 8}\n"
            .write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    private func reconciler(_ dir: TemporaryDirectory) async throws -> Reconciler {
        let settings = try ControllerSettings.load(path: dir.path + "/controller.yaml")
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        return Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
    }

    private func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    private func report(_ name: String, _ values: [Double]) {
        print(String(format: "BENCH %@ median=%.4f min=%.4f max=%.4f runs=%d", name, median(values), values.min()!, values.max()!, values.count))
    }

    @Test func reconcile() async throws {
        let fleet = try #require(ProcessInfo.processInfo.environment["STEWARD_BENCH_FLEET"])
        var applyTimes: [Double] = [], cold: [Double] = [], unchanged: [Double] = [], probes: [Double] = [], changed: [Double] = []
        var converged: TemporaryDirectory?
        for _ in 0..<Self.runs {  // D: full apply into an empty SQLite store, local driver
            let dir = try workspace(fleet)
            let reconciler = try await reconciler(dir)
            applyTimes.append(try await seconds { _ = try await reconciler.pass() })
            try await reconciler.store.close()
            converged = dir
        }
        let dir = try #require(converged)
        for _ in 0..<Self.runs {
            let reconciler = try await reconciler(dir)   // B: cold process state, converged store
            reconciler.probeTargets = false
            cold.append(try await seconds { _ = try await reconciler.pass() })
            unchanged.append(try await seconds { _ = try await reconciler.pass() })   // A: unchanged commit
            reconciler.probeTargets = true
            probes.append(try await seconds { _ = try await reconciler.pass() })      // A with target probes
            try await reconciler.store.close()
        }
        let reconciler = try await reconciler(dir)
        reconciler.probeTargets = false
        _ = try await reconciler.pass()
        for round in 0..<Self.runs {   // C: 10 changed files → plan (warm parse cache)
            let touch = Process()
            touch.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            touch.arguments = ["python3", StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path, fleet,
                               "--touch", "10", "--seed", "\(round + 7)", "--git"]
            touch.standardOutput = FileHandle.nullDevice
            try touch.run()
            touch.waitUntilExit()
            changed.append(try await seconds { _ = try await reconciler.preview(revision: nil) })
        }
        try await reconciler.store.close()
        report("A-unchanged-commit-plan", unchanged)
        report("A-with-target-probes", probes)
        report("B-cold-noop", cold)
        report("C-10-changed-plan", changed)
        report("D-full-apply", applyTimes)
    }
}
