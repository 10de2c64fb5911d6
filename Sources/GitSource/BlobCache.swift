import CLibgit2
import Crypto
import Foundation
import Synchronization

/// Blobs kept on disk between processes, so a fresh `steward diff` or a restarted controller does
/// not inflate every manifest out of the repository's packs again (at 10,000 manifests, with
/// delta chains, reading them was half of `diff`'s time). Keyed by blob id; each entry's bytes
/// are checked against the SHA-256 recorded when they were read from git (hardware-accelerated,
/// where git's collision-detecting SHA-1 took 70 ms of a 10,000-blob `diff`): an entry whose bytes
/// are not what was recorded (a torn append, a truncation, another writer's compaction) is a
/// miss, read from git as before. A cache that cannot be read or written is an empty one.
///
/// Two append-only files in `directory`: `data` (blob bytes) and `index` (64-byte records: raw oid,
/// offset, size, SHA-256 of the bytes). Writers hold an exclusive `flock` on `lock` while they
/// append or compact.
public final class BlobCache: @unchecked Sendable {
    struct Entry {
        var offset: Int
        var size: Int
        var digest: Digest
    }

    /// A SHA-256, as four words.
    struct Digest: Equatable {
        var words: (UInt64, UInt64, UInt64, UInt64)

        init(_ raw: UnsafeRawBufferPointer) {
            words = (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                     raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }

        init(of bytes: [UInt8]) { self = SHA256.hash(data: bytes).withUnsafeBytes { Digest($0) } }

        static func == (lhs: Digest, rhs: Digest) -> Bool { lhs.words == rhs.words }

        func append(to bytes: inout [UInt8]) { withUnsafeBytes(of: words) { bytes += $0 } }
    }

    struct Key: Hashable {
        var a: UInt64, b: UInt64, c: UInt32

        init(_ oid: git_oid) {
            var copy = oid
            (a, b, c) = withUnsafeBytes(of: &copy.id) { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            }
        }

        /// The key of a full 40-hex blob id; nil for anything else.
        init?(_ blobId: String) {
            guard blobId.utf8.count == 40, let (oid, _) = try? ObjectId.parse(blobId, what: "blob") else { return nil }
            self.init(oid)
        }

        /// The raw oid, as an index record holds it.
        func append(to bytes: inout [UInt8]) { withUnsafeBytes(of: (a, b, c)) { bytes += $0.prefix(20) } }
    }

    static let recordSize = 64
    /// Past this many blobs that the current tree no longer holds (and past the live ones), the
    /// files are started again with the live blobs only.
    public static let minimumDead = 1024
    static let chunkBytes = 1 << 20

    public let directory: String
    /// Reads only: `add` does nothing (a read command writes nothing, caches included).
    public let readOnly: Bool
    private let entries = Mutex<[Key: Entry]>([:])
    /// The size of `index` when this process last read or wrote it: a larger one holds other
    /// processes' appends.
    private let indexSize = Atomic<Int>(0)
    /// `data` open for reading, once it exists.
    private let data = Atomic<Int32>(-1)

    /// Opens the cache in `directory`; missing or unreadable files make an empty cache.
    public init(directory: String, readOnly: Bool = false) {
        self.directory = directory
        self.readOnly = readOnly
        data.store(open(directory + "/data", O_RDONLY | O_CLOEXEC), ordering: .relaxed)
        let index = Self.readAll(directory + "/index")
        entries.withLock { Self.merge(index, into: &$0) }
        indexSize.store(index.count, ordering: .relaxed)
    }

    deinit {
        let descriptor = data.load(ordering: .relaxed)
        if descriptor >= 0 { close(descriptor) }
    }

    public var count: Int { entries.withLock { $0.count } }

    /// Forgets the index and closes the data file: every later read misses.
    public func release() {
        entries.withLock { $0 = [:] }
        let descriptor = data.exchange(-1, ordering: .relaxed)
        if descriptor >= 0 { close(descriptor) }
    }

    /// The bytes of `blobId` when the cache holds them as they were recorded (their SHA-256), and
    /// no larger than `limit`.
    public func bytes(_ blobId: String, limit: Int) -> [UInt8]? {
        guard let key = Key(blobId) else { return nil }
        return bytes(key, limit: limit)
    }

    private func bytes(_ key: Key, limit: Int) -> [UInt8]? {
        let data = data.load(ordering: .relaxed)
        guard data >= 0, let entry = entries.withLock({ $0[key] }), entry.size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: entry.size)
        let read = bytes.withUnsafeMutableBytes { pread(data, $0.baseAddress, entry.size, off_t(entry.offset)) }
        guard read == entry.size, Digest(of: bytes) == entry.digest else { return nil }
        return bytes
    }

    /// Appends `blobs` (read from git since the cache was opened); when more than `minimumDead` and
    /// more than half of the cached blobs are not in `live`, starts the files again with the live
    /// blobs it holds. Best effort: a failure leaves the cache as it was or empty.
    public func add(_ blobs: [(id: String, bytes: [UInt8])], live: [String]) {
        guard !readOnly, !blobs.isEmpty else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { return }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { return }
        let appendTo = open(directory + "/data", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        let indexTo = open(directory + "/index", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        defer {
            if appendTo >= 0 { close(appendTo) }
            if indexTo >= 0 { close(indexTo) }
        }
        guard appendTo >= 0, indexTo >= 0 else { return }
        // What other processes appended since this one last read or wrote the index.
        var size = Int(lseek(indexTo, 0, SEEK_END))
        if size != indexSize.load(ordering: .relaxed) {
            let index = Self.readAll(directory + "/index")
            entries.withLock { Self.merge(index, into: &$0) }
            size = index.count
        }
        let liveKeys = Set(live.compactMap(Key.init))
        let adding = blobs.compactMap { blob in Key(blob.id).map { (key: $0, bytes: blob.bytes) } }
        var keep: [(key: Key, bytes: [UInt8])] = []
        let dead = entries.withLock { current in current.keys.reduce(0) { $0 + (liveKeys.contains($1) ? 0 : 1) } }
        var offset = Int(lseek(appendTo, 0, SEEK_END))
        if dead > Self.minimumDead, dead * 2 > count {
            let fresh = Set(adding.map(\.key))
            for key in liveKeys where !fresh.contains(key) {
                if let bytes = bytes(key, limit: .max) { keep.append((key, bytes)) }
            }
            guard ftruncate(indexTo, 0) == 0, ftruncate(appendTo, 0) == 0 else { return }
            entries.withLock { $0 = [:] }
            offset = 0
        } else {
            // A torn record at the end would shift every record after it.
            _ = ftruncate(indexTo, off_t(size / Self.recordSize * Self.recordSize))
        }
        // The bytes go out in chunks of about `chunkBytes`, not in one copy of them all.
        var chunk: [UInt8] = []
        var records: [UInt8] = []
        var added: [(Key, Entry)] = []
        for blob in keep + adding {
            let entry = Entry(offset: offset + chunk.count, size: blob.bytes.count, digest: Digest(of: blob.bytes))
            chunk += blob.bytes
            blob.key.append(to: &records)
            withUnsafeBytes(of: UInt64(entry.offset).littleEndian) { records += $0 }
            withUnsafeBytes(of: UInt32(entry.size).littleEndian) { records += $0 }
            entry.digest.append(to: &records)
            added.append((blob.key, entry))
            if chunk.count >= Self.chunkBytes {
                guard Self.write(chunk, to: appendTo, at: offset) else { return }
                offset += chunk.count
                chunk.removeAll(keepingCapacity: true)
            }
        }
        // The index last: a record never points at bytes not written yet.
        guard Self.write(chunk, to: appendTo, at: offset),
              Self.write(records, to: indexTo, at: Int(lseek(indexTo, 0, SEEK_END))) else { return }
        entries.withLock { current in for (key, entry) in added { current[key] = entry } }
        indexSize.store(Int(lseek(indexTo, 0, SEEK_END)), ordering: .relaxed)
        if data.load(ordering: .relaxed) < 0 { data.store(open(directory + "/data", O_RDONLY | O_CLOEXEC), ordering: .relaxed) }
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32, at offset: Int) -> Bool {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            guard wrote > 0 else { return false }
            done += wrote
        }
        return true
    }

    private static func readAll(_ path: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return [UInt8](data)
    }

    /// Adds the whole records of `index` (a later record for a blob wins).
    private static func merge(_ index: [UInt8], into entries: inout [Key: Entry]) {
        let count = index.count / recordSize
        entries.reserveCapacity(count)
        index.withUnsafeBytes { raw in
            for record in 0..<count {
                let base = record * recordSize
                var oid = git_oid()
                withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[base..<base + 20])) }
                let offset = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 20, as: UInt64.self))
                let size = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 28, as: UInt32.self))
                let digest = Digest(UnsafeRawBufferPointer(rebasing: raw[base + 32..<base + 64]))
                entries[Key(oid)] = Entry(offset: Int(offset), size: Int(size), digest: digest)
            }
        }
    }
}
