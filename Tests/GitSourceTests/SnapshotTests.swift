import Foundation
import GitSource
import StewardTesting
import Testing

/// Listing the files under a sub-path of a commit, checked against `git rev-parse`.
@Suite struct SnapshotTests {
    /// A repository with files at the root, in `fleet/` and in nested folders below it.
    private func fleet() throws -> (TemporaryGitRepository, String) {
        let repo = try TemporaryGitRepository()
        try repo.write("README.md", "# fleet\n")
        try repo.write("fleet/adapters/robotics.yaml", "kind: RuntimeAdapter\n")
        try repo.write("fleet/blueprints/nav/1.2.0.yaml", "kind: AgentBlueprint\nversion: 1.2.0\n")
        try repo.write("fleet/environments.yaml", "kind: Environment\n")
        try repo.write("fleet/deploy.sh", "#!/bin/sh\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.path + "/fleet/deploy.sh")
        try repo.write("other/ignored.yaml", "x: 1\n")
        return (repo, try repo.commit("fleet"))
    }

    @Test func listsNestedFilesUnderSubPathSortedWithGitIds() throws {
        let (repo, sha) = try fleet()
        let snapshot = try GitRepository.open(at: repo.path).snapshot(commit: sha, path: "fleet")
        #expect(snapshot.commit.sha == sha)
        #expect(snapshot.path == "fleet")
        #expect(snapshot.treeId == (try repo.git("rev-parse", "HEAD:fleet")))
        #expect(snapshot.files.map(\.path) == [
            "fleet/adapters/robotics.yaml",
            "fleet/blueprints/nav/1.2.0.yaml",
            "fleet/deploy.sh",
            "fleet/environments.yaml",
        ])
        for file in snapshot.files {
            #expect(file.blobId == (try repo.git("rev-parse", "HEAD:\(file.path)")))
            #expect(file.size == Int(try repo.git("cat-file", "-s", file.blobId)))
        }
        #expect(snapshot.skipped.isEmpty)
    }

    @Test func executableFilesAreRegularFiles() throws {
        let (repo, sha) = try fleet()
        #expect(try repo.git("ls-tree", "HEAD", "fleet/deploy.sh").hasPrefix("100755"))
        let snapshot = try GitRepository.open(at: repo.path).snapshot(commit: sha, path: "fleet")
        #expect(snapshot.files.contains { $0.path == "fleet/deploy.sh" && $0.size == 10 })
        #expect(snapshot.files.filter(\.executable).map(\.path) == ["fleet/deploy.sh"])
    }

    @Test func listingWithoutSizesHasTheSameFilesAndNoSizes() throws {
        let (repo, sha) = try fleet()
        let git = try GitRepository.open(at: repo.path)
        let full = try git.snapshot(commit: sha, path: "fleet"), bare = try git.snapshot(commit: sha, path: "fleet", sizes: false)
        #expect(full.files.count == 4)
        #expect(bare.files.map(\.path) == full.files.map(\.path))
        #expect(bare.files.map(\.blobId) == full.files.map(\.blobId))
        #expect(bare.files.map(\.executable) == full.files.map(\.executable))
        #expect(bare.files.allSatisfy { $0.size == nil })
        #expect(full.files.allSatisfy { $0.size != nil })
    }

    @Test func rootSnapshotUsesTheCommitTree() throws {
        let (repo, sha) = try fleet()
        let git = try GitRepository.open(at: repo.path)
        for root in [".", "", "./", ".//."] {
            let snapshot = try git.snapshot(commit: sha, path: root)
            #expect(snapshot.path == ".")
            #expect(snapshot.treeId == snapshot.commit.treeId)
            #expect(snapshot.treeId == (try repo.git("rev-parse", "HEAD^{tree}")))
            #expect(snapshot.files.count == 6)
            #expect(snapshot.files.first?.path == "README.md")
        }
    }

    @Test func subPathIsNormalised() throws {
        let (repo, sha) = try fleet()
        let git = try GitRepository.open(at: repo.path)
        let nested = try git.snapshot(commit: sha, path: "./fleet//blueprints/")
        #expect(nested.path == "fleet/blueprints")
        #expect(nested.treeId == (try repo.git("rev-parse", "HEAD:fleet/blueprints")))
        #expect(nested.files.map(\.path) == ["fleet/blueprints/nav/1.2.0.yaml"])
    }

    @Test func missingSubPathIsNotFound() throws {
        let (repo, sha) = try fleet()
        let git = try GitRepository.open(at: repo.path)
        let error = try #require(throws: GitError.self) { try git.snapshot(commit: sha, path: "manifests") }
        #expect(error.code == .notFound)
        #expect(error.message == "path 'manifests' does not exist in commit \(sha.prefix(7))")
    }

    @Test func fileSubPathIsNotADirectory() throws {
        let (repo, sha) = try fleet()
        let git = try GitRepository.open(at: repo.path)
        let error = try #require(throws: GitError.self) { try git.snapshot(commit: sha, path: "fleet/environments.yaml") }
        #expect(error.code == .notFound)
        #expect(error.message.contains("is not a directory"))
    }

    @Test func invalidPathsAreRefused() throws {
        let (repo, sha) = try fleet()
        let git = try GitRepository.open(at: repo.path)
        for path in ["../x", "fleet/../../x", "fleet/..", "/etc", "/"] {
            let error = try #require(throws: GitError.self) { try git.snapshot(commit: sha, path: path) }
            #expect(error.code == .invalidPath, "path \(path)")
        }
    }

    @Test func unchangedFilesKeepTheirBlobIdsAcrossCommits() throws {
        let (repo, first) = try fleet()
        try repo.write("fleet/environments.yaml", "kind: Environment\nchanged: true\n")
        let second = try repo.commit("change environments")
        let git = try GitRepository.open(at: repo.path)
        let before = Dictionary(uniqueKeysWithValues: try git.snapshot(commit: first, path: "fleet").files.map { ($0.path, $0.blobId) })
        let after = Dictionary(uniqueKeysWithValues: try git.snapshot(commit: second, path: "fleet").files.map { ($0.path, $0.blobId) })
        // Ids from git itself: a file missing from both listings must not pass as "unchanged".
        let adapter = try repo.git("rev-parse", "\(first):fleet/adapters/robotics.yaml")
        #expect(before["fleet/adapters/robotics.yaml"] == adapter)
        #expect(after["fleet/adapters/robotics.yaml"] == adapter)
        #expect(before["fleet/environments.yaml"] == (try repo.git("rev-parse", "\(first):fleet/environments.yaml")))
        #expect(after["fleet/environments.yaml"] == (try repo.git("rev-parse", "\(second):fleet/environments.yaml")))
        #expect(before["fleet/environments.yaml"] != after["fleet/environments.yaml"])
    }
}
