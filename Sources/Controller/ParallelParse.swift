import Foundation
import Synchronization
import GitSource
import Manifests

/// Reads changed blobs on the calling thread and parses them on several. One reader, because
/// libgit2 guards a pack with process-wide locks: readers on threads of their own (each with its
/// own handle) spent more time waiting on those locks than reading (perf: mutexes and futex waits
/// were most of a 10,000-blob read on two cores). Loose objects read in parallel would not
/// contend; read by one thread, a diff of 10,000 loose manifests took as long as before.
enum ParallelParse {
    /// One worker per core, at most 8.
    static var defaultWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }
    /// Below this many files per worker, threads cost more than they save.
    static let filesPerWorker = 32

    /// The parse of each file, in order, with each resource's own checks (`FleetValidator.parseChecked`).
    /// A failed read (other than a blob over the size limit, which is that file's parse error) throws
    /// the error of the first such file, as a serial loop would.
    ///
    /// Blobs `stored` holds are taken from it; the others are read from git and returned as `fresh`
    /// (unless `stored` is read-only).
    static func run(_ files: [SourceFile], limits: YAMLLimits, repository: GitRepository, stored: BlobCache? = nil,
                    workers: Int) throws -> (results: [ManifestParser.FileResult], fresh: [(id: String, bytes: [UInt8])]) {
        let count = max(1, min(workers, files.count / filesPerWorker))
        if count == 1 {
            var fresh: [(id: String, bytes: [UInt8])] = []
            let results = try files.map { file in
                ManifestParser.parse(file: file.path, bytes: try read(file, limits: limits, repository: repository, stored: stored, fresh: &fresh),
                                     limits: limits)
            }
            return (results, fresh)
        }
        let pipeline = Pipeline(files: files, limits: limits, stored: stored)
        defer { pipeline.release() }
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            let thread = Thread {
                pipeline.parse()
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        let fresh = pipeline.read(repository)
        pipeline.parse()
        group.wait()
        return (try pipeline.results(), fresh)
    }

    /// A blob's bytes, from `stored` or else from git (then added to `fresh`); a blob over the size
    /// limit becomes a file error, other failures throw.
    fileprivate static func read(_ file: SourceFile, limits: YAMLLimits, repository: GitRepository, stored: BlobCache?,
                                 fresh: inout [(id: String, bytes: [UInt8])]) throws -> Input {
        if let bytes = stored?.bytes(file.blobId, limit: limits.maxFileBytes) { return .bytes(bytes) }
        do {
            let bytes = try repository.readBlob(file.blobId, path: file.path, limit: limits.maxFileBytes)
            if let stored, !stored.readOnly { fresh.append((file.blobId, bytes)) }
            return .bytes(bytes)
        } catch let error as GitError where error.code == .blobTooLarge {
            return .refused(ValidationError(file: file.path, position: SourcePosition(line: 1, column: 1), message: error.message))
        }
    }

    fileprivate enum Input {
        case bytes([UInt8])
        case refused(ValidationError)
    }
}

extension ManifestParser {
    fileprivate static func parse(file: String, bytes input: ParallelParse.Input, limits: YAMLLimits) -> FileResult {
        switch input {
        case .bytes(let bytes): return FleetValidator.parseChecked(file: file, bytes: bytes, limits: limits)
        case .refused(let error): return FileResult(errors: [error])
        }
    }
}

/// The files' inputs and outcomes. The reader fills input slots in order and publishes how many
/// it has filled (`read`, under `progress`); parsers claim files one at a time, wait until the
/// claimed one is read, and write its outcome slot. Slots are read back after every thread ended.
private final class Pipeline: @unchecked Sendable {
    /// How far the reader may run ahead of the parsers' claims (bounds the bytes held).
    static let lookahead = 1024
    /// Files read between two wake-ups of waiting parsers.
    static let publishEvery = 16

    let files: [SourceFile]
    let limits: YAMLLimits
    let stored: BlobCache?
    private let inputs: UnsafeMutableBufferPointer<Result<ParallelParse.Input, any Error>?>
    private let outputs: UnsafeMutableBufferPointer<Result<ManifestParser.FileResult, any Error>?>
    private let next = Atomic<Int>(0)
    private let progress = NSCondition()
    /// How many files are read: written under `progress`, and read without it first (a parser
    /// behind the reader takes no lock).
    private let readCount = Atomic<Int>(0)

    init(files: [SourceFile], limits: YAMLLimits, stored: BlobCache?) {
        self.files = files
        self.limits = limits
        self.stored = stored
        inputs = .allocate(capacity: files.count)
        inputs.initialize(repeating: nil)
        outputs = .allocate(capacity: files.count)
        outputs.initialize(repeating: nil)
    }

    /// Reads every file (from `stored`, else through `repository`), in order, staying within
    /// `lookahead` of the claims; returns the blobs read from git.
    func read(_ repository: GitRepository) -> [(id: String, bytes: [UInt8])] {
        var fresh: [(id: String, bytes: [UInt8])] = []
        for index in files.indices {
            if index % Self.publishEvery == 0 {
                publish(index)
                while index - next.load(ordering: .relaxed) >= Self.lookahead {
                    progress.lock()
                    _ = progress.wait(until: Date().addingTimeInterval(0.001))
                    progress.unlock()
                }
            }
            inputs[index] = Result { try ParallelParse.read(files[index], limits: limits, repository: repository, stored: stored, fresh: &fresh) }
        }
        publish(files.count)
        return fresh
    }

    private func publish(_ count: Int) {
        progress.lock()
        readCount.store(count, ordering: .releasing)
        progress.broadcast()
        progress.unlock()
    }

    /// Parses claimed files until none is left to claim.
    func parse() {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < files.count else { return }
            if readCount.load(ordering: .acquiring) <= index {
                progress.lock()
                while readCount.load(ordering: .acquiring) <= index { progress.wait() }
                progress.unlock()
            }
            let file = files[index]
            outputs[index] = inputs[index]!.map { ManifestParser.parse(file: file.path, bytes: $0, limits: limits) }
            inputs[index] = nil
        }
    }

    /// The parses in order, or the first read failure.
    func results() throws -> [ManifestParser.FileResult] {
        var results: [ManifestParser.FileResult] = []
        results.reserveCapacity(files.count)
        for index in files.indices { results.append(try outputs[index]!.get()) }
        return results
    }

    func release() {
        inputs.deinitialize()
        inputs.deallocate()
        outputs.deinitialize()
        outputs.deallocate()
    }
}
