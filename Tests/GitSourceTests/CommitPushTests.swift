import Foundation
import GitSource
import StewardTesting
import Testing

/// Commits made in a mirror and pushed back to the remote, including rejected pushes.
@Suite struct CommitPushTests {
    static let author = CommitAuthor(name: "Steward Bot", email: "steward@example.com")

    /// A bare "remote" with one commit on main, a mirror of it, and the tip.
    private func remoteAndMirror() throws -> (remote: TemporaryGitRepository, cache: TemporaryDirectory, mirror: GitRepository, tip: String) {
        let work = try TemporaryGitRepository()
        try work.write("fleet/app.yaml", "kind: Deployment\nspec:\n  version: 1.2.0\n")
        let tip = try work.commit("first")
        let remote = try work.bareClone()
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let mirror = try GitRepository.mirror(url: remote.fileURL, cacheDirectory: cache.path)
        return (remote, cache, mirror, tip)
    }

    private func commit(_ repository: GitRepository, tip: String, version: String) throws -> String {
        try repository.commitFiles(
            branch: "main", expectedTip: tip,
            files: ["fleet/app.yaml": Array("kind: Deployment\nspec:\n  version: \(version)\n".utf8)],
            message: "Promote app to \(version)", author: Self.author)
    }

    /// Someone else pushes a commit to the remote's main; returns its sha.
    private func pushFromElsewhere(to remote: TemporaryGitRepository) throws -> String {
        let other = try remote.workTreeClone()
        try other.write("fleet/other.yaml", "kind: Environment\n")
        let sha = try other.commit("someone else")
        try other.git("push", "-q", "origin", "main")
        return sha
    }

    @Test func mirrorCommitLeavesTheTrackingRefAndPushDeliversIt() throws {
        let (remote, cache, mirror, tip) = try remoteAndMirror()
        defer { withExtendedLifetime(cache) {} }
        #expect(try mirror.resolve("main").sha == tip)
        let sha = try commit(mirror, tip: tip, version: "1.3.0")
        #expect(try mirror.resolve("main").sha == tip, "commitFiles does not move refs/remotes/origin/main")
        #expect(try mirror.commit(sha).parents == [tip])
        #expect(try remote.git("rev-parse", "main") == tip)

        try mirror.push(commit: sha, branch: "main")
        #expect(try remote.git("rev-parse", "main") == sha)
        #expect(try remote.git("show", "main:fleet/app.yaml") == "kind: Deployment\nspec:\n  version: 1.3.0")
        #expect(try remote.git("log", "-1", "--format=%an <%ae>|%s", "main") == "Steward Bot <steward@example.com>|Promote app to 1.3.0")
        #expect(try remote.git("for-each-ref", "refs/steward") == "", "nothing leaks to the remote")
        #expect(!(try TemporaryGitRepository.runGit(["for-each-ref"], in: URL(fileURLWithPath: mirror.path))).contains("refs/steward"),
                "the temporary push ref is deleted")
        #expect(try mirror.resolve("main").sha == sha, "libgit2 moves the tracking ref after a successful push")
        try mirror.fetch()
        #expect(try mirror.resolve("main").sha == sha)
    }

    @Test func pushIsRejectedWhenTheRemoteMovedMeanwhile() throws {
        let (remote, cache, mirror, tip) = try remoteAndMirror()
        defer { withExtendedLifetime(cache) {} }
        let sha = try commit(mirror, tip: tip, version: "1.3.0")
        let theirs = try pushFromElsewhere(to: remote)

        let error = try #require(throws: GitError.self) { try mirror.push(commit: sha, branch: "main") }
        #expect(error.code == .pushRejected)
        #expect(error.message.contains("fetch and try again"))
        #expect(try remote.git("rev-parse", "main") == theirs)

        // The caller's retry: fetch, commit on the new tip, push again.
        try mirror.fetch()
        let newTip = try mirror.resolve("main").sha
        #expect(newTip == theirs)
        let retried = try commit(mirror, tip: newTip, version: "1.3.0")
        try mirror.push(commit: retried, branch: "main")
        #expect(try remote.git("rev-parse", "main") == retried)
        #expect(try remote.git("rev-parse", "main~1") == theirs)
    }

    @Test func pushIsRejectedWhenTheRemoteTipIsKnownButNotAnAncestor() throws {
        let (remote, cache, mirror, tip) = try remoteAndMirror()
        defer { withExtendedLifetime(cache) {} }
        let sha = try commit(mirror, tip: tip, version: "1.3.0")
        let theirs = try pushFromElsewhere(to: remote)
        try mirror.fetch()
        #expect(try mirror.resolve("main").sha == theirs)
        let error = try #require(throws: GitError.self) { try mirror.push(commit: sha, branch: "main") }
        #expect(error.code == .pushRejected)
        #expect(try remote.git("rev-parse", "main") == theirs)
    }

    @Test func staleTipInAMirrorIsRefused() throws {
        let (remote, cache, mirror, tip) = try remoteAndMirror()
        defer { withExtendedLifetime(cache) {} }
        _ = try pushFromElsewhere(to: remote)
        try mirror.fetch()
        let error = try #require(throws: GitError.self) { try commit(mirror, tip: tip, version: "1.3.0") }
        #expect(error.code == .staleTip)
    }

    @Test func workTreeCommitPushesToAPathOrURL() throws {
        let work = try TemporaryGitRepository()
        try work.write("fleet/app.yaml", "kind: Deployment\n")
        let tip = try work.commit("first")
        let remote = try work.bareClone()
        let repository = try GitRepository.open(at: work.path)
        let sha = try commit(repository, tip: tip, version: "2.0.0")
        try repository.push(commit: sha, branch: "main", remote: remote.path)
        #expect(try remote.git("rev-parse", "main") == sha)

        try work.git("remote", "add", "origin", remote.fileURL)
        let next = try commit(repository, tip: sha, version: "2.1.0")
        try repository.push(commit: next, branch: "main")
        #expect(try remote.git("rev-parse", "main") == next)
        #expect(try work.git("status", "--porcelain") == "")
    }

    @Test func pushErrorsNeverShowCredentials() throws {
        let (remote, cache, mirror, tip) = try remoteAndMirror()
        defer { withExtendedLifetime((remote, cache)) {} }
        let error = try #require(throws: GitError.self) {
            try mirror.push(commit: tip, branch: "main", remote: "https://robot:s3cret-token@127.0.0.1:9/fleet.git")
        }
        #expect(!error.message.contains("s3cret-token"), "\(error)")
        #expect(!error.message.contains("robot:"), "\(error)")
        #expect(error.message.contains("127.0.0.1"), "\(error)")
    }
}
