import Manifests

/// A resource as Git wants it in one environment. Its fields live in one shared box (copy on
/// write): a pass copies thousands of these between maps.
public struct DesiredResource: Sendable, Hashable {
    private struct Fields: Sendable, Hashable {
        var key: ResourceKey
        /// Made when first asked for when its hash was known already (a converged `diff` asks for
        /// none: it compares hashes).
        var document: CanonicalDocument
        var specHash: String
        var version: String?
        var commit: String
    }

    @CopyOnWrite private var fields: Fields

    public var key: ResourceKey { get { fields.key } set { fields.key = newValue } }
    /// `{apiVersion, kind, metadata, spec}` as canonical JSON.
    public var document: JSONValue { fields.document.document }
    public var specHash: String { get { fields.specHash } set { fields.specHash = newValue } }
    public var version: String? { get { fields.version } set { fields.version = newValue } }
    /// The commit that last changed this resource (carried over while its hash is unchanged).
    public var commit: String { get { fields.commit } set { fields.commit = newValue } }

    public init(key: ResourceKey, document: JSONValue, specHash: String, version: String?, commit: String) {
        fields = Fields(key: key, document: CanonicalDocument(document: document, hash: specHash), specHash: specHash, version: version,
                        commit: commit)
    }

    /// The resource of `canonical`, whose hash is its spec hash.
    public init(key: ResourceKey, canonical: CanonicalDocument, version: String?, commit: String) {
        fields = Fields(key: key, document: canonical, specHash: canonical.hash, version: version, commit: commit)
    }

    public static func == (lhs: DesiredResource, rhs: DesiredResource) -> Bool { lhs._fields.shares(with: rhs._fields) || lhs.fields == rhs.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(fields) }
}
