import CLibgit2

/// A commit's signature block and the bytes it signs, as libgit2 splits them
/// (`git_commit_extract_signature`): the commit object without its `gpgsig` header.
public struct CommitSignature: Sendable, Hashable {
    /// The armored block: `-----BEGIN SSH SIGNATURE-----` or `-----BEGIN PGP SIGNATURE-----`.
    public var signature: String
    /// What was signed.
    public var payload: [UInt8]

    public enum Format: String, Sendable { case ssh, openpgp, unknown }

    public var format: Format {
        if signature.hasPrefix("-----BEGIN SSH SIGNATURE-----") { return .ssh }
        if signature.hasPrefix("-----BEGIN PGP SIGNATURE-----") { return .openpgp }
        return .unknown
    }

    public init(signature: String, payload: [UInt8]) {
        self.signature = signature
        self.payload = payload
    }
}

/// Signs a commit object's bytes; returns the armored signature for its `gpgsig` header.
public typealias CommitSigner = @Sendable ([UInt8]) throws -> String

extension GitRepository {
    /// The signature of commit `sha`, or nil when it carries none.
    public func signature(of sha: String) throws -> CommitSignature? {
        let commit = try lookupCommit(sha)
        var id = git_object_id(commit.pointer).pointee
        var signature = git_buf(), payload = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&payload)
        }
        LibGit2.initialise()
        git_error_clear()
        let result = git_commit_extract_signature(&signature, &payload, handle.pointer, &id, nil)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        guard result == 0 else { throw LibGit2.error(result, "cannot read the signature of commit \(sha.prefix(12))") }
        let block = signature.ptr.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: signature.size), as: UTF8.self) } ?? ""
        let bytes = payload.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: payload.size)) } ?? []
        return CommitSignature(signature: block, payload: bytes)
    }

    /// The commits reachable from `head` and not from `base` (all of them when `base` is nil), newest
    /// first; at most `limit`, and a longer history throws rather than being checked in part.
    public func commits(from base: String?, to head: String, limit: Int = 100_000) throws -> [String] {
        var walk: OpaquePointer?
        _ = try LibGit2.call("cannot walk the history of \(head.prefix(12))") { git_revwalk_new(&walk, handle.pointer) }
        guard let walk else { throw GitError(.libgit2, "cannot walk the history of \(head.prefix(12))") }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        let tip = try lookupCommit(head)
        _ = try LibGit2.call("cannot walk from \(head.prefix(12))") { git_revwalk_push(walk, git_object_id(tip.pointer)) }
        if let base {
            let hidden = try lookupCommit(base)
            _ = try LibGit2.call("cannot walk from \(base.prefix(12))") { git_revwalk_hide(walk, git_object_id(hidden.pointer)) }
        }
        var shas: [String] = []
        var id = git_oid()
        while git_revwalk_next(&id, walk) == 0 {
            guard shas.count < limit else {
                throw GitError(.libgit2, "more than \(limit) commits between \(base.map { String($0.prefix(12)) } ?? "the root") and \(head.prefix(12))")
            }
            shas.append(ObjectId.hex(id))
        }
        return shas
    }
}
