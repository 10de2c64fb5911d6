import Actions
import Dispatch
import Foundation
import Manifests
import Synchronization

/// The hashes of canonical documents, kept on disk between processes (`.steward/cache/document-hashes`)
/// so that a fresh `steward diff` of a converged fleet compares hashes without encoding and hashing
/// every manifest again (at 10,000 manifests that was a sixth of its CPU time). Keyed by content:
/// blob id, the line the document starts on, and for a resolved Deployment the version and
/// adapter resolution filled in. A hash is a function of that content and of the code that encoded
/// it, so the file names the executable that wrote it (device, inode, size, modification time):
/// another build's file is ignored, and overwritten at the next save.
///
/// Written by processes that save caches (the controller), after a pass made the desired state;
/// read only by those that do not (`diff`, `explain`, `rollout`, previews): what the controller
/// applies is always hashed from the manifests themselves, so the file can mislead a preview at
/// worst, never an apply. A file that cannot be read is an empty memo; a save is best effort
/// (written whole to a temporary name, then renamed), and skipped when the file holds it already.
final class DocumentHashMemo: @unchecked Sendable {
    /// A document: the blob of its file and the line it starts on.
    struct Key: Hashable {
        var blob: String
        var line: Int
    }

    let file: String
    let saving: Bool
    /// What the file held, for a process that does not save (read on another thread: `entries`
    /// waits for it).
    private let loaded = Mutex<[Key: Resource.KnownHashes]>([:])
    private let loading = DispatchGroup()
    private let saved = Mutex<String?>(nil)
    /// The commit whose hashes were last saved (`ParseCache.saveHashes`).
    var lastSaved: String? {
        get { saved.withLock { $0 } }
        set { saved.withLock { $0 = newValue } }
    }

    /// A process that does not save starts reading `file` on another thread; one that saves reads
    /// nothing from it.
    init(file: String, saving: Bool) {
        self.file = file
        self.saving = saving
        guard !saving else { return }
        loading.enter()
        DispatchQueue.global().async { [self] in
            let entries = Self.decode(FileManager.default.contents(atPath: file).map { [UInt8]($0) } ?? [], identity: Self.executableIdentity)
            loaded.withLock { $0 = entries }
            loading.leave()
        }
    }

    /// Gives the resources of a file's parse the hashes recorded for them (a process that saves
    /// has none: it hashes what it applies itself).
    func seed(_ resources: [Resource], blob: String) {
        guard !saving else { return }
        let entries = entries
        guard !entries.isEmpty else { return }
        for resource in resources {
            if let known = entries[Key(blob: blob, line: resource.position.line)] { resource.seed(known) }
        }
    }

    /// Writes the hashes made for the parses of `files` (each under the blob it was parsed from)
    /// unless the file holds them already. `resolved`: hashes of resolved documents by decoding
    /// (`DocumentCache.madeHashes`).
    func save(_ files: [(blob: String, resources: [Resource])], resolved: [ParseIdentity: [Resolution: String]]) {
        guard saving else { return }
        var memo: [Key: Resource.KnownHashes] = [:]
        memo.reserveCapacity(files.count)
        for (blob, resources) in files {
            for resource in resources {
                var known = resource.knownHashes
                if let more = resolved[resource.identity] { known.resolved.merge(more) { mine, _ in mine } }
                known.resolved = known.resolved.filter { Self.writable($0.key.version) && Self.writable($0.key.runtimeAdapter) }
                guard known.specHash != nil || known.document != nil || !known.resolved.isEmpty else { continue }
                memo[Key(blob: blob, line: resource.position.line)] = known
            }
        }
        let bytes = Self.encode(memo, identity: Self.executableIdentity)
        guard FileManager.default.contents(atPath: file).map({ [UInt8]($0) }) != bytes else { return }
        AtomicFile.replaceCache(path: file, bytes: bytes)
    }

    /// Drops what the file held: the parses of the commit it was saved for are seeded (a later
    /// commit's new blobs are not in it).
    func release() {
        loading.wait()
        loaded.withLock { $0 = [:] }
    }

    private var entries: [Key: Resource.KnownHashes] {
        loading.wait()
        return loaded.withLock { $0 }
    }

    /// Which build of Steward this process runs: its executable's device, inode, size and
    /// modification time (a rebuild or reinstall changes them).
    static let executableIdentity: String = {
        var status = stat()
        guard stat("/proc/self/exe", &status) == 0 else { return "unknown \(UUID())" }   // never matches a saved file
        return "\(status.st_dev) \(status.st_ino) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
    }()

    static let magic = "steward document hashes 1"

    /// The file: a header line (magic, identity), then a line a document:
    /// `blob line spec document version adapter hash…`, `-` for what is not there; resolved
    /// documents as extra `version adapter hash` triples.
    static func encode(_ memo: [Key: Resource.KnownHashes], identity: String) -> [UInt8] {
        var text = "\(magic) \(identity)\n"
        text.reserveCapacity(memo.count * 180)
        for (key, known) in memo.sorted(by: { ($0.key.blob, $0.key.line) < ($1.key.blob, $1.key.line) }) {
            text += "\(key.blob) \(key.line) \(known.specHash ?? "-") \(known.document ?? "-")"
            for (resolution, hash) in known.resolved.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                text += " \(field(resolution.version)) \(field(resolution.runtimeAdapter)) \(hash)"
            }
            text += "\n"
        }
        return Array(text.utf8)
    }

    /// The entries of a file written by `identity`'s build; a line that does not read is skipped,
    /// another build's file (or no file) is empty. Read as bytes: only the fields kept become strings.
    static func decode(_ bytes: [UInt8], identity: String) -> [Key: Resource.KnownHashes] {
        let header = Array("\(magic) \(identity)\n".utf8)
        guard bytes.starts(with: header) else { return [:] }
        var memo: [Key: Resource.KnownHashes] = [:]
        memo.reserveCapacity(bytes.count / 150)
        bytes.withUnsafeBufferPointer { all in
            var fields: [Range<Int>] = []
            var start = header.count
            while start < all.count {
                var end = start
                while end < all.count, all[end] != UInt8(ascii: "\n") { end += 1 }
                fields.removeAll(keepingCapacity: true)
                var field = start
                for at in start...end where at == end || all[at] == UInt8(ascii: " ") {
                    if at > field { fields.append(field..<at) }
                    field = at + 1
                }
                if let (key, known) = entry(all, fields) { memo[key] = known }
                start = end + 1
            }
        }
        return memo
    }

    /// One line's entry: `blob line spec document` and `version adapter hash` triples.
    private static func entry(_ all: UnsafeBufferPointer<UInt8>, _ fields: [Range<Int>]) -> (Key, Resource.KnownHashes)? {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: all[range]), as: UTF8.self) }
        func isNone(_ range: Range<Int>) -> Bool { range.count == 1 && all[range.lowerBound] == UInt8(ascii: "-") }
        func isHash(_ range: Range<Int>) -> Bool {
            range.count == 64 && all[range].allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        }
        func hash(_ range: Range<Int>) -> String?? { isNone(range) ? .some(nil) : isHash(range) ? .some(text(range)) : nil }
        guard fields.count >= 4, (fields.count - 4) % 3 == 0, fields[1].count <= 9,
              all[fields[1]].allSatisfy({ (48...57).contains($0) }), let line = Int(text(fields[1])),
              case .some(let spec) = hash(fields[2]), case .some(let document) = hash(fields[3]) else { return nil }
        var known = Resource.KnownHashes(specHash: spec, document: document)
        for at in stride(from: 4, to: fields.count, by: 3) {
            guard isHash(fields[at + 2]) else { return nil }
            known.resolved[Resolution(version: value(text(fields[at])), runtimeAdapter: value(text(fields[at + 1])))] = text(fields[at + 2])
        }
        return (Key(blob: text(fields[0]), line: line), known)
    }

    /// Whether a version or adapter name can be written in a line (resolution fills in validated
    /// ones, which never hold spaces; one that would is left out of the memo).
    private static func writable(_ text: String?) -> Bool {
        text.map { !$0.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) } ?? true
    }

    /// A version or adapter name in a line (`-` is none, `~` quotes a name that starts with `-` or `~`).
    private static func field(_ text: String?) -> String {
        guard let text else { return "-" }
        return text.hasPrefix("-") || text.hasPrefix("~") ? "~" + text : text
    }

    private static func value(_ field: String) -> String? {
        field == "-" ? nil : field.hasPrefix("~") ? String(field.dropFirst()) : field
    }
}
