import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The memo's file: a magic line, then 80-byte records (path digest, content digest, identity,
/// when the file was read), little-endian. Written whole to a temporary name and renamed; a file
/// that is not one of these, or a truncated record, is ignored as far as it goes.
extension LocalProbeMemo {
    static let magic = Array("steward probe memo 1\n".utf8)
    static let recordSize = 80

    /// Starts from the entries saved in `file` (those this process knows better are kept), and
    /// saves to it from now on when `saving`. Attaching to the file attached already loads nothing.
    func attach(_ file: String, saving: Bool = true) {
        guard saved.withLock({ state in
            state.saving = saving
            guard state.file != file else { return false }
            state.file = file
            return true
        }) else { return }
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let loaded = Self.decode([UInt8](data))
        entries.withLock { current in current.merge(loaded) { mine, _ in mine } }
    }

    /// Forgets every entry and the attached file (unsaved entries are lost).
    func detach() {
        saved.withLock { $0 = Saved() }
        forgetAll()
    }

    /// Writes the entries to the attached file when they changed since it was read or written.
    /// Best effort: a memo that cannot be saved costs the next process its reads, nothing else.
    func save() {
        guard let file = saved.withLock({ state -> String? in
            guard state.dirty, state.saving, let file = state.file else { return nil }
            state.dirty = false
            return file
        }) else { return }
        AtomicFile.replaceCache(path: file, bytes: Self.encode(entries.withLock { $0 }))
    }

    static func encode(_ entries: [Digest: Entry]) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(magic.count + entries.count * recordSize)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        for (path, entry) in entries {
            put(path.a); put(path.b); put(entry.content.a); put(entry.content.b)
            let identity = entry.identity
            put(identity.device); put(identity.inode); put(identity.size); put(identity.modified); put(identity.changed)
            put(entry.checkedAt.bitPattern)
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [Digest: Entry] {
        guard bytes.starts(with: magic) else { return [:] }
        let count = (bytes.count - magic.count) / recordSize
        var entries = [Digest: Entry](minimumCapacity: count)
        bytes.withUnsafeBytes { raw in
            for record in 0..<count {
                var offset = magic.count + record * recordSize
                func take() -> UInt64 {
                    defer { offset += 8 }
                    return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                }
                let path = Digest(a: take(), b: take())
                let content = Digest(a: take(), b: take())
                let identity = Identity(device: take(), inode: take(), size: Int64(bitPattern: take()),
                                        modified: Int64(bitPattern: take()), changed: Int64(bitPattern: take()))
                entries[path] = Entry(identity: identity, content: content, checkedAt: Double(bitPattern: take()))
            }
        }
        return entries
    }
}
