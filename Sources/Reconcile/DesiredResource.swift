import Manifests

/// A resource as Git wants it in one environment.
public struct DesiredResource: Sendable, Hashable {
    public var key: ResourceKey
    /// `{apiVersion, kind, metadata, spec}` as canonical JSON.
    public var document: JSONValue
    public var specHash: String
    public var version: String?
    /// The commit that last changed this resource (carried over while its hash is unchanged).
    public var commit: String

    public init(key: ResourceKey, document: JSONValue, specHash: String, version: String?, commit: String) {
        self.key = key
        self.document = document
        self.specHash = specHash
        self.version = version
        self.commit = commit
    }
}
