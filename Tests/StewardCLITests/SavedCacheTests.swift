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

    /// The document hashes the controller saves let `diff` compare without encoding each manifest;
    /// they are keyed by content, so a new commit (a changed file, or a new blueprint version that
    /// changes what an unchanged Deployment resolves to) is seen; a memo of another build is not
    /// read, and `diff` never writes it.
    @Test func aDiffComparesSavedDocumentHashesOnlyForTheContentAndBuildTheyWereMadeFor() throws {
        let workspace = try QuickstartWorkspace()
        let dir = workspace.dir
        #expect(try StewardProcess.run(["run", "--once"], in: dir.path).exitCode == 0)
        let memo = dir.path + "/.steward/cache/document-hashes"
        let saved = try String(contentsOfFile: memo, encoding: .utf8)
        let lines = saved.split(separator: "\n")
        #expect(lines.first?.hasPrefix("steward document hashes 1 ") == true, "\(lines.first ?? "")")
        #expect(lines.count >= 8, "a line for each adapter, blueprint version and Deployment: \(saved)")
        #expect(try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path).exitCode == 0)

        // The hashes are what diff compares: recorded wrong by this build, every Deployment differs.
        let wrong = lines.enumerated().map { index, line -> String in
            var parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard index > 0, parts.count >= 4 else { return String(line) }
            if parts[3] != "-" { parts[3] = String(repeating: "0", count: 64) }
            for at in stride(from: 6, to: parts.count, by: 3) { parts[at] = String(repeating: "0", count: 64) }
            return parts.joined(separator: " ")
        }
        try (wrong.joined(separator: "\n") + "\n").write(toFile: memo, atomically: true, encoding: .utf8)
        let misled = try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path)
        #expect(misled.exitCode == 2, "\(misled.stdout)\(misled.stderr)")
        #expect(misled.stdout.contains("robot-nav-staging") && misled.stdout.contains("desktop-assistant-staging"), "\(misled.stdout)")
        // The same file as written by another build is not read.
        var otherBuild = wrong
        otherBuild[0] = "steward document hashes 1 0 0 0 0.0"
        try (otherBuild.joined(separator: "\n") + "\n").write(toFile: memo, atomically: true, encoding: .utf8)
        let ignored = try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path)
        #expect(ignored.exitCode == 0, "\(ignored.stdout)\(ignored.stderr)")
        try saved.write(toFile: memo, atomically: true, encoding: .utf8)
        let restored = try FileManager.default.attributesOfItem(atPath: memo)[.modificationDate] as? Date
        #expect(try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path).exitCode == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: memo)[.modificationDate] as? Date == restored, "diff wrote nothing")

        // A new blueprint version: the Deployment that names no version resolves to it, though its
        // file (and blob) did not change, and diff says so.
        let blueprint = try #require(workspace.repo.read("blueprints/desktop-assistant-1.0.0.yaml"))
        try workspace.repo.write("blueprints/desktop-assistant-1.1.0.yaml", blueprint.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0"))
        try workspace.repo.commit("desktop-assistant 1.1.0")
        let moved = try StewardProcess.run(["diff", "--detailed-exitcode", "-o", "json"], in: dir.path)
        #expect(moved.exitCode == 2, "\(moved.stdout)\(moved.stderr)")
        #expect(moved.stdout.contains("desktop-assistant-staging") && moved.stdout.contains("1.1.0"), "\(moved.stdout)")
        #expect(!moved.stdout.contains("robot-nav-staging"), "only what the commit changed: \(moved.stdout)")

        // The controller applies it and saves the new commit's hashes; the next diff is clean.
        #expect(try StewardProcess.run(["run", "--once"], in: dir.path).exitCode == 0)
        #expect(try String(contentsOfFile: memo, encoding: .utf8) != saved)
        #expect(try StewardProcess.run(["diff", "--detailed-exitcode"], in: dir.path).exitCode == 0)
    }
}
