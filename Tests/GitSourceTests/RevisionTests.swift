import GitSource
import StewardTesting
import Testing

/// Resolving branches, tags, shas and relative revisions against a real repository.
@Suite struct RevisionTests {
    /// A repository with three commits on main, a light tag on the first and an annotated tag on the second.
    private func history() throws -> (TemporaryGitRepository, [String]) {
        let repo = try TemporaryGitRepository()
        var shas: [String] = []
        for index in 1...3 {
            try repo.write("file.txt", "version \(index)\n")
            shas.append(try repo.commit("commit \(index)"))
            if index == 1 { try repo.tag("v1-light") }
            if index == 2 { try repo.tag("v2-annotated", annotated: true) }
        }
        return (repo, shas)
    }

    @Test func resolvesBranchAndHead() throws {
        let (repo, shas) = try history()
        let git = try GitRepository.open(at: repo.path)
        #expect(try git.resolve("main").sha == shas[2])
        #expect(try git.resolve("HEAD").sha == shas[2])
        #expect(try git.resolve("refs/heads/main").sha == shas[2])
    }

    @Test func resolvesLightAndAnnotatedTagsToCommits() throws {
        let (repo, shas) = try history()
        let git = try GitRepository.open(at: repo.path)
        #expect(try git.resolve("v1-light").sha == shas[0])
        let tagObject = try repo.git("rev-parse", "v2-annotated")
        #expect(tagObject != shas[1], "an annotated tag is its own object")
        #expect(try git.resolve("v2-annotated").sha == shas[1])
    }

    @Test func resolvesFullAndShortSha() throws {
        let (repo, shas) = try history()
        let git = try GitRepository.open(at: repo.path)
        #expect(try git.resolve(shas[1]).sha == shas[1])
        #expect(try git.resolve(String(shas[1].prefix(8))).sha == shas[1])
        #expect(try git.commit(String(shas[0].prefix(7))).sha == shas[0])
    }

    @Test func resolvesRelativeRevisions() throws {
        let (repo, shas) = try history()
        let git = try GitRepository.open(at: repo.path)
        #expect(try git.resolve("HEAD~2").sha == shas[0])
        #expect(try git.resolve("main^").sha == shas[1])
        #expect(try git.resolve("v2-annotated~1").sha == shas[0])
    }

    @Test func unknownRevisionNamesItAndCarriesLibgit2Message() throws {
        let (repo, _) = try history()
        let git = try GitRepository.open(at: repo.path)
        let error = try #require(throws: GitError.self) { try git.resolve("no-such-branch") }
        #expect(error.code == .notFound)
        #expect(error.message.hasPrefix("revision 'no-such-branch' not found: "))
        #expect(error.message.count > "revision 'no-such-branch' not found: ".count)
        #expect(!error.message.contains("\n"))
    }

    @Test func revisionNamingATreeIsNotACommit() throws {
        let (repo, _) = try history()
        let git = try GitRepository.open(at: repo.path)
        let error = try #require(throws: GitError.self) { try git.resolve("HEAD:file.txt") }
        #expect(error.message == "revision 'HEAD:file.txt' names a blob, not a commit")
        let tree = try #require(throws: GitError.self) { try git.resolve("HEAD^{tree}") }
        #expect(tree.message == "revision 'HEAD^{tree}' names a tree, not a commit")
    }

    @Test func emptyRepositoryIsReportedAsEmpty() throws {
        let repo = try TemporaryGitRepository()
        let git = try GitRepository.open(at: repo.path)
        for revision in ["HEAD", "main"] {
            let error = try #require(throws: GitError.self) { try git.resolve(revision) }
            #expect(error.code == .emptyRepository)
            #expect(error.message.contains("is empty"))
        }
    }

    @Test func unknownShaIsNotFound() throws {
        let (repo, _) = try history()
        let git = try GitRepository.open(at: repo.path)
        let error = try #require(throws: GitError.self) { try git.commit(String(repeating: "0", count: 40)) }
        #expect(error.code == .notFound)
        #expect(error.message.hasPrefix("commit '0000000000000000000000000000000000000000' not found"))
        let notHex = try #require(throws: GitError.self) { try git.commit("main") }
        #expect(notHex.code == .notFound)
    }
}
