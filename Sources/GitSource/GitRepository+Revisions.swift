import CLibgit2
import Foundation

extension GitRepository {
    /// The commit a revision names: a branch, a tag (peeled), a full or short sha, `HEAD~2`, `main^`.
    ///
    /// In a mirror, a name that exists under `refs/remotes/origin/` (including `HEAD`) resolves
    /// there first, so `main` means origin's `main` as of the last fetch.
    public func resolve(_ revision: String) throws -> CommitInfo {
        let spec = isMirror ? mirrorSpec(revision) : revision
        var raw: OpaquePointer?
        do {
            try LibGit2.call("revision '\(revision)' not found", code: .notFound) {
                git_revparse_single(&raw, handle.pointer, spec)
            }
        } catch {
            if (try? handle.hasNoReferences()) == true {
                throw GitError(.emptyRepository, "repository '\(path)' is empty: revision '\(revision)' has no commit yet")
            }
            throw error
        }
        guard let raw else { throw GitError(.notFound, "revision '\(revision)' not found") }
        let object = ObjectHandle(raw, repository: handle)
        if object.type == GIT_OBJECT_TREE || object.type == GIT_OBJECT_BLOB {
            let kind = object.type == GIT_OBJECT_TREE ? "tree" : "blob"
            throw GitError(.notFound, "revision '\(revision)' names a \(kind), not a commit")
        }
        let commit = try object.peel(to: GIT_OBJECT_COMMIT, what: "revision '\(revision)' does not name a commit")
        return Self.commitInfo(commit)
    }

    /// The commit with this full or abbreviated (at least 4 hex digits) id.
    public func commit(_ sha: String) throws -> CommitInfo {
        Self.commitInfo(try lookupCommit(sha))
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors; false after a force-push to unrelated history.
    public func isAncestor(_ ancestor: String, of descendant: String) throws -> Bool {
        let older = try lookupCommit(ancestor)
        let newer = try lookupCommit(descendant)
        if git_oid_cmp(git_object_id(older.pointer), git_object_id(newer.pointer)) == 0 { return true }
        let result = try LibGit2.call("cannot tell whether \(ancestor) is an ancestor of \(descendant)") {
            git_graph_descendant_of(handle.pointer, git_object_id(newer.pointer), git_object_id(older.pointer))
        }
        return result == 1
    }

    /// The commit object with this full or abbreviated id.
    func lookupCommit(_ sha: String) throws(GitError) -> ObjectHandle {
        let (oid, length) = try ObjectId.parse(sha, what: "commit")
        return try handle.lookup(prefix: oid, length: length, type: GIT_OBJECT_COMMIT, what: "commit '\(sha)' not found")
    }

    /// `revision` rewritten to `refs/remotes/origin/<name><suffix>` when that reference exists.
    private func mirrorSpec(_ revision: String) -> String {
        let end = revision.firstIndex(where: { "~^@:".contains($0) }) ?? revision.endIndex
        let name = revision[..<end]
        guard !name.isEmpty, !name.hasPrefix("refs/") else { return revision }
        let candidate = "refs/remotes/origin/\(name)"
        return handle.hasReference(candidate) ? candidate + revision[end...] : revision
    }

    /// A commit's metadata copied into a `CommitInfo`.
    static func commitInfo(_ commit: ObjectHandle) -> CommitInfo {
        let pointer = commit.pointer
        let parents = (0..<git_commit_parentcount(pointer)).map { index in
            ObjectId.hex(git_commit_parent_id(pointer, index))
        }
        return CommitInfo(
            sha: ObjectId.hex(git_commit_id(pointer)),
            treeId: ObjectId.hex(git_commit_tree_id(pointer)),
            author: signature(git_commit_author(pointer)),
            committer: signature(git_commit_committer(pointer)),
            message: git_commit_message(pointer).map { String(cString: $0) } ?? "",
            parents: parents
        )
    }

    /// A libgit2 signature copied into a `Signature`.
    private static func signature(_ raw: UnsafePointer<git_signature>?) -> Signature {
        guard let raw else { return Signature(name: "", email: "", time: Date(timeIntervalSince1970: 0)) }
        let value = raw.pointee
        return Signature(
            name: value.name.map { String(cString: $0) } ?? "",
            email: value.email.map { String(cString: $0) } ?? "",
            time: Date(timeIntervalSince1970: TimeInterval(value.when.time))
        )
    }
}
