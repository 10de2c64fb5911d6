import Foundation
import GitSource
import StewardTesting
import Testing

/// Bare mirrors of a `file://` URL or a local path: clone, reopen, fetch, prune, force-push.
@Suite struct MirrorTests {
    /// An origin with one commit on main and a tag.
    private func origin() throws -> (TemporaryGitRepository, String) {
        let origin = try TemporaryGitRepository()
        try origin.write("fleet/app.yaml", "kind: Deployment\n")
        let sha = try origin.commit("first")
        try origin.tag("v1", annotated: true)
        return (origin, sha)
    }

    @Test func mirrorsAFileURLAndSeesNewCommitsAfterFetch() throws {
        let (origin, first) = try origin()
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let mirror = try GitRepository.mirror(url: origin.fileURL, cacheDirectory: cache.path)
        #expect(mirror.isMirror)
        #expect(mirror.isBare)
        #expect(mirror.workdir == nil)
        #expect(mirror.path == cache.appending(GitRepository.mirrorDirectoryName(for: origin.fileURL)).path)
        #expect(try mirror.resolve("main").sha == first)
        #expect(try mirror.resolve("v1").sha == first)

        try origin.write("fleet/app.yaml", "kind: Deployment\nreplicas: 2\n")
        let second = try origin.commit("second")
        #expect(try mirror.resolve("main").sha == first, "nothing changes before a fetch")
        try mirror.fetch()
        #expect(try mirror.resolve("main").sha == second)
        #expect(try mirror.resolve("HEAD").sha == second)
        #expect(try mirror.resolve("main~1").sha == first)
        #expect(try mirror.isAncestor(first, of: second))
        let snapshot = try mirror.snapshot(commit: second, path: "fleet")
        #expect(snapshot.files.first?.blobId == (try origin.git("rev-parse", "HEAD:fleet/app.yaml")))
    }

    @Test func mirrorsAPlainLocalPathAndReopensTheCache() throws {
        let (origin, first) = try origin()
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let cacheDirectory = cache.appending("nested/cache").path
        do {
            let mirror = try GitRepository.mirror(url: origin.path, cacheDirectory: cacheDirectory)
            #expect(try mirror.resolve("main").sha == first)
        }
        let entries = try FileManager.default.contentsOfDirectory(atPath: cacheDirectory)
        #expect(entries == [GitRepository.mirrorDirectoryName(for: origin.path)])

        try origin.write("fleet/new.yaml", "kind: Environment\n")
        let second = try origin.commit("second")
        try origin.tag("v2")
        let reopened = try GitRepository.mirror(url: origin.path + "/", cacheDirectory: cacheDirectory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cacheDirectory).count == 1)
        #expect(try reopened.resolve("main").sha == second, "reopening an existing mirror fetches")
        #expect(try reopened.resolve("v2").sha == second)
    }

    @Test func forcePushIsVisibleAsNotAnAncestor() throws {
        let (origin, first) = try origin()
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let mirror = try GitRepository.mirror(url: origin.fileURL, cacheDirectory: cache.path)
        #expect(try mirror.resolve("main").sha == first)

        try origin.git("checkout", "-q", "--orphan", "rewritten")
        try origin.git("rm", "-q", "-rf", ".")
        try origin.write("other.yaml", "kind: Environment\n")
        let unrelated = try origin.commit("unrelated history")
        try origin.git("branch", "-M", "rewritten", "main")

        try mirror.fetch()
        let moved = try mirror.resolve("main")
        #expect(moved.sha == unrelated)
        #expect(moved.parents.isEmpty)
        #expect(try mirror.isAncestor(first, of: moved.sha) == false)
        #expect(try mirror.isAncestor(moved.sha, of: moved.sha))
        #expect(try mirror.commit(first).sha == first, "the old commit is still readable")
    }

    @Test func fetchPrunesDeletedBranchesAndTags() throws {
        let (origin, first) = try origin()
        try origin.git("branch", "feature")
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let mirror = try GitRepository.mirror(url: origin.fileURL, cacheDirectory: cache.path)
        #expect(try mirror.resolve("feature").sha == first)

        try origin.git("checkout", "-q", "-b", "trunk")
        try origin.git("branch", "-D", "feature", "main")
        try origin.git("tag", "-d", "v1")
        try mirror.fetch()
        for gone in ["feature", "main", "v1"] {
            let error = try #require(throws: GitError.self) { try mirror.resolve(gone) }
            #expect(error.code == .notFound, "\(gone) is pruned, and no stale local branch answers for it")
        }
        #expect(try mirror.resolve("trunk").sha == first)
    }

    @Test func mirrorOfAMissingFileURLFailsWithLibgit2Message() throws {
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let url = "file://" + cache.appending("does-not-exist").path
        let error = try #require(throws: GitError.self) {
            try GitRepository.mirror(url: url, cacheDirectory: cache.appending("cache").path)
        }
        #expect(error.code == .libgit2)
        #expect(error.message.hasPrefix("cannot clone '\(url)' into '"))
        #expect(error.message.count > "cannot clone '\(url)' into '".count + 40)
    }

    @Test func mirrorOfAnEmptyRepositoryIsEmptyUntilTheFirstCommit() throws {
        let origin = try TemporaryGitRepository()
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let mirror = try GitRepository.mirror(url: origin.fileURL, cacheDirectory: cache.path)
        let error = try #require(throws: GitError.self) { try mirror.resolve("main") }
        #expect(error.code == .emptyRepository)

        try origin.write("a.yaml", "a: 1\n")
        let first = try origin.commit("first")
        try mirror.fetch()
        #expect(try mirror.resolve("main").sha == first)
    }

    @Test func mirrorDirectoryNamesAreSafeAndDistinct() {
        let a = GitRepository.mirrorDirectoryName(for: "https://example.com/org/fleet.git")
        let b = GitRepository.mirrorDirectoryName(for: "https://example.com/other/fleet.git")
        let scp = GitRepository.mirrorDirectoryName(for: "git@example.com:org/fleet.git")
        #expect(a.hasPrefix("fleet-") && a.hasSuffix(".git"))
        #expect(a != b)
        #expect(scp.hasPrefix("fleet-"))
        #expect(a == GitRepository.mirrorDirectoryName(for: "https://example.com/org/fleet.git"))
        for name in [a, b, scp, GitRepository.mirrorDirectoryName(for: "file:///../..")] {
            #expect(!name.contains("/") && !name.hasPrefix("."))
        }
    }

    @Test func mirrorOfAMissingSourceFails() throws {
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let missing = cache.appending("does-not-exist").path
        let error = try #require(throws: GitError.self) {
            try GitRepository.mirror(url: missing, cacheDirectory: cache.appending("cache").path)
        }
        #expect(error.code == .notFound)
        #expect(error.message == "cannot clone '\(missing)': no such file or directory")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: cache.appending("cache").path)) ?? []
        #expect(left.isEmpty, "a failed clone leaves nothing behind")
    }
}
