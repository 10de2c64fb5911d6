import Foundation
import GitSource
import StewardTesting
import Testing

/// Commit metadata copied out of libgit2: people, times, message, parents.
@Suite struct CommitInfoTests {
    @Test func authorCommitterTimeAndMessage() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("a.yaml", "a: 1\n")
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let sha = try repo.commit("Add a\n\nWith a body line.", date: date)
        let info = try GitRepository.open(at: repo.path).resolve("main")
        #expect(info.sha == sha)
        #expect(info.treeId == (try repo.git("rev-parse", "HEAD^{tree}")))
        #expect(info.author == Signature(name: "Steward Test", email: "steward-test@example.com", time: date))
        #expect(info.committer == info.author)
        #expect(info.message == "Add a\n\nWith a body line.\n")
        #expect(info.summary == "Add a")
        #expect(info.shortSha == String(sha.prefix(7)))
        #expect(info.parents.isEmpty)
    }

    @Test func mergeCommitListsBothParentsInOrder() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("base.txt", "base\n")
        try repo.commit("base")
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.write("feature.txt", "feature\n")
        let feature = try repo.commit("feature")
        try repo.git("checkout", "-q", "main")
        try repo.write("main.txt", "main\n")
        let main = try repo.commit("main work")
        try repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
        let merge = try repo.git("rev-parse", "HEAD")

        let info = try GitRepository.open(at: repo.path).resolve("main")
        #expect(info.sha == merge)
        #expect(info.parents == [main, feature])
        #expect(info.summary == "Merge feature")
        #expect(try GitRepository.open(at: repo.path).resolve("main^2").sha == feature)
    }

    @Test func commitInfoRoundTripsThroughJSON() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("a.txt", "a\n")
        try repo.commit("one", date: Date(timeIntervalSince1970: 1_600_000_000))
        let info = try GitRepository.open(at: repo.path).resolve("HEAD")
        let decoded = try JSONDecoder().decode(CommitInfo.self, from: JSONEncoder().encode(info))
        #expect(decoded == info)
    }
}
