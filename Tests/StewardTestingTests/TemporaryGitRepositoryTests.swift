import Foundation
import StewardTesting
import Testing

@Suite("Test helpers make real git repositories")
struct TemporaryGitRepositoryTests {
    @Test func commitsAreRealAndTheFolderIsRemoved() throws {
        var path = ""
        do {
            let repo = try TemporaryGitRepository()
            path = repo.path
            try repo.write("a/b.yaml", "x: 1\n")
            let first = try repo.commit("first")
            try repo.write("a/b.yaml", "x: 2\n")
            let second = try repo.commit("second")
            #expect(first.count == 40)
            #expect(first != second)
            #expect(try repo.git("rev-parse", "HEAD~1") == first)
            #expect(try repo.git("show", "HEAD:a/b.yaml") == "x: 2")
            #expect(try repo.git("log", "--format=%s") == "second\nfirst")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func gitFailuresCarryStderr() throws {
        let repo = try TemporaryGitRepository()
        let error = try #require(throws: GitCommandError.self) { try repo.git("rev-parse", "no-such-ref") }
        #expect(error.arguments == ["rev-parse", "no-such-ref"])
        #expect(error.status == 128)
        // git's own complaint, trimmed: its first line names the revision (LC_ALL=C keeps it in English).
        let firstLine = "fatal: ambiguous argument 'no-such-ref': unknown revision or path not in the working tree."
        #expect(error.standardError.split(separator: "\n").first.map(String.init) == firstLine, "\(error.standardError)")
        #expect(error.standardError == error.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(error.description.hasPrefix("git rev-parse no-such-ref exited 128: \(firstLine)"))
    }
}
