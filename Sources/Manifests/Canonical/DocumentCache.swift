import Foundation
import Synchronization

/// A manifest as canonical JSON with the hash of its canonical bytes (what gets applied and compared).
/// The hash is known from the start; when it came from elsewhere (`init(hash:encoding:)`: a memo an
/// earlier process saved), the document is made when first asked for, and then kept.
public struct CanonicalDocument: Sendable, Hashable {
    public let hash: String
    private let made: Made

    /// The document: made already, or made at most once for every copy of this value.
    private final class Made: Sendable {
        private let eager: JSONValue?
        private let lazy = Mutex<JSONValue?>(nil)
        private let make: (@Sendable () -> JSONValue)?

        init(_ document: JSONValue) {
            eager = document
            make = nil
        }

        init(making make: @escaping @Sendable () -> JSONValue) {
            eager = nil
            self.make = make
        }

        var document: JSONValue {
            if let eager { return eager }
            if let made = lazy.withLock({ $0 }) { return made }
            let document = make?() ?? .null   // outside the lock: another caller may make it too, to the same value
            lazy.withLock { $0 = $0 ?? document }
            return document
        }
    }

    /// `{apiVersion, kind, metadata, spec}` as canonical JSON.
    public var document: JSONValue { made.document }

    /// Encodes `manifest`; nil when it does not encode.
    public init?<T: Encodable>(_ manifest: T) {
        guard let document = try? CanonicalJSON.value(of: manifest) else { return nil }
        made = Made(document)
        hash = ContentHash.sha256Hex(document.canonicalBytes)
    }

    /// `document` with the hash its caller gives it.
    public init(document: JSONValue, hash: String) {
        self.hash = hash
        made = Made(document)
    }

    /// A document whose hash is known already (of `manifest`'s canonical bytes, recorded by a
    /// process that encoded it); `manifest` is encoded only when the document is asked for. A
    /// manifest that no longer encodes (which the hash rules out) gives `null`.
    public init<T: Encodable & Sendable>(hash: String, encoding manifest: T) {
        self.hash = hash
        made = Made(making: { (try? CanonicalJSON.value(of: manifest)) ?? .null })
    }

    /// Equal hashes are equal canonical bytes.
    public static func == (lhs: CanonicalDocument, rhs: CanonicalDocument) -> Bool { lhs.hash == rhs.hash }
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

/// Canonical documents of manifests that are not a decoded resource's own (a Deployment whose
/// resolution filled in its version or adapter), memoised by the decoding they came from
/// (`ParseIdentity`, plus the resolved version and adapter), so a pass over unchanged manifests
/// does not encode and hash them again. Shared by copies of a `Fleet`; holds what the last build
/// asked for. (A resource's own document is memoised with it: `Resource.canonicalDocument`.)
public final class DocumentCache: @unchecked Sendable {
    /// What a document was made from.
    public struct Key: Hashable, Sendable {
        var identity: ParseIdentity
        var version: String?
        var runtimeAdapter: String?

        public init(_ identity: ParseIdentity, version: String? = nil, runtimeAdapter: String? = nil) {
            (self.identity, self.version, self.runtimeAdapter) = (identity, version, runtimeAdapter)
        }
    }

    /// A document and the last build that asked for it (a class: a hit marks it without writing the table).
    private final class Entry {
        let document: CanonicalDocument?
        var build: Int

        init(_ document: CanonicalDocument?, build: Int) {
            self.document = document
            self.build = build
        }
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var builds = 0
    private var asked = 0

    public init() {}

    /// Runs one build: documents it does not ask for are dropped afterwards.
    public func build<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        builds += 1
        asked = 0
        defer {
            if entries.count > 2 * asked {   // bounded: at most twice what the last build used
                let build = builds
                entries = entries.filter { $0.value.build == build }
            }
        }
        return try body()
    }

    /// The hashes of the documents held, by the decoding they were made from (for a memo that
    /// outlives this process: `Resource.seed`).
    public func madeHashes() -> [ParseIdentity: [Resolution: String]] {
        lock.lock()
        defer { lock.unlock() }
        var hashes: [ParseIdentity: [Resolution: String]] = [:]
        for (key, entry) in entries {
            guard let hash = entry.document?.hash else { continue }
            hashes[key.identity, default: [:]][Resolution(version: key.version, runtimeAdapter: key.runtimeAdapter)] = hash
        }
        return hashes
    }

    /// A manifest to make a document of, and what it was made from (nil: not memoised).
    public struct Request: Sendable {
        let manifest: any Encodable & Sendable
        let key: Key?

        public init(_ manifest: any Encodable & Sendable, key: Key?) {
            self.manifest = manifest
            self.key = key
        }
    }

    /// The document made from `key` in this or an earlier build (marked as asked for), nil when
    /// none is cached; `.some(nil)`: the manifest did not encode. Call inside `build`.
    public func cached(_ key: Key) -> CanonicalDocument?? {
        guard let known = entries[key] else { return nil }
        if known.build != builds {
            known.build = builds
            asked += 1
        }
        return .some(known.document)
    }

    /// The documents of `requests`, in order; those not cached are made on every core when there
    /// are many (a cold cache). Call inside `build`.
    public func documents(_ requests: [Request]) -> [CanonicalDocument?] {
        var results = [CanonicalDocument?](repeating: nil, count: requests.count)
        var missing: [Int] = []
        var firstOfKey: [Key: Int] = [:]   // a key asked twice is made once
        var repeats: [(index: Int, first: Int)] = []
        for (index, request) in requests.enumerated() {
            guard let key = request.key else { missing.append(index); continue }
            if let known = cached(key) {
                results[index] = known
            } else if let first = firstOfKey[key] {
                repeats.append((index, first))
            } else {
                firstOfKey[key] = index
                missing.append(index)
            }
        }
        let made = ConcurrentMap.map(missing) { CanonicalDocument(requests[$0].manifest) }
        for (index, document) in zip(missing, made) {
            results[index] = document
            if let key = requests[index].key {
                entries[key] = Entry(document, build: builds)
                asked += 1
            }
        }
        for (index, first) in repeats { results[index] = results[first] }
        return results
    }
}
