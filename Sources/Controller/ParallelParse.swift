import Foundation
import GitSource
import Manifests

/// Reads changed blobs on the caller's thread (libgit2 stays on one thread, with the caller's
/// repository handle) while helper threads parse what has been read; the caller joins the parsing
/// once every blob is read.
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
        for _ in 1..<count {
            group.enter()
            let thread = Thread {
                pipeline.parseWhileAvailable()
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        pipeline.readAll(repository: repository)
        pipeline.parseWhileAvailable()
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

/// Blobs read so far and their parses: slot `i` is written by one thread, and read by others only
/// after the condition says it is ready (or after every thread finished).
private final class Pipeline: @unchecked Sendable {
    let files: [SourceFile]
    let limits: YAMLLimits
    private let inputs: UnsafeMutableBufferPointer<Result<ParallelParse.Input, any Error>?>
    private let outputs: UnsafeMutableBufferPointer<ManifestParser.FileResult?>
    private let condition = NSCondition()
    private var readCount = 0
    private var nextParse = 0
    private var readingDone = false

    init(files: [SourceFile], limits: YAMLLimits) {
        self.files = files
        self.limits = limits
        inputs = .allocate(capacity: files.count)
        inputs.initialize(repeating: nil)
        outputs = .allocate(capacity: files.count)
        outputs.initialize(repeating: nil)
    }

    /// Reads every blob in order; stops after the first failed read.
    func readAll(repository: GitRepository) {
        for index in files.indices {
            let input = Result { try ParallelParse.read(files[index], limits: limits, repository: repository) }
            inputs[index] = input
            condition.lock()
            readCount = index + 1
            if case .failure = input { readingDone = true }
            condition.signal()
            condition.unlock()
            if case .failure = input { break }
        }
        condition.lock()
        readingDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// Parses read blobs until every read blob is parsed and reading is over.
    func parseWhileAvailable() {
        while let index = claim() {
            guard case .success(let input)? = inputs[index] else { continue }
            outputs[index] = ManifestParser.parse(file: files[index].path, bytes: input, limits: limits)
            inputs[index] = nil
        }
    }

    private func claim() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while nextParse >= readCount && !readingDone { condition.wait() }
        guard nextParse < readCount else { return nil }
        nextParse += 1
        return nextParse - 1
    }

    /// The parses in order, or the first read failure.
    func results() throws -> [ManifestParser.FileResult] {
        var results: [ManifestParser.FileResult] = []
        results.reserveCapacity(files.count)
        for index in files.indices {
            if case .failure(let error)? = inputs[index] { throw error }
            results.append(outputs[index]!)
        }
        return results
    }

    func release() {
        inputs.deinitialize()
        inputs.deallocate()
        outputs.deinitialize()
        outputs.deallocate()
    }
}
