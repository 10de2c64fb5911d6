import Foundation
import GitSource
import Manifests

/// Parsed manifest files, with each resource's own checks, keyed by blob id: an unchanged blob is
/// never read, parsed or checked again.
/// Bounded: past `capacity` files the oldest generation is dropped.
struct ParseCache {
    private var current: [String: ManifestParser.FileResult] = [:]
    private var previous: [String: ManifestParser.FileResult] = [:]
    let capacity: Int
    /// Canonical documents of the manifests, kept across commits for the fleets validated here.
    let documents = DocumentCache()
    private(set) var hits = 0
    private(set) var misses = 0
    /// Blobs kept on disk between processes, and those read from git since they were last added.
    let stored: BlobCache?
    private var fresh: [(id: String, bytes: [UInt8])] = []
    /// Hashes of documents kept on disk between processes: fresh parses are seeded with them.
    let hashes: DocumentHashMemo?
    /// The blob ids of the files of the commit last validated (`storeFresh`).
    private var liveBlobs: Set<String> = []

    init(capacity: Int = 50_000, stored: BlobCache? = nil, hashes: DocumentHashMemo? = nil) {
        self.capacity = capacity
        self.stored = stored
        self.hashes = hashes
    }

    /// Saves the hashes made for the parses of the commit last validated (`commit`, made into the
    /// desired state) to `hashes`, for the next process; once a commit. Each parse is saved under
    /// the blob it was parsed from.
    func saveHashes(commit: String) {
        guard let hashes, hashes.saving, hashes.lastSaved != commit else { return }
        let files = liveBlobs.compactMap { blob in (current[blob] ?? previous[blob]).map { (blob: blob, resources: $0.resources) } }
        hashes.save(files, resolved: documents.madeHashes())
        hashes.lastSaved = commit
    }

    /// Adds to `stored` the blobs read from git since the last call; `live` are the blob ids of the
    /// commit's manifests (what a compaction keeps). A read-only `stored` (a read command, which
    /// validates once) is released instead: its index is not kept for the plan.
    mutating func storeFresh(live: [SourceFile]) {
        hashes?.release()
        if hashes?.saving == true { liveBlobs = Set(live.map(\.blobId)) }
        if let stored, stored.readOnly { stored.release() }
        guard let stored, !fresh.isEmpty else { return }
        stored.add(fresh, live: live.map(\.blobId))
        fresh = []
    }

    /// The parse of `file` (re-stamped with its current path), reading and parsing only on a miss.
    mutating func result(for file: SourceFile, limits: YAMLLimits, read: () throws -> [UInt8]) throws -> ManifestParser.FileResult {
        if let cached = cached(file) { return cached }
        misses += 1
        let parsed = FleetValidator.parseChecked(file: file.path, bytes: try read(), limits: limits)
        hashes?.seed(parsed.resources, blob: file.blobId)
        store(file.blobId, parsed)
        return parsed
    }

    /// The parses of `files` in order; misses are read and parsed on up to `workers` threads, each
    /// helper with its own handle on the repository (a `GitRepository` belongs to one thread).
    mutating func results(for files: [SourceFile], limits: YAMLLimits, repository: GitRepository,
                          workers: Int = ParallelParse.defaultWorkers) throws -> [ManifestParser.FileResult] {
        var results = [ManifestParser.FileResult?](repeating: nil, count: files.count)
        var missing: [Int] = []
        for (index, file) in files.enumerated() {
            if let cached = cached(file) { results[index] = cached } else { missing.append(index) }
        }
        let (parsed, read) = try ParallelParse.run(missing.map { files[$0] }, limits: limits, repository: repository, stored: stored,
                                                   workers: workers)
        fresh += read
        if let hashes, !hashes.saving {   // a process that saves is never seeded: no pass over its parses
            let seeding = Array(zip(missing.map { files[$0].blobId }, parsed))
            _ = ConcurrentMap.map(seeding) { blob, result in hashes.seed(result.resources, blob: blob) }
        }
        for (index, result) in zip(missing, parsed) {
            misses += 1
            store(files[index].blobId, result)
            results[index] = result
        }
        return results.map { $0! }
    }

    /// A cached parse moved to the file's current path, counted as a hit.
    private mutating func cached(_ file: SourceFile) -> ManifestParser.FileResult? {
        guard let cached = current[file.blobId] ?? previous[file.blobId] else { return nil }
        hits += 1
        store(file.blobId, cached)
        return Self.restamp(cached, path: file.path)
    }

    private mutating func store(_ blobId: String, _ result: ManifestParser.FileResult) {
        if current.count >= capacity {
            previous = current
            current = [:]
        }
        current[blobId] = result
    }

    /// A cached parse with file names of resources and errors moved to `path`.
    private static func restamp(_ result: ManifestParser.FileResult, path: String) -> ManifestParser.FileResult {
        guard let first = result.resources.first?.file ?? result.errors.first?.file, first != path else { return result }
        var moved = ManifestParser.FileResult()
        moved.resources = result.resources.map { $0.moved(to: path) }
        moved.errors = result.errors.map { error in
            var copy = error
            copy.file = path
            return copy
        }
        return moved
    }
}
