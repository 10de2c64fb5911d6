@testable import Controller
import Foundation
import GitSource
import StewardTesting
import Testing

/// `.steward/checkouts`: pruning keeps what is asked to stay and what anyone holds, in this process or another.
@Suite("Checkouts: holds and pruning")
struct CheckoutsTests {
    private func repository() throws -> (TemporaryGitRepository, [String]) {
        let repo = try TemporaryGitRepository()
        var commits: [String] = []
        for round in 0..<3 {
            try repo.write("ops/run.sh", "#!/bin/sh\necho \(round)\n")
            commits.append(try repo.commit("round \(round)"))
        }
        return (repo, commits)
    }

    private func kept(_ checkouts: Checkouts) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: checkouts.directory).filter { !$0.hasSuffix(".lock") })
    }

    @Test func pruningKeepsWhatIsAskedAndWhatIsHeld() throws {
        let (repo, commits) = try repository()
        let folder = try TemporaryDirectory()
        let checkouts = Checkouts(directory: folder.path + "/checkouts")
        let git = try GitRepository.open(at: repo.path)
        var held: CheckoutHold? = try checkouts.hold(commits[0], from: git)
        _ = try checkouts.hold(commits[1], from: git)   // released at once
        _ = try checkouts.hold(commits[2], from: git)
        #expect(try String(contentsOfFile: held!.path + "/ops/run.sh", encoding: .utf8) == "#!/bin/sh\necho 0\n")
        #expect(checkouts.prune(keeping: [commits[2]]) == [commits[1]])
        #expect(try kept(checkouts) == [commits[0], commits[2]])
        held = nil
        // Released. A child another test spawns at this very moment holds a copy of the lock's
        // descriptor until it execs (O_CLOEXEC closes it only then), so the prune may have to wait a
        // moment; a hold that is never released still fails here.
        var removed: [String] = []
        for _ in 0..<50 where removed.isEmpty {
            removed = checkouts.prune(keeping: [commits[2]])
            if removed.isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(removed == [commits[0]])
        #expect(try kept(checkouts) == [commits[2]])
        // Held again after being pruned: it is exported afresh.
        let again = try checkouts.hold(commits[0], from: git)
        #expect(FileManager.default.fileExists(atPath: again.path + "/ops/run.sh"))
    }

    @Test func aHoldOfAnotherProcessIsRespected() throws {
        let (repo, commits) = try repository()
        let folder = try TemporaryDirectory()
        let checkouts = Checkouts(directory: folder.path + "/checkouts")
        _ = try checkouts.hold(commits[0], from: try GitRepository.open(at: repo.path))
        // Another process (a `steward backup run`, say) holds it: a shared flock on its lock file.
        let other = try Subprocess("/usr/bin/flock", ["--shared", "--no-fork", checkouts.path(of: commits[0]) + ".lock", "sleep", "30"],
                                   stdout: "/dev/null", stderr: "/dev/null")
        defer { other.signal(SIGKILL) }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(checkouts.prune(keeping: []).isEmpty)
        #expect(try kept(checkouts) == [commits[0]])
        other.signal(SIGKILL)
        _ = other.waitBlocking()
        #expect(checkouts.prune(keeping: []) == [commits[0]])
    }
}
