import Foundation

extension TemporaryGitRepository {
    /// A new bare repository holding every branch and tag of this one, like `git clone --bare`.
    ///
    /// Made with `git init --bare` and a fetch, so it is a `TemporaryGitRepository` (removed in
    /// `deinit`) with the same local identity; HEAD names `branch`.
    public func bareClone(branch: String = "main") throws -> TemporaryGitRepository {
        let bare = try TemporaryGitRepository(branch: branch, bare: true)
        try bare.git("fetch", "-q", path, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
        return bare
    }

    /// A work-tree clone of this repository (`git clone`), removed in `deinit`, for pushing to it as another user would.
    public func workTreeClone() throws -> TemporaryGitRepository {
        let clone = try TemporaryGitRepository()
        try clone.git("remote", "add", "origin", path)
        try clone.git("fetch", "-q", "origin")
        let head = try git("symbolic-ref", "--short", "HEAD")
        try clone.git("checkout", "-q", "-B", head, "origin/\(head)")
        return clone
    }
}
