import Foundation
@testable import GitSource
import StewardTesting
import Testing

/// Commits written through libgit2 into work-tree and bare repositories, checked with the `git` CLI.
@Suite struct CommitWriterTests {
    static let author = CommitAuthor(name: "Steward Bot", email: "steward@example.com")

    /// A work tree on main with two manifests committed; returns it and the tip.
    private func fleet() throws -> (TemporaryGitRepository, String) {
        let repository = try TemporaryGitRepository()
        try repository.write("fleet/app.yaml", "kind: Deployment\nspec:\n  version: 1.2.0\n")
        try repository.write("deployments/staging/y.yaml", "kind: Deployment\n")
        return (repository, try repository.commit("first"))
    }

    private func commit(
        _ repository: GitRepository, tip: String, _ files: [String: String], branch: String = "main",
        message: String = "Promote app to 1.3.0\n\nSteward-Action: promote\nSteward-Event: 42\n"
    ) throws -> String {
        try repository.commitFiles(
            branch: branch, expectedTip: tip, files: files.mapValues { Array($0.utf8) }, message: message, author: Self.author)
    }

    @Test func commitOnAWorkTreeMovesTheBranchAndLeavesStatusClean() throws {
        let (fleet, tip) = try fleet()
        let repository = try GitRepository.open(at: fleet.path)
        let before = Date().addingTimeInterval(-2)
        let sha = try commit(repository, tip: tip, ["fleet/app.yaml": "kind: Deployment\nspec:\n  version: 1.3.0\n"])

        #expect(try fleet.git("rev-parse", "main") == sha)
        #expect(try fleet.git("log", "-1", "--format=%P|%an <%ae>|%cn <%ce>", sha) == "\(tip)|Steward Bot <steward@example.com>|Steward Bot <steward@example.com>")
        #expect(try fleet.git("log", "-1", "--format=%B", sha) == "Promote app to 1.3.0\n\nSteward-Action: promote\nSteward-Event: 42")
        #expect(try fleet.git("interpret-trailers", "--parse", "--no-divider", input: fleet.git("log", "-1", "--format=%B", sha))
            == "Steward-Action: promote\nSteward-Event: 42")
        #expect(try fleet.git("diff", "--name-only", tip, sha) == "fleet/app.yaml")
        #expect(try fleet.git("status", "--porcelain") == "")
        #expect(fleet.read("fleet/app.yaml") == "kind: Deployment\nspec:\n  version: 1.3.0\n")
        #expect(try fleet.git("reflog", "-1", "--format=%gs", "main") == "commit: Promote app to 1.3.0")
        let info = try repository.commit(sha)
        #expect(info.author.time >= before && info.author.time <= Date().addingTimeInterval(2))
        #expect(try repository.uncommittedChanges() == [])
    }

    @Test func nestedAndNewPathsMakeFoldersAndKeepModes() throws {
        let (fleet, _) = try fleet()
        try fleet.write("scripts/deploy.sh", "#!/bin/sh\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fleet.url.appendingPathComponent("scripts/deploy.sh").path)
        let tip = try fleet.commit("script")
        let repository = try GitRepository.open(at: fleet.path)
        let sha = try commit(repository, tip: tip, [
            "deployments/prod/x.yaml": "kind: Deployment\nmetadata: {name: x}\n",
            "deployments/staging/y.yaml": "kind: Deployment\nmetadata: {name: y}\n",
            "a-b/c.yaml": "c\n",
            "a/b.yaml": "b\n",
            "scripts/deploy.sh": "#!/bin/sh\nexit 0\n",
        ])
        #expect(try fleet.git("diff", "--name-only", tip, sha).split(separator: "\n").sorted()
            == ["a-b/c.yaml", "a/b.yaml", "deployments/prod/x.yaml", "deployments/staging/y.yaml", "scripts/deploy.sh"])
        #expect(try fleet.git("ls-tree", sha, "scripts/deploy.sh").hasPrefix("100755 blob"))
        #expect(try fleet.git("fsck", "--no-dangling", "--strict") == "")
        #expect(try fleet.git("status", "--porcelain") == "")
        #expect(fleet.read("deployments/prod/x.yaml") == "kind: Deployment\nmetadata: {name: x}\n")
        #expect(fleet.read("a/b.yaml") == "b\n")
        #expect(FileManager.default.isExecutableFile(atPath: fleet.url.appendingPathComponent("scripts/deploy.sh").path))
    }

    @Test func modifiedTrackedFileIsRefusedAndNothingMoves() throws {
        let (fleet, tip) = try fleet()
        try fleet.write("deployments/staging/y.yaml", "kind: Deployment\n# local edit\n")
        let repository = try GitRepository.open(at: fleet.path)
        #expect(try repository.uncommittedChanges() == ["deployments/staging/y.yaml"])
        let error = try #require(throws: GitError.self) { try commit(repository, tip: tip, ["fleet/app.yaml": "x\n"]) }
        #expect(error.code == .dirtyWorkTree)
        #expect(error.message.contains("deployments/staging/y.yaml"))
        #expect(error.message.contains("commit or stash them"))
        #expect(try fleet.git("rev-parse", "main") == tip)
        #expect(fleet.read("deployments/staging/y.yaml") == "kind: Deployment\n# local edit\n")
    }

    @Test func stagedChangeIsRefused() throws {
        let (fleet, tip) = try fleet()
        try fleet.write("new.yaml", "kind: Environment\n")
        try fleet.git("add", "new.yaml")
        try fleet.git("rm", "-q", "--cached", "fleet/app.yaml")
        let repository = try GitRepository.open(at: fleet.path)
        #expect(try repository.uncommittedChanges() == ["fleet/app.yaml", "new.yaml"])
        let error = try #require(throws: GitError.self) { try commit(repository, tip: tip, ["deployments/staging/y.yaml": "x\n"]) }
        #expect(error.code == .dirtyWorkTree)
        #expect(error.message.contains("fleet/app.yaml, new.yaml"))
        #expect(try fleet.git("rev-parse", "main") == tip)
    }

    @Test func untrackedFilesAreNotDirty() throws {
        let (fleet, tip) = try fleet()
        try fleet.write("notes/todo.txt", "later\n")
        let repository = try GitRepository.open(at: fleet.path)
        #expect(try repository.uncommittedChanges() == [])
        _ = try commit(repository, tip: tip, ["fleet/app.yaml": "kind: Deployment\n"])
        #expect(try fleet.git("status", "--porcelain") == "?? notes/")
        #expect(fleet.read("notes/todo.txt") == "later\n")
    }

    @Test func workTreeOnAnotherBranchIsLeftAlone() throws {
        let (fleet, tip) = try fleet()
        try fleet.git("checkout", "-q", "-b", "feature")
        try fleet.write("fleet/app.yaml", "dirty but not on main\n")
        let repository = try GitRepository.open(at: fleet.path)
        let sha = try commit(repository, tip: tip, ["fleet/app.yaml": "kind: Deployment\n"])
        #expect(try fleet.git("rev-parse", "main") == sha)
        #expect(try fleet.git("rev-parse", "feature") == tip)
        #expect(fleet.read("fleet/app.yaml") == "dirty but not on main\n")
    }

    @Test func bareRepositoryOnlyMovesTheRef() throws {
        let (fleet, tip) = try fleet()
        let bare = try fleet.bareClone()
        let repository = try GitRepository.open(at: bare.path)
        #expect(try repository.uncommittedChanges() == [])
        let sha = try commit(repository, tip: tip, ["fleet/app.yaml": "kind: Deployment\nspec: {version: 2.0.0}\n"])
        #expect(try bare.git("rev-parse", "main") == sha)
        #expect(try bare.git("show", "\(sha):fleet/app.yaml") == "kind: Deployment\nspec: {version: 2.0.0}")
        #expect(try bare.git("log", "-1", "--format=%P %an", sha) == "\(tip) Steward Bot")
    }

    @Test func staleExpectedTipIsRefusedAndNothingMoves() throws {
        let (fleet, stale) = try fleet()
        let repository = try GitRepository.open(at: fleet.path)
        try fleet.write("other.yaml", "kind: Environment\n")
        let moved = try fleet.commit("someone else")
        let error = try #require(throws: GitError.self) { try commit(repository, tip: stale, ["fleet/app.yaml": "x\n"]) }
        #expect(error.code == .staleTip)
        #expect(error.message.contains(String(moved.prefix(7))) && error.message.contains(String(stale.prefix(7))))
        #expect(try fleet.git("rev-parse", "main") == moved)
        #expect(try fleet.git("status", "--porcelain") == "")
    }

    @Test func referenceMoveIsCompareAndSwap() throws {
        let (fleet, first) = try fleet()
        try fleet.write("other.yaml", "kind: Environment\n")
        let second = try fleet.commit("second")
        let repository = try GitRepository.open(at: fleet.path)
        let firstId = try ObjectId.parse(first, what: "commit").oid
        let secondId = try ObjectId.parse(second, what: "commit").oid
        // The branch is at `second`, so a move that expects `first` must fail and change nothing.
        let error = try #require(throws: GitError.self) {
            try repository.handle.moveReference("refs/heads/main", to: firstId, from: firstId, reflog: "test")
        }
        #expect(error.code == .staleTip)
        #expect(try fleet.git("rev-parse", "main") == second)
        try repository.handle.moveReference("refs/heads/main", to: firstId, from: secondId, reflog: "test")
        #expect(try fleet.git("rev-parse", "main") == first)
    }

    @Test func unchangedContentIsNotCommitted() throws {
        let (fleet, tip) = try fleet()
        let repository = try GitRepository.open(at: fleet.path)
        let error = try #require(throws: GitError.self) {
            try commit(repository, tip: tip, ["fleet/app.yaml": "kind: Deployment\nspec:\n  version: 1.2.0\n"])
        }
        #expect(error.code == .nothingToCommit)
        #expect(try fleet.git("rev-parse", "main") == tip)
    }

    @Test func badPathsAndBranchesAreRefused() throws {
        let (fleet, tip) = try fleet()
        let repository = try GitRepository.open(at: fleet.path)
        for path in ["../escape.yaml", "/etc/passwd", ".git/config", "fleet", ""] {
            let error = try #require(throws: GitError.self) { try commit(repository, tip: tip, [path: "x\n"]) }
            #expect(error.code == .invalidPath, "\(path): \(error)")
        }
        let branch = try #require(throws: GitError.self) { try commit(repository, tip: tip, ["a.yaml": "x\n"], branch: "bad..name") }
        #expect(branch.code == .invalidPath)
        let missing = try #require(throws: GitError.self) { try commit(repository, tip: tip, ["a.yaml": "x\n"], branch: "nope") }
        #expect(missing.code == .notFound)
        #expect(try fleet.git("rev-parse", "main") == tip)
    }

    @Test func configuredAuthorReadsGitConfig() throws {
        let (fleet, _) = try fleet()
        #expect(try GitRepository.open(at: fleet.path).configuredAuthor() == CommitAuthor(name: "Steward Test", email: "steward-test@example.com"))
        try fleet.git("config", "user.name", "Ada Operator")
        try fleet.git("config", "user.email", "ada@example.com")
        #expect(try GitRepository.open(at: fleet.path).configuredAuthor() == CommitAuthor(name: "Ada Operator", email: "ada@example.com"))
    }
}

extension TemporaryGitRepository {
    /// Runs `git <args>` with `input` written to a file passed as the last argument.
    fileprivate func git(_ args: String..., input: String) throws -> String {
        let scratch = try TemporaryDirectory(prefix: "steward-git-input")
        let file = scratch.appending("input")
        try Data(input.utf8).write(to: file)
        return try git(args + [file.path])
    }
}
