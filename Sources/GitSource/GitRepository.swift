import Foundation
import CLibgit2

/// A Git repository read through libgit2: a local one, or a bare mirror of a URL.
///
/// Not `Sendable`: keep one instance to one task. Every value it returns is `Sendable`.
public final class GitRepository {
    /// The libgit2 repository this instance owns.
    let handle: RepositoryHandle
    /// Whether this is a bare mirror kept up to date with `fetch()`.
    public let isMirror: Bool
    /// The credentials a mirror fetches with.
    let credentials: GitCredentials?

    /// The refspecs a mirror fetches: every branch under `refs/remotes/origin/`, every tag.
    static let mirrorRefspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]

    init(handle: RepositoryHandle, isMirror: Bool, credentials: GitCredentials? = nil) {
        self.handle = handle
        self.isMirror = isMirror
        self.credentials = credentials
    }

    /// Opens the local repository at `path`: a work tree or a bare repository (parents are not searched).
    public static func open(at path: String) throws -> GitRepository {
        GitRepository(handle: try RepositoryHandle.open(path), isMirror: false)
    }

    /// The git directory, without a trailing `/` (`…/.git` for a work tree).
    public var path: String {
        guard let raw = git_repository_path(handle.pointer) else { return "" }
        return String(cString: raw).droppingTrailingSlash()
    }

    /// The work tree, without a trailing `/`, or nil for a bare repository.
    public var workdir: String? {
        guard let raw = git_repository_workdir(handle.pointer) else { return nil }
        return String(cString: raw).droppingTrailingSlash()
    }

    /// Whether the repository is bare (has no work tree).
    public var isBare: Bool { git_repository_is_bare(handle.pointer) == 1 }

    /// Fetches origin again: branches into `refs/remotes/origin/*`, all tags, pruning what is gone.
    ///
    /// A no-op for a local repository opened with `open(at:)`.
    public func fetch() throws {
        try fetch(watch: nil)
    }

    /// `fetch()`, telling `watch` of every sign of life from the remote and stopping when it is cancelled.
    func fetch(watch: FetchWatch?) throws {
        guard isMirror else { return }
        let source = try RemoteHandle.configuredURL("origin", in: handle)
        let remote = try RemoteHandle.unrewritten(source, in: handle)
        let context = FetchContext(credentials: credentials, watch: watch)
        try context.withFetchOptions { (options: inout git_fetch_options) throws(GitError) in
            try Self.withStringArray(Self.mirrorRefspecs) { (refspecs: inout git_strarray) throws(GitError) in
                try LibGit2.call("cannot fetch '\(source)'") {
                    git_remote_fetch(remote.pointer, &refspecs, &options, "steward: fetch")
                }
            }
        }
    }

    /// Runs `body` with a `git_strarray` holding copies of `strings`, freed afterwards.
    @discardableResult
    static func withStringArray<T>(
        _ strings: [String],
        _ body: (inout git_strarray) throws(GitError) -> T
    ) throws(GitError) -> T {
        var copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return try copies.withUnsafeMutableBufferPointer { (buffer) throws(GitError) -> T in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return try body(&array)
        }
    }
}

extension String {
    /// This path without trailing `/` characters (a lone "/" stays).
    func droppingTrailingSlash() -> String {
        var text = Substring(self)
        while text.count > 1, text.last == "/" { text.removeLast() }
        return String(text)
    }
}
