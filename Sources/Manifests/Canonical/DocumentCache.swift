import Foundation

/// A manifest as canonical JSON with the hash of its canonical bytes (what gets applied and compared).
public struct CanonicalDocument: Sendable, Hashable {
    public let document: JSONValue
    public let hash: String

    /// Encodes `manifest`; nil when it does not encode.
    public init?<T: Encodable>(_ manifest: T) {
        guard let document = try? CanonicalJSON.value(of: manifest) else { return nil }
        self.document = document
        hash = ContentHash.sha256Hex(document.canonicalBytes)
    }
}

/// Canonical documents memoised by the decoding a manifest came from (`ParseIdentity`, plus the
/// resolved version and adapter for a deployment), so a pass over unchanged manifests does not
/// encode and hash them again. Shared by copies of a `Fleet`; holds what the last build asked for.
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

    private let lock = NSLock()
    private var current: [Key: CanonicalDocument?] = [:]
    private var previous: [Key: CanonicalDocument?] = [:]

    public init() {}

    /// Runs one build: documents it does not ask for are dropped afterwards.
    public func build<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        previous = current
        current = [:]
        current.reserveCapacity(previous.count)
        defer { previous = [:] }
        return try body()
    }

    /// The document of `manifest`, made from `key` (nil: not memoised); call inside `build`.
    public func document<M: Encodable>(_ manifest: M, key: Key?) -> CanonicalDocument? {
        guard let key else { return CanonicalDocument(manifest) }
        if let known = current[key] { return known }
        let found: CanonicalDocument?
        if let cached = previous[key] { found = cached } else { found = CanonicalDocument(manifest) }
        current[key] = .some(found)
        return found
    }
}
