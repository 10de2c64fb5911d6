@testable import Actions
import Foundation
import StewardTesting
import Testing

/// How long a file must go unchanged before the probe memo trusts a read of it: a tenth of a second
/// on a file system local to this kernel with times in nanoseconds, two seconds anywhere else.
@Suite struct LocalProbeMemoSettleTests {
    @Test func aFileOnALocalFileSystemSettlesInATenthOfASecond() async throws {
        let root = try TemporaryDirectory()
        #expect(FileWatch.isLocalFileSystem(root.path), "this machine's temporary folder is on ext4")
        let deploy = Fixture.deploy()
        _ = try await LocalDriver(root: root.path).execute(deploy)
        let path = root.appending("deployments/nav-staging.json").path
        let identity = try #require(LocalProbeMemo.identity(path))
        let memo = LocalProbeMemo()
        #expect(memo.settleSeconds(identity, path: path) == LocalProbeMemo.localSettleSeconds)
        memo.remember(path, content: "c", before: identity, after: identity, now: identity.changedAt + 0.05)
        #expect(!memo.unchanged(path, content: "c", maxAge: 600), "changed 50 ms before the read")
        memo.remember(path, content: "c", before: identity, after: identity, now: identity.changedAt + 0.15)
        #expect(memo.unchanged(path, content: "c", maxAge: 600, now: identity.changedAt + 1))

        // Through a probe: a file written 0.3 s before is read once, then trusted; an edit of the
        // same size right after that read, its modification time set back, is still seen.
        let applied = [Fixture.applied(deploy)]
        let driver = LocalDriver(root: root.path)
        func reads() async throws -> (ProbeResult?, Int) {
            let before = LocalProbeMemo.shared.fullReads(root.path)
            let result = try await driver.probe(environment: Fixture.environment, applied: applied)[deploy.action.key]
            return (result, LocalProbeMemo.shared.fullReads(root.path) - before)
        }
        try await Task.sleep(for: .seconds(0.3))
        #expect(try await reads().1 == 1)
        let (trusted, none) = try await reads()
        #expect(trusted?.state == .inSync && none == 0, "settled 0.3 s after it was written")
        let original = try HandEdit.sameSize(path, replacing: "1.2.0", with: "1.2.9")
        let (edited, read) = try await reads()
        #expect(edited?.state == .drifted && read == 1, "\(String(describing: edited))")
        try original.write(toFile: path, atomically: false, encoding: .utf8)
        LocalProbeMemo.shared.forget(path)
    }

    @Test func wholeSecondTimesAndOtherFileSystemsWaitTwoSeconds() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/adapter.json"
        try "{}".write(toFile: path, atomically: true, encoding: .utf8)
        let memo = LocalProbeMemo()
        var wholeSecond = try #require(LocalProbeMemo.identity(path))
        wholeSecond.changed -= wholeSecond.changed % 1_000_000_000
        #expect(memo.settleSeconds(wholeSecond, path: path) == LocalProbeMemo.settleSeconds, "times kept in whole seconds")
        memo.remember(path, content: "c", before: wholeSecond, after: wholeSecond, now: wholeSecond.changedAt + 1.5)
        #expect(!memo.unchanged(path, content: "c", maxAge: 600, now: wholeSecond.changedAt + 2))

        // procfs is not a file system of this kernel's disks: the clock it keeps is not vouched for.
        var proc = try #require(LocalProbeMemo.identity("/proc/version"))
        proc.changed = proc.changed - proc.changed % 1_000_000_000 + 5
        #expect(memo.settleSeconds(proc, path: "/proc/version") == LocalProbeMemo.settleSeconds)
    }
}
