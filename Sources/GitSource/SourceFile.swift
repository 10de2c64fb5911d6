/// A regular file in a snapshot: where it is, which blob holds it and how big it is.
public struct SourceFile: Sendable, Hashable, Codable {
    /// The path relative to the repository root, `/`-separated.
    public let path: String
    /// The full 40-hex id of the blob; an unchanged id means unchanged content.
    public let blobId: String
    /// The size in bytes, read from the object header; nil when the listing did not read headers.
    public let size: Int?
    /// Whether git records the file as executable (mode 100755).
    public let executable: Bool

    /// Makes a file entry from its parts.
    public init(path: String, blobId: String, size: Int?, executable: Bool = false) {
        self.path = path
        self.blobId = blobId
        self.size = size
        self.executable = executable
    }
}
