import Foundation

/// A consistent copy of the file event log while appends continue: every segment is copied up to
/// the size it had when its copy began, and a `.jsonl` segment is cut after its last newline, so
/// the copy is a prefix of the hash chain with no torn record. Only the last segment grows;
/// earlier ones never change once the log has rotated past them.
enum EventLogSnapshot {
    /// Copies the regular files of `directory` into `target` (created); returns files and bytes copied.
    @discardableResult
    static func copy(from directory: String, to target: String) throws -> (files: Int, bytes: Int64) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BackupError("the event log folder \(directory) does not exist")
        }
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var files = 0, bytes: Int64 = 0
        for name in names {
            let source = (directory as NSString).appendingPathComponent(name)
            let attributes = try? FileManager.default.attributesOfItem(atPath: source)
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            bytes += try copyPrefix(source, to: (target as NSString).appendingPathComponent(name), wholeLines: name.hasSuffix(".jsonl"))
            files += 1
        }
        return (files, bytes)
    }

    /// Copies `source` up to its size now (cut after the last newline when `wholeLines`); returns bytes written.
    private static func copyPrefix(_ source: String, to destination: String, wholeLines: Bool) throws -> Int64 {
        guard let input = FileHandle(forReadingAtPath: source) else { throw BackupError("cannot read \(source)") }
        defer { try? input.close() }
        var info = stat()
        guard fstat(input.fileDescriptor, &info) == 0 else { throw BackupError("cannot stat \(source)") }
        var remaining = Int64(info.st_size)
        guard FileManager.default.createFile(atPath: destination, contents: nil),
              let output = FileHandle(forWritingAtPath: destination)
        else { throw BackupError("cannot write the snapshot file \(destination)") }
        defer { try? output.close() }
        var written: Int64 = 0
        var lastNewline: Int64 = -1
        while remaining > 0, let chunk = try input.read(upToCount: Int(min(remaining, 1 << 20))), !chunk.isEmpty {
            if wholeLines, let index = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                lastNewline = written + Int64(index - chunk.startIndex)
            }
            try output.write(contentsOf: chunk)
            written += Int64(chunk.count)
            remaining -= Int64(chunk.count)
        }
        if wholeLines, lastNewline + 1 < written {
            try output.truncate(atOffset: UInt64(lastNewline + 1))
            written = lastNewline + 1
        }
        try output.synchronize()
        return written
    }
}
