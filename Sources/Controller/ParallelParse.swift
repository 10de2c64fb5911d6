import Foundation
import Synchronization
import GitSource
import Manifests

/// Reads and parses changed blobs on several threads, each reading through a repository handle of
/// its own (libgit2 allows one thread per handle): loose objects cost a file open and an inflate
/// each, too much for one reader to keep the parsers busy.
enum ParallelParse {
    /// One worker per core, at most 8.
    static var defaultWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }
    /// Below this many files per worker, threads cost more than they save.
    static let filesPerWorker = 32

    /// The parse of each file, in order, with each resource's own checks (`FleetValidator.parseChecked`).
    /// A failed read (other than a blob over the size limit, which is that file's parse error) throws
    /// the error of the first such file, as a serial loop would.
    static func run(_ files: [SourceFile], limits: YAMLLimits, repository: GitRepository,
                    workers: Int) throws -> [ManifestParser.FileResult] {
        let count = max(1, min(workers, files.count / filesPerWorker))
        if count == 1 {
            return try files.map { file in ManifestParser.parse(file: file.path, bytes: try read(file, limits: limits, repository: repository), limits: limits) }
        }
        let pipeline = Pipeline(files: files, limits: limits)
        defer { pipeline.release() }
        let group = DispatchGroup()
        let path = repository.path
        for _ in 1..<count {
            group.enter()
            let thread = Thread {
                // A helper that cannot open a handle leaves its share to the others.
                if let own = try? GitRepository.open(at: path) { pipeline.work(own) }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        pipeline.work(repository)
        group.wait()
        return try pipeline.results()
    }

    /// A blob's bytes; a blob over the size limit becomes a file error, other failures throw.
    fileprivate static func read(_ file: SourceFile, limits: YAMLLimits, repository: GitRepository) throws -> Input {
        do {
            return .bytes(try repository.readBlob(file.blobId, path: file.path, limit: limits.maxFileBytes))
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

/// The files' outcomes: workers claim files one at a time, and slot `i` is written by the worker
/// that claimed file `i`, read after every worker ended.
private final class Pipeline: @unchecked Sendable {
    let files: [SourceFile]
    let limits: YAMLLimits
    private let outputs: UnsafeMutableBufferPointer<Result<ManifestParser.FileResult, any Error>?>
    private let next = Atomic<Int>(0)

    init(files: [SourceFile], limits: YAMLLimits) {
        self.files = files
        self.limits = limits
        outputs = .allocate(capacity: files.count)
        outputs.initialize(repeating: nil)
    }

    /// Reads (through `repository`) and parses files until none is left to claim.
    func work(_ repository: GitRepository) {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < files.count else { return }
            let file = files[index]
            outputs[index] = Result {
                ManifestParser.parse(file: file.path, bytes: try ParallelParse.read(file, limits: limits, repository: repository), limits: limits)
            }
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
        outputs.deinitialize()
        outputs.deallocate()
    }
}
