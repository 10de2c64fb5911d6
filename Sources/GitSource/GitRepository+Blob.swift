import CLibgit2

extension GitRepository {
    /// The bytes of a blob, refused with `.blobTooLarge` (content unread) when its header says it is over `limit`.
    ///
    /// `path` only names the file in error messages.
    public func readBlob(_ blobId: String, path: String, limit: Int = 1 << 20) throws -> [UInt8] {
        let (oid, length) = try ObjectId.parse(blobId, what: "blob")
        guard length == 40 else {
            throw GitError(.notFound, "\(path): blob id '\(blobId)' is abbreviated; give all 40 hex digits")
        }
        let header = try handle.objectDatabase().header(oid, what: "\(path): blob \(blobId) not found")
        guard header.type == GIT_OBJECT_BLOB else {
            throw GitError(.notFound, "\(path): object \(blobId) is not a blob")
        }
        guard header.size <= limit else {
            throw GitError(.blobTooLarge, "\(path): file is \(header.size) bytes, above the \(limit)-byte limit")
        }
        let blob = try handle.lookup(oid, type: GIT_OBJECT_BLOB, what: "\(path): cannot read blob \(blobId)")
        let size = Int(git_blob_rawsize(blob.pointer))
        guard size > 0, let content = git_blob_rawcontent(blob.pointer) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }
}
