import Foundation
import StewardTesting
import Testing

/// What the controller saves in `.steward/cache` for the next process (manifest blobs, the probe
/// memo) makes the next `diff` faster and never changes what it reports; `diff` only reads it.
@Suite("saved caches through the binary")
struct SavedCacheTests {
    @Test func aDiffWithSavedCachesStillSeesEveryHandEditAndNeverTrustsChangedBlobs() throws {
        let workspace = try QuickstartWorkspace()
        let dir = workspace.dir
        let applied = try StewardProcess.run(["run", "--once"], in: dir.path)
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        let cache = dir.path + "/.steward/cache"
        let data = cache + "/blobs-1/data"
        #expect(FileManager.default.fileExists(atPath: data), "run saved the manifests' blobs")

        // Files written just now are not vouched for (settleSeconds); once settled, the controller's
        // next pass remembers them, and diff trusts that while the files keep their identity.
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try StewardProcess.run(["run", "--once"], in: dir.path).exitCode == 0)
        let memo = cache + "/probe-memo"
        let saved = try [data, cache + "/blobs-1/index", memo].map { try FileManager.default.attributesOfItem(atPath: $0) }
        for _ in 0..<2 {
            let clean = try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path)
            #expect(clean.exitCode == 0, "\(clean.stdout)\(clean.stderr)")
        }
        // The other read commands that plan read the caches too, and write nothing either.
        #expect(try StewardProcess.run(["explain", "robot-nav-staging"], in: dir.path).exitCode == 0)
        let rollout = try StewardProcess.run(["rollout", "robot-nav-staging"], in: dir.path)
        #expect(rollout.stdout.contains("robot-nav-staging") || rollout.stderr.contains("robot-nav-staging"), "\(rollout.stdout)\(rollout.stderr)")

        // A hand edit of the same size, its modification time put back: the next diff reports it.
        let file = dir.path + "/var/fleet/staging/deployments/robot-nav-staging.json"
        let original = try HandEdit.sameSize(file, replacing: "\"1.3.0\"", with: "\"1.3.9\"")
        let drifted = try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path)
        #expect(drifted.exitCode == 2, "\(drifted.stdout)\(drifted.stderr)")
        #expect(drifted.stdout.contains("robot-nav-staging"), "\(drifted.stdout)")
        try original.write(toFile: file, atomically: false, encoding: .utf8)
        #expect(try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path).exitCode == 0)
        let after = try [data, cache + "/blobs-1/index", memo].map { try FileManager.default.attributesOfItem(atPath: $0) }
        for (before, now) in zip(saved, after) {
            #expect(before[.modificationDate] as? Date == now[.modificationDate] as? Date && before[.size] as? Int == now[.size] as? Int,
                    "diff, explain and rollout wrote nothing, caches included")
        }

        // A saved blob whose bytes changed (the same length) is not served: the diff reads the
        // blob from git again and reports what the commit holds; the controller adds it back.
        var bytes = try #require(FileManager.default.contents(atPath: data))
        let sizeBefore = bytes.count
        let at = try #require(bytes.range(of: Data("version: 1.3.0".utf8)))
        bytes.replaceSubrange(at, with: Data("version: 9.9.9".utf8))
        try bytes.write(to: URL(fileURLWithPath: data))
        let tampered = try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path)
        #expect(tampered.exitCode == 0, "\(tampered.stdout)\(tampered.stderr)")
        #expect(try StewardProcess.run(["run", "--once"], in: dir.path).exitCode == 0)
        let sizeAfter = try #require(try FileManager.default.attributesOfItem(atPath: data)[.size] as? Int)
        #expect(sizeAfter > sizeBefore, "the blob was read from git and added again")
    }
}
