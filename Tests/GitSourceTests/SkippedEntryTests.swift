import Foundation
import GitSource
import StewardTesting
import Testing

/// Symlinks and submodules are reported as skipped, never followed.
@Suite struct SkippedEntryTests {
    @Test func symlinksAreSkippedAndNeverFollowed() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("fleet/real.yaml", "kind: Environment\n")
        try repo.write("outside/secret.yaml", "secret: true\n")
        try repo.symlink("fleet/passwd.yaml", to: "../../etc/passwd")
        try repo.symlink("fleet/linked-dir", to: "../outside")
        try repo.symlink("fleet/alias.yaml", to: "real.yaml")
        let sha = try repo.commit("links")
        #expect(try repo.git("ls-tree", "HEAD", "fleet/passwd.yaml").hasPrefix("120000"))

        let snapshot = try GitRepository.open(at: repo.path).snapshot(commit: sha, path: "fleet")
        #expect(snapshot.files.map(\.path) == ["fleet/real.yaml"])
        #expect(snapshot.skipped == [
            SkippedEntry(path: "fleet/alias.yaml", reason: .symlink),
            SkippedEntry(path: "fleet/linked-dir", reason: .symlink),
            SkippedEntry(path: "fleet/passwd.yaml", reason: .symlink),
        ])
    }

    @Test func symlinkAsSubPathIsNotADirectory() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("outside/secret.yaml", "secret: true\n")
        try repo.symlink("fleet", to: "outside")
        let sha = try repo.commit("fleet is a link")
        let error = try #require(throws: GitError.self) {
            try GitRepository.open(at: repo.path).snapshot(commit: sha, path: "fleet")
        }
        #expect(error.code == .notFound)
        #expect(error.message.contains("is not a directory"))
    }

    @Test func submoduleEntriesAreSkipped() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("fleet/app.yaml", "kind: Deployment\n")
        let first = try repo.commit("first")
        let foreign = String(repeating: "ab", count: 20)
        try repo.addSubmoduleEntry(path: "fleet/vendor/lib", sha: foreign)
        try repo.addSubmoduleEntry(path: "fleet/self", sha: first)
        let sha = try repo.commit("submodules")
        #expect(try repo.git("ls-tree", "HEAD", "fleet/self").hasPrefix("160000 commit"))

        let snapshot = try GitRepository.open(at: repo.path).snapshot(commit: sha, path: ".")
        #expect(snapshot.files.map(\.path) == ["fleet/app.yaml"])
        #expect(snapshot.skipped == [
            SkippedEntry(path: "fleet/self", reason: .submodule),
            SkippedEntry(path: "fleet/vendor/lib", reason: .submodule),
        ])
    }
}
