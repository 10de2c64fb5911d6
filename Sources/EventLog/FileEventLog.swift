import Foundation
import Manifests

/// The event log as JSON lines in a folder (used with SQLite): segments `events-000001.jsonl`,
/// rotated by size, each append fsynced before it returns.
public final class FileEventLog: @unchecked Sendable {
    public let directory: String
    public let segmentBytes: Int
    private let lock = NSLock()
    /// The segment appends go to; nil when the log was opened for reading only.
    private var current: SegmentWriter?
    /// nil when the last line cannot be read: appends are refused until the log is repaired.
    private var _head: ChainHead?

    /// Opens (or creates) the log; a torn last line is truncated and a `warning` event appended.
    public init(directory: String, segmentBytes: Int = 16 << 20) throws {
        self.directory = directory
        self.segmentBytes = max(1024, segmentBytes)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let segments = try Self.segmentNumbers(in: directory)
        let number = segments.last ?? 1
        let path = Self.path(directory, number)
        let torn = try Self.truncateTornTail(path)
        current = try SegmentWriter(path: path, number: number)
        _head = try Self.lastRecord(in: directory, segments: segments)
        if torn > 0 {
            _ = try append([NewEvent(type: .warning, reason: "TornLineTruncated",
                                     message: "truncated a torn last line of \(torn) bytes in \((path as NSString).lastPathComponent) at start")])
        }
    }

    /// Opens the log for reading only: nothing is created, truncated or appended (read commands,
    /// DESIGN §7). A missing folder is an empty log; a torn last line is left for `steward run` to cut.
    public init(readingOnly directory: String, segmentBytes: Int = 16 << 20) throws {
        self.directory = directory
        self.segmentBytes = max(1024, segmentBytes)
        current = nil
        guard FileManager.default.fileExists(atPath: directory) else {
            _head = .empty
            return
        }
        let segments = try Self.segmentNumbers(in: directory)
        _head = (try? Self.lastRecord(in: directory, segments: segments)) ?? nil
    }

    public var head: ChainHead { lock.withLock { _head ?? .empty } }

    /// Seals and appends events, then fsyncs once.
    @discardableResult
    public func append(_ events: [NewEvent]) throws -> [EventRecord] {
        try appendSealed(events).map(\.record)
    }

    /// `append`, returning each record with its line as written.
    public func appendSealed(_ events: [NewEvent]) throws -> [SealedRecord] {
        guard !events.isEmpty else { return [] }
        return try lock.withLock {
            guard var current else { throw EventLogError(message: "the event log in \(directory) was opened for reading only") }
            defer { self.current = current }
            try followOtherWriters(&current)
            guard let head = _head else {
                throw EventLogError(message: "the event log in \(directory) ends with a record that cannot be read; run steward verify-log")
            }
            let records = EventChain.sealed(events, after: head)
            // The lines bound for one segment go in one write.
            var pending: [UInt8] = []
            for sealed in records {
                let length = sealed.line.count + 1
                if current.size + pending.count > 0, current.size + pending.count + length > segmentBytes {
                    try current.write(pending)
                    pending.removeAll(keepingCapacity: true)
                    try current.sync()
                    current = try SegmentWriter(path: Self.path(directory, current.number + 1), number: current.number + 1)
                }
                pending += sealed.line
                pending.append(UInt8(ascii: "\n"))
            }
            try current.write(pending)
            try current.sync()
            if let last = records.last?.record { _head = ChainHead(seq: last.seq, hash: last.hash) }
            return records
        }
    }

    /// Another process appended since this one last did (a CLI command recording under SQLite's
    /// write lock, which serialises every append to the log): continue after its records.
    private func followOtherWriters(_ current: inout SegmentWriter) throws {
        let rotated = FileManager.default.fileExists(atPath: Self.path(directory, current.number + 1))
        guard rotated || current.sizeOnDisk() != current.size else { return }
        let segments = try Self.segmentNumbers(in: directory)
        if rotated, let last = segments.last { current = try SegmentWriter(path: Self.path(directory, last), number: last) }
        current.followSizeOnDisk()
        _head = try Self.lastRecord(in: directory, segments: segments)
    }

    /// Records with `seq > since`, in order.
    public func read(since seq: Int64 = 0, limit: Int? = nil) throws -> [EventRecord] {
        var records: [EventRecord] = []
        try forEachRecord { record in
            if record.seq > seq { records.append(record) }
            return limit.map { records.count < $0 } ?? true
        }
        return records
    }

    /// Verifies the whole chain across segments.
    public func verify() throws -> ChainVerification {
        var verifier = EventChain.Verifier()
        var problem: ChainVerification?
        do {
            try forEachRecord { record in
                problem = verifier.check(record)
                return problem == nil
            }
        } catch let error as EventLogError {
            return .broken(seq: verifier.head.seq + 1, reason: error.message)
        }
        return problem ?? verifier.result
    }

    /// Calls `body` with each record in order until it returns false.
    private func forEachRecord(_ body: (EventRecord) throws -> Bool) throws {
        guard current != nil || FileManager.default.fileExists(atPath: directory) else { return }   // read-only, no log yet
        for number in try Self.segmentNumbers(in: directory) {
            let path = Self.path(directory, number)
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let goOn = try data.withUnsafeBytes { raw throws -> Bool in
                try Self.forEachLine(raw.bindMemory(to: UInt8.self)) { line, lineNumber in
                    guard let record = EventRecord(line: line) else {
                        throw EventLogError(message: "\((path as NSString).lastPathComponent):\(lineNumber): not a valid event record")
                    }
                    return try body(record)
                }
            }
            if !goOn { return }
        }
    }

    /// Calls `body` with each non-empty line of `bytes` and its number (counting non-empty lines
    /// from 1) until it returns false; returns false when it did. `Data.split` spent half of
    /// `verify-log` in exclusivity checks on a log of 44,000 lines.
    static func forEachLine(_ bytes: UnsafeBufferPointer<UInt8>,
                            _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Bool) rethrows -> Bool {
        var start = 0, lineNumber = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end > start {
                lineNumber += 1
                if try !body(UnsafeBufferPointer(rebasing: bytes[start..<end]), lineNumber) { return false }
            }
            start = end + 1
        }
        return true
    }
}

/// A problem reading the log.
public struct EventLogError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension FileEventLog {
    static func path(_ directory: String, _ number: Int) -> String {
        (directory as NSString).appendingPathComponent(String(format: "events-%06d.jsonl", number))
    }

    static func segmentNumbers(in directory: String) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name in
            guard name.hasPrefix("events-"), name.hasSuffix(".jsonl") else { return nil }
            return Int(name.dropFirst(7).dropLast(6))
        }.sorted()
    }

    /// Cuts anything after the last newline; returns how many bytes were cut.
    static func truncateTornTail(_ path: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty, data.last != UInt8(ascii: "\n") else { return 0 }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        guard truncate(path, off_t(keep)) == 0 else {
            throw EventLogError(message: "\(path): cannot truncate a torn last line: \(String(cString: strerror(errno)))")
        }
        return data.count - keep
    }

    /// The last non-empty line, found from the end (a segment holds many thousands of lines).
    /// The head of the chain from the last line; nil when that line is not a record.
    static func lastRecord(in directory: String, segments: [Int]) throws -> ChainHead? {
        for number in segments.reversed() {
            guard let line = lastLine(ofFile: path(directory, number)) else { continue }
            guard let record = EventRecord(line: line) else { return nil }
            return ChainHead(seq: record.seq, hash: record.hash)
        }
        return .empty
    }

    /// The last line of the file at `path` that is not empty (trailing line breaks are skipped);
    /// nil when there is none. Reads only as much of the file's end as that line needs, from
    /// `window` bytes on (a segment holds up to 16 MiB; every command that opens the log asks
    /// for its head).
    static func lastLine(ofFile path: String, window first: UInt64 = 64 << 10) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        var window = max(first, 1)
        while true {
            let start = size > window ? size - window : 0
            guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() ?? Data() else { return nil }
            let newline = UInt8(ascii: "\n")
            var end = data.endIndex
            while end > data.startIndex, data[end - 1] == newline { end -= 1 }
            if let before = data[..<end].lastIndex(of: newline) { return Data(data[(before + 1)..<end]) }
            // No line break before the last line in this window: it may start further back.
            if start == 0 { return end > data.startIndex ? Data(data[..<end]) : nil }
            window *= 4
        }
    }
}

/// An append-only segment file opened with O_APPEND.
private final class SegmentWriter {
    let number: Int
    private let fd: Int32
    private(set) var size: Int

    init(path: String, number: Int) throws {
        self.number = number
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw EventLogError(message: "\(path): cannot open: \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(fd, &info)
        size = Int(info.st_size)
    }

    deinit { close(fd) }

    /// The file's size now (other processes may have appended).
    func sizeOnDisk() -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : size
    }

    func followSizeOnDisk() { size = sizeOnDisk() }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            guard written > 0 else { throw EventLogError(message: "event log write failed: \(String(cString: strerror(errno)))") }
            offset += written
        }
        size += bytes.count
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw EventLogError(message: "event log fsync failed: \(String(cString: strerror(errno)))") }
    }
}
