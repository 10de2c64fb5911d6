@testable import Controller
import Foundation
import GitSource
import Manifests
import StewardTesting
import Testing

/// Reading and parsing on several threads, each through its own repository handle, gives what one
/// thread gives: every file's parse in order, a blob over the size limit as that file's error, and
/// the first failed read in file order thrown.
@Suite("Parallel read and parse")
struct ParallelParseTests {
    private func deployment(_ index: Int) -> String {
        "apiVersion: steward/v1\nkind: Deployment\nmetadata:\n  name: agent-\(index)\nspec:\n  blueprint: nav\n  environment: dev\n  version: 1.0.\(index)\n"
    }

    @Test func manyFilesParseAsOneThreadParsesThem() throws {
        let repo = try TemporaryGitRepository()
        for index in 0..<200 { try repo.write("deployments/agent-\(String(format: "%03d", index)).yaml", deployment(index)) }
        try repo.write("deployments/agent-150.yaml", deployment(150) + "  # " + String(repeating: "x", count: 3_000) + "\n")
        try repo.write("deployments/agent-160.yaml", "kind: [unclosed\n")
        let sha = try repo.commit("fleet")
        let repository = try GitRepository.open(at: repo.path)
        let files = try repository.snapshot(commit: sha, path: "", sizes: false).files.sorted { $0.path < $1.path }
        #expect(files.count == 200)
        var limits = YAMLLimits.standard
        limits.maxFileBytes = 2_000

        let parallel = try ParallelParse.run(files, limits: limits, repository: repository, workers: 4).results
        let serial = try ParallelParse.run(files, limits: limits, repository: repository, workers: 1).results
        #expect(parallel.map(\.resources) == serial.map(\.resources))
        #expect(parallel.map(\.errors) == serial.map(\.errors))
        #expect(parallel.flatMap(\.resources).map(\.name) == (0..<200).filter { $0 != 150 && $0 != 160 }.map { "agent-\($0)" })
        #expect(parallel[150].errors.map(\.message).first?.contains("above the 2000-byte limit") == true)
        #expect(parallel[160].errors.count == 1 && parallel[160].resources.isEmpty)

        // Through a blob cache: the first run reads every blob from git and hands back those it may
        // keep (not the one over the limit); the next reads none from git and parses the same.
        let dir = try TemporaryDirectory()
        let stored = BlobCache(directory: dir.path)
        let first = try ParallelParse.run(files, limits: limits, repository: repository, stored: stored, workers: 4)
        #expect(first.fresh.map(\.id).sorted() == files.filter { $0.path != "deployments/agent-150.yaml" }.map(\.blobId).sorted())
        stored.add(first.fresh, live: files.map(\.blobId))
        for workers in [4, 1] {
            let second = try ParallelParse.run(files, limits: limits, repository: repository, stored: BlobCache(directory: dir.path), workers: workers)
            #expect(second.fresh.isEmpty)
            #expect(second.results.map(\.resources) == serial.map(\.resources))
            #expect(second.results.map(\.errors) == serial.map(\.errors))
        }

        // Two blobs that are not there: the first in file order is the one thrown.
        var broken = files
        for index in [170, 90] {
            broken[index] = SourceFile(path: "deployments/missing-\(index).yaml", blobId: String(repeating: "0", count: 39) + "\(index % 10)", size: nil)
        }
        #expect {
            _ = try ParallelParse.run(broken, limits: limits, repository: repository, workers: 4)
        } throws: { error in
            "\(error)".contains("missing-90.yaml")
        }
    }
}
