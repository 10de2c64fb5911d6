/// Limits applied to YAML before and while it is decoded (DESIGN §2).
public struct YAMLLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes.
    public var maxFileBytes: Int = 1 << 20
    /// Deepest nesting of mappings and lists.
    public var maxDepth: Int = 64
    /// Most documents in one file.
    public var maxDocuments: Int = 1_000
    /// Most nodes produced by expanding aliases in one document.
    public var maxAliasExpansion: Int = 10_000

    public init() {}

    public static let standard = YAMLLimits()
}
