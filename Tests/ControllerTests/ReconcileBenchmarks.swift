@testable import Actions
import Controller
import Foundation
@testable import Manifests
import StewardTesting
import Testing

/// Figures for scripts/bench (printed, never asserted). Runs only with STEWARD_BENCH=1 and a fleet in
/// STEWARD_BENCH_FLEET (a git repository made by scripts/gen-fleet --git).
@Suite("Reconcile benchmarks", .enabled(if: ProcessInfo.processInfo.environment["STEWARD_BENCH"] == "1"))
struct ReconcileBenchmarks {
    static let runs = 5

    /// A controller folder for `fleet`: under STEWARD_BENCH_WORK when set (scripts/bench: kept until
    /// the script ends), else a temporary directory deleted with the returned owner.
    private func workspace(_ fleet: String) throws -> (path: String, owner: TemporaryDirectory?) {
        let dir: (path: String, owner: TemporaryDirectory?)
        if let work = ProcessInfo.processInfo.environment["STEWARD_BENCH_WORK"] {
            dir = ("\(work)/workspace-\(UUID().uuidString.lowercased())", nil)
            try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        } else {
            let owner = try TemporaryDirectory()
            dir = (owner.path, owner)
        }
        try "source: {repository: \(fleet), branch: main}\nstore: {url: sqlite://state.db}\neventLog: {directory: events}\nreconcile: {concurrency: 8}\n"
            .write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    private func reconciler(_ dir: (path: String, owner: TemporaryDirectory?)) async throws -> Reconciler {
        try await Reconciler.quiet(in: dir.path)
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

    /// One measure for a profiler (valgrind --tool=callgrind, perf): STEWARD_BENCH_PROFILE=D applies the fleet
    /// into an empty store in STEWARD_BENCH_DIR (passes until converged); =B then runs one cold no-op pass on it
    /// (STEWARD_BENCH_ROUNDS: that many, each by a fresh reconciler, and their median);
    /// =A runs one pass, then STEWARD_BENCH_ROUNDS (200) passes over the unchanged commit (their median);
    /// =C runs one pass, then STEWARD_BENCH_ROUNDS (20) times commits 10 touched files and plans them
    /// (the fleet gets those commits: profile a copy).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STEWARD_BENCH_PROFILE"] != nil))
    func profilePass() async throws {
        let environment = ProcessInfo.processInfo.environment
        let fleet = try #require(environment["STEWARD_BENCH_FLEET"]), dir = try #require(environment["STEWARD_BENCH_DIR"])
        if environment["STEWARD_BENCH_PROFILE"] == "D" {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "source: {repository: \(fleet), branch: main}\nstore: {url: sqlite://state.db}\neventLog: {directory: events}\nreconcile: {concurrency: 8}\n"
                .write(toFile: dir + "/controller.yaml", atomically: true, encoding: .utf8)
        }
        let reconciler = try await Reconciler.quiet(in: dir)
        var result: Reconciler.PassResult?
        let time: Double, cpuBefore = Self.cpuSeconds()
        switch environment["STEWARD_BENCH_PROFILE"] {
        case "D": time = try await converge(reconciler)
        case "C": time = try await touchAndPlan(reconciler, fleet: fleet, rounds: Int(environment["STEWARD_BENCH_ROUNDS"] ?? "") ?? 20)
        case "A": time = try await unchangedPasses(reconciler, rounds: Int(environment["STEWARD_BENCH_ROUNDS"] ?? "") ?? 200)
        default:
            time = try await seconds { result = try await reconciler.pass() }
            if let rounds = environment["STEWARD_BENCH_ROUNDS"].flatMap(Int.init) {   // more cold passes, each by a fresh reconciler
                var times = [time]
                for _ in 1..<max(rounds, 1) {
                    let fresh = try await Reconciler.quiet(in: dir)
                    times.append(try await seconds { result = try await fresh.pass() })
                    try await fresh.store.close()
                }
                print(String(format: "BENCH profile-B-rounds median=%.4f min=%.4f", median(times), times.min()!))
            }
        }
        let cpu = Self.cpuSeconds() - cpuBefore
        try await reconciler.store.close()
        print(String(format: "BENCH profile-%@ %.4f cpu=%.4f", environment["STEWARD_BENCH_PROFILE"]!, time, cpu),
              "actions=\(result?.plan.actions.count ?? -1) blocked=\(result?.plan.blocked.count ?? -1)")
    }

    private static func tree(_ body: ResourceBody) -> JSONValue? {
        switch body {
        case .runtimeAdapter(let m): return try? CanonicalJSON.value(of: m)
        case .agentBlueprint(let m): return try? CanonicalJSON.value(of: m)
        case .environment(let m): return try? CanonicalJSON.value(of: m)
        case .deployment(let m): return try? CanonicalJSON.value(of: m)
        case .backupSchedule(let m): return try? CanonicalJSON.value(of: m)
        case .target(let m): return try? CanonicalJSON.value(of: m)
        }
    }

    /// CPU time of this process so far (user and system, every thread), less noisy than wall time on a shared machine.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Single-thread parse cost per stage over the fleet's files (read from disk first), with
    /// STEWARD_BENCH_PARSE=1: the block scanner's and libyaml's compose, the fast path (compose
    /// and decode), and the general path.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STEWARD_BENCH_PARSE"] == "1"))
    func parseStages() async throws {
        let fleet = try #require(ProcessInfo.processInfo.environment["STEWARD_BENCH_FLEET"])
        let source = try ManifestSource.folder(fleet)
        let files = source.files.map { ($0.path, $0.bytes) }
        let limits = YAMLLimits.standard
        var scan: [Double] = [], compose: [Double] = [], fast: [Double] = [], general: [Double] = []
        for _ in 0..<Self.runs {
            scan.append(await seconds {
                for (_, bytes) in files { _ = bytes.withUnsafeBufferPointer { BlockYAMLScanner.compose($0, limits: limits) } }
            })
            compose.append(await seconds {
                for (_, bytes) in files { _ = bytes.withUnsafeBufferPointer { FastYAMLTree.compose($0, limits: limits) } }
            })
            fast.append(await seconds { for (path, bytes) in files { _ = ManifestParser.parseFast(file: path, bytes: bytes, limits: limits) } })
            general.append(await seconds { for (path, bytes) in files { _ = ManifestParser.parseGeneral(file: path, bytes: bytes, limits: limits) } })
        }
        // Canonical documents of every manifest: the tree, then its canonical bytes and their hash.
        let resources = files.flatMap { ManifestParser.parseFast(file: $0.0, bytes: $0.1, limits: limits)?.resources ?? [] }
        var trees: [Double] = [], documents: [Double] = []
        for _ in 0..<Self.runs {
            trees.append(await seconds { for resource in resources { _ = Self.tree(resource.body) } })
            documents.append(await seconds { for resource in resources { _ = Self.tree(resource.body).map { ContentHash.sha256Hex($0.canonicalBytes) } } })
        }
        report("canonical-tree", trees)
        report("canonical-document", documents)
        report("parse-scan", scan)
        report("parse-compose", compose)
        report("parse-fast", fast)
        report("parse-general", general)
    }

    /// C: after a warm-up pass, commits 10 touched Deployment files and plans them, `rounds` times;
    /// the median time of the plans.
    private func touchAndPlan(_ reconciler: Reconciler, fleet: String, rounds: Int) async throws -> Double {
        _ = try await reconciler.pass()
        var times: [Double] = []
        for round in 0..<rounds {
            try await touch(fleet, seed: round + 7)
            times.append(try await seconds { _ = try await reconciler.preview(revision: nil) })
        }
        return median(times)
    }

    /// A: after a warm-up pass, `rounds` passes over the unchanged commit; their median time.
    private func unchangedPasses(_ reconciler: Reconciler, rounds: Int) async throws -> Double {
        _ = try await reconciler.pass()
        var times: [Double] = []
        for _ in 0..<rounds { times.append(try await seconds { _ = try await reconciler.pass() }) }
        return median(times)
    }

    private func touch(_ fleet: String, seed: Int) async throws {
        _ = try await Subprocess.run("/usr/bin/env", ["python3", StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path, fleet,
                                                      "--touch", "10", "--seed", "\(seed)", "--git"])
    }

    /// Passes until one plans nothing (promotion gates apply dev, then staging, then production);
    /// the time of the passes that acted. Fleets for benchmarks have no health window to wait out.
    private func converge(_ reconciler: Reconciler) async throws -> Double {
        var total = 0.0
        for _ in 0..<10 {
            var actions = 0
            let time = try await seconds { actions = try await reconciler.pass().plan.actions.count }
            if actions == 0 { return total }
            total += time
        }
        Issue.record("the fleet did not converge in 10 passes")
        return total
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["STEWARD_BENCH_PROFILE"] == nil
                   && ProcessInfo.processInfo.environment["STEWARD_BENCH_PARSE"] == nil))
    func reconcile() async throws {
        let fleet = try #require(ProcessInfo.processInfo.environment["STEWARD_BENCH_FLEET"])
        var applyTimes: [Double] = [], cold: [Double] = [], unchanged: [Double] = [], changed: [Double] = []
        // Every D workspace stays until the end (with STEWARD_BENCH_WORK, until scripts/bench ends, so
        // the 1,000 run's do not go just before the 10,000 run): deleting ~17,000 files right before a
        // run makes ext4 without a journal (this machine's disk) skip their recently freed inodes on
        // every file the run creates (a scan per file, 30-50 % slower), which no first apply meets.
        var workspaces: [(path: String, owner: TemporaryDirectory?)] = []
        for _ in 0..<Self.runs {  // D: full apply into an empty SQLite store, local driver
            let dir = try workspace(fleet)
            let reconciler = try await reconciler(dir)
            applyTimes.append(try await converge(reconciler))
            try await reconciler.store.close()
            workspaces.append(dir)
        }
        let dir = try #require(workspaces.last)
        var baselineGit: [Double] = [], baselineYAML: [Double] = [], ratios: [Double] = []
        for _ in 0..<Self.runs {
            LocalDriver.forgetProbedFiles()   // what a fresh process knows of the files
            let reconciler = try await reconciler(dir)   // B: cold process state, converged store
            cold.append(try await seconds { _ = try await reconciler.pass() })
            unchanged.append(try await seconds { _ = try await reconciler.pass() })   // A: unchanged commit, targets probed
            try await reconciler.store.close()
            // The baseline right after B, so the pair sees the machine at the same speed.
            let (git, yaml) = try baseline(fleet)
            baselineGit.append(git)
            baselineYAML.append(yaml)
            ratios.append(cold.last! / (git + yaml))
        }
        let reconciler = try await reconciler(dir)
        _ = try await reconciler.pass()
        for round in 0..<Self.runs {   // C: 10 changed files → plan (warm parse cache)
            try await touch(fleet, seed: round + 7)
            changed.append(try await seconds { _ = try await reconciler.preview(revision: nil) })
        }
        try await reconciler.store.close()
        report("A-unchanged-pass", unchanged)
        report("B-cold-noop", cold)
        report("C-10-changed-plan", changed)
        report("D-full-apply-concurrency-8", applyTimes)
        report("baseline-git-ls-tree+cat-file", baselineGit)
        report("baseline-PyYAML-CSafeLoader", baselineYAML)
        report("B-ratio", ratios)
    }

    /// scripts/bench-baseline.py on `fleet`: git's read of the blobs and PyYAML's parse, in seconds.
    private func baseline(_ fleet: String) throws -> (git: Double, yaml: Double) {
        let script = StewardProcess.packageRoot.appendingPathComponent("scripts/bench-baseline.py").path
        let result = try Subprocess.run("/usr/bin/env", ["python3", script, fleet])
        let times = result.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard result.status == 0, times.count == 2 else { throw ProcessFailure(message: "bench-baseline.py: \(result.stderr)") }
        return (times[0], times[1])
    }
}
