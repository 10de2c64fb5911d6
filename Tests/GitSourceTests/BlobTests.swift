import Foundation
import GitSource
import StewardTesting
import Testing

/// Reading blob content, and refusing large blobs from their header alone.
@Suite struct BlobTests {
    @Test func contentRoundTripsExactly() throws {
        let repo = try TemporaryGitRepository()
        let text = "apiVersion: steward/v1\nkind: Environment\nname: \u{1F680} ünïcode\n"
        let binary: [UInt8] = (0...255).map { UInt8($0) } + [0, 0, 13, 10]
        try repo.write("env.yaml", text)
        try repo.write("blob.bin", bytes: binary)
        try repo.write("empty.yaml", "")
        let sha = try repo.commit("content")
        let git = try GitRepository.open(at: repo.path)
        let files = Dictionary(uniqueKeysWithValues: try git.snapshot(commit: sha, path: ".").files.map { ($0.path, $0) })

        let env = try #require(files["env.yaml"])
        #expect(try git.readBlob(env.blobId, path: env.path) == Array(text.utf8))
        #expect(env.size == text.utf8.count)
        let bin = try #require(files["blob.bin"])
        #expect(try git.readBlob(bin.blobId, path: bin.path) == binary)
        let empty = try #require(files["empty.yaml"])
        #expect(empty.size == 0)
        #expect(try git.readBlob(empty.blobId, path: empty.path) == [])
    }

    @Test func blobAboveLimitIsRefusedWithSizes() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("big.yaml", bytes: [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20))
        let sha = try repo.commit("big")
        let git = try GitRepository.open(at: repo.path)
        let file = try #require(try git.snapshot(commit: sha, path: ".").files.first)
        #expect(file.size == 2_097_152)

        let error = try #require(throws: GitError.self) { try git.readBlob(file.blobId, path: file.path) }
        #expect(error.code == .blobTooLarge)
        #expect(error.message == "big.yaml: file is 2097152 bytes, above the 1048576-byte limit")
        #expect(try git.readBlob(file.blobId, path: file.path, limit: 4 << 20).count == 2_097_152)
    }

    /// Everything after the loose object's first 512 bytes is overwritten: a refusal proves the content was never read.
    ///
    /// The object is overwritten rather than truncated because libgit2 1.5.1 loops forever inflating a
    /// truncated loose object (libgit2 issue 7342).
    @Test func tooLargeIsDecidedFromTheHeaderWithoutReadingContent() throws {
        let repo = try TemporaryGitRepository()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let content: [UInt8] = (0..<300_000).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        try repo.write("incompressible.bin", bytes: content)
        let blobId = try repo.git("hash-object", "-w", "incompressible.bin")
        let objectFile = repo.url.appendingPathComponent(".git/objects/\(blobId.prefix(2))/\(blobId.dropFirst(2))")
        let full = try Data(contentsOf: objectFile)
        #expect(full.count > 290_000, "the object does not compress")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: objectFile.path)
        try (full.prefix(512) + Data(repeating: 0xFF, count: full.count - 512)).write(to: objectFile)

        let git = try GitRepository.open(at: repo.path)
        let refused = try #require(throws: GitError.self) {
            try git.readBlob(blobId, path: "incompressible.bin", limit: 1024)
        }
        #expect(refused.code == .blobTooLarge)
        #expect(refused.message == "incompressible.bin: file is 300000 bytes, above the 1024-byte limit")

        let corrupt = try #require(throws: GitError.self) {
            try git.readBlob(blobId, path: "incompressible.bin", limit: 1 << 20)
        }
        #expect(corrupt.code != .blobTooLarge, "reading the content of the cut object fails")
    }

    @Test func unknownOrMalformedBlobIdsAreNotFound() throws {
        let repo = try TemporaryGitRepository()
        try repo.write("a.txt", "a\n")
        try repo.commit("a")
        let git = try GitRepository.open(at: repo.path)
        let missing = try #require(throws: GitError.self) {
            try git.readBlob(String(repeating: "1", count: 40), path: "a.txt")
        }
        #expect(missing.code == .notFound)
        #expect(missing.message.hasPrefix("a.txt: blob 1111111111111111111111111111111111111111 not found"))
        let tree = try repo.git("rev-parse", "HEAD^{tree}")
        let notBlob = try #require(throws: GitError.self) { try git.readBlob(tree, path: "dir") }
        #expect(notBlob.message == "dir: object \(tree) is not a blob")
        let malformed = try #require(throws: GitError.self) { try git.readBlob("zz", path: "a.txt") }
        #expect(malformed.code == .notFound)
        #expect(malformed.message == "blob 'zz' not found: not a hexadecimal object id")
        let abbreviated = try #require(throws: GitError.self) { try git.readBlob(String(tree.prefix(12)), path: "a.txt") }
        #expect(abbreviated.code == .notFound)
        #expect(abbreviated.message == "a.txt: blob id '\(tree.prefix(12))' is abbreviated; give all 40 hex digits")
    }
}
