import Foundation
import GitSource
import StewardTesting
import Testing

/// Blobs kept on disk between processes: what one process adds another reads back, and an entry
/// whose bytes are not what was recorded is a miss, never other content.
@Suite struct BlobCacheTests {
    /// Blobs of a real repository, with their ids, as a reader of git would add them.
    private func blobs(_ contents: [String]) throws -> [(id: String, bytes: [UInt8])] {
        let repo = try TemporaryGitRepository()
        for (index, text) in contents.enumerated() { try repo.write("m\(index).yaml", text) }
        let sha = try repo.commit("blobs")
        let git = try GitRepository.open(at: repo.path)
        return try git.snapshot(commit: sha, path: ".").files.sorted { $0.path < $1.path }
            .map { ($0.blobId, try git.readBlob($0.blobId, path: $0.path)) }
    }

    @Test func whatOneProcessAddsAnotherReadsBack() throws {
        let dir = try TemporaryDirectory()
        let added = try blobs(["kind: Deployment\nname: a\n", "kind: Deployment\nname: b\n", ""])
        let first = BlobCache(directory: dir.path + "/blobs")
        #expect(first.bytes(added[0].id, limit: 1 << 20) == nil, "an empty cache")
        first.add(added, live: added.map(\.id))
        #expect(first.bytes(added[1].id, limit: 1 << 20) == added[1].bytes, "read back by the process that added it")

        let second = BlobCache(directory: dir.path + "/blobs")
        #expect(second.count == 3)
        for blob in added { #expect(second.bytes(blob.id, limit: 1 << 20) == blob.bytes) }
        #expect(second.bytes(added[0].id, limit: 4) == nil, "a blob above the limit is left to git, which says why")
        #expect(second.bytes(String(repeating: "0", count: 40), limit: 1 << 20) == nil)
        #expect(second.bytes("abc", limit: 1 << 20) == nil)

        // Opened read-only (a read command): adds nothing.
        let more = try blobs(["kind: Target\nname: c\n"])
        BlobCache(directory: dir.path + "/blobs", readOnly: true).add(more, live: (added + more).map(\.id))
        #expect(BlobCache(directory: dir.path + "/blobs").count == 3)
    }

    @Test func bytesThatAreNotWhatWasRecordedAreAMiss() throws {
        let dir = try TemporaryDirectory()
        let added = try blobs(["version: 1.3.0\n", "version: 2.0.0\n"])
        BlobCache(directory: dir.path).add(added, live: added.map(\.id))
        // Another version, the same length, written over the first blob's bytes.
        var data = try #require(FileManager.default.contents(atPath: dir.path + "/data"))
        let at = try #require(data.range(of: Data("1.3.0".utf8)))
        data.replaceSubrange(at, with: Data("9.9.9".utf8))
        try data.write(to: URL(fileURLWithPath: dir.path + "/data"))
        let reopened = BlobCache(directory: dir.path)
        #expect(reopened.bytes(added[0].id, limit: 1 << 20) == nil, "changed bytes are never served")
        #expect(reopened.bytes(added[1].id, limit: 1 << 20) == added[1].bytes)

        // A data file cut short, and a torn index record at the end: misses and ignored.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path + "/data"))
        try handle.truncate(atOffset: UInt64(added[0].bytes.count + 3))
        try handle.close()
        let index = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.path + "/index"))
        try index.seekToEnd()
        try index.write(contentsOf: Data([1, 2, 3]))
        try index.close()
        let cut = BlobCache(directory: dir.path)
        #expect(cut.count == 2)
        #expect(cut.bytes(added[1].id, limit: 1 << 20) == nil)
        // Appending after a torn record keeps the records aligned.
        let more = try blobs(["name: c\n"])
        cut.add(more, live: (added + more).map(\.id))
        let after = BlobCache(directory: dir.path)
        #expect(after.bytes(more[0].id, limit: 1 << 20) == more[0].bytes)
        #expect(after.count == 3)
    }

    @Test func blobsNoTreeHoldsAreDroppedOnceTheyAreMost() throws {
        let dir = try TemporaryDirectory()
        let old = try blobs((0..<(BlobCache.minimumDead + 10)).map { "name: old-\($0)\n" })
        let cache = BlobCache(directory: dir.path)
        cache.add(old, live: old.map(\.id))
        let kept = Array(old.prefix(5))
        let new = try blobs(["name: new\n"])
        // Most cached blobs are no longer live: the files start again with the live ones.
        cache.add(new, live: (kept + new).map(\.id))
        let reopened = BlobCache(directory: dir.path)
        #expect(reopened.count == kept.count + new.count)
        for blob in kept + new { #expect(reopened.bytes(blob.id, limit: 1 << 20) == blob.bytes) }
        #expect(reopened.bytes(old[7].id, limit: 1 << 20) == nil)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: dir.path + "/data")[.size] as? Int)
        #expect(size == (kept + new).reduce(0) { $0 + $1.bytes.count })
    }

    @Test func aCacheThatCannotBeWrittenIsAnEmptyOne() throws {
        let dir = try TemporaryDirectory()
        try "not a folder".write(toFile: dir.path + "/file", atomically: true, encoding: .utf8)
        let cache = BlobCache(directory: dir.path + "/file/blobs")
        let added = try blobs(["name: a\n"])
        cache.add(added, live: added.map(\.id))
        #expect(cache.bytes(added[0].id, limit: 1 << 20) == nil)
    }
}
