import CLibgit2
import Foundation

extension GitRepository {
    /// A bare mirror of `url` in `cacheDirectory`: cloned when absent, else opened and fetched.
    ///
    /// `url` is anything libgit2 can fetch: `file://`, a local path (made absolute), `https://`,
    /// `ssh://` or `user@host:path`. The mirror lives in `cacheDirectory/<mirrorDirectoryName(for: url)>`.
    public static func mirror(url: String, cacheDirectory: String, credentials: GitCredentials? = nil) throws -> GitRepository {
        try mirror(url: url, cacheDirectory: cacheDirectory, credentials: credentials, watch: nil)
    }

    /// `mirror(url:cacheDirectory:credentials:)`, telling `watch` of every sign of life from the remote.
    static func mirror(url: String, cacheDirectory: String, credentials: GitCredentials?, watch: FetchWatch?) throws -> GitRepository {
        let source = normalisedSource(url)
        let target = (cacheDirectory as NSString).appendingPathComponent(mirrorDirectoryName(for: source))
        if FileManager.default.fileExists(atPath: target) {
            let repository = GitRepository(handle: try RepositoryHandle.open(target), isMirror: true, credentials: credentials)
            let origin: String? = try RemoteHandle.configuredURL("origin", in: repository.handle)
            guard origin == source else {
                throw GitError(.notARepository, "'\(target)' mirrors '\(origin ?? "nothing")', not '\(source)'")
            }
            try repository.dropLocalBranches()
            try repository.fetch(watch: watch)
            return repository
        }
        if !isRemote(source), !FileManager.default.fileExists(atPath: source) {
            throw GitError(.notFound, "cannot clone '\(source)': no such file or directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw GitError(.libgit2, "cannot create cache directory '\(cacheDirectory)': \(error.localizedDescription)")
        }
        let repository = GitRepository(
            handle: try clone(source, into: target, credentials: credentials, watch: watch), isMirror: true, credentials: credentials)
        try repository.dropLocalBranches()
        return repository
    }

    /// Deletes the `refs/heads/*` a clone creates: they never move, so a stale one must not answer for a branch.
    ///
    /// HEAD stays a symbolic reference to the (now unborn) default branch; `resolve("HEAD")` in a
    /// mirror reads `refs/remotes/origin/HEAD` instead.
    private func dropLocalBranches() throws(GitError) {
        for name in try handle.referenceNames() where name.hasPrefix("refs/heads/") {
            try handle.deleteReference(name)
        }
    }

    /// Whether `source` (already normalised) is a URL or `user@host:path` rather than a local path.
    private static func isRemote(_ source: String) -> Bool {
        !source.hasPrefix("/")
    }

    /// The directory name a mirror of `url` gets: a readable part of the URL and a hash of all of it.
    ///
    /// For example `file:///srv/git/fleet.git` → `fleet-3f2a…(16 hex).git`; stable across runs.
    public static func mirrorDirectoryName(for url: String) -> String {
        let source = normalisedSource(url)
        var last = Substring(source)
        while last.hasSuffix("/") { last.removeLast() }
        if let slash = last.lastIndex(where: { $0 == "/" || $0 == ":" }) {
            last = last[last.index(after: slash)...]
        }
        if last.hasSuffix(".git") { last.removeLast(4) }
        var readable = String(last.unicodeScalars.map { scalar -> Character in
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
            return allowed ? Character(scalar) : "-"
        }.prefix(48))
        while readable.hasPrefix(".") { readable.removeFirst() }
        if readable.isEmpty { readable = "repository" }
        return "\(readable)-\(fnv1a64Hex(source)).git"
    }

    /// `url` unchanged when it is a URL or `user@host:path`; else a local path made absolute and standardised.
    static func normalisedSource(_ url: String) -> String {
        if url.contains("://") { return url }
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return url }
        let absolute = url.hasPrefix("/")
            ? url
            : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(url)
        return (absolute as NSString).standardizingPath.droppingTrailingSlash()
    }

    /// Bare-clones `source` into `target` with the mirror's fetch options.
    private static func clone(_ source: String, into target: String, credentials: GitCredentials?,
                              watch: FetchWatch?) throws(GitError) -> RepositoryHandle {
        let context = FetchContext(credentials: credentials, watch: watch)
        return try context.withFetchOptions { (fetchOptions: inout git_fetch_options) throws(GitError) -> RepositoryHandle in
            var options = git_clone_options()
            try LibGit2.call("cannot prepare clone options") {
                git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION))
            }
            options.bare = 1
            options.fetch_opts = fetchOptions
            options.remote_cb = cloneRemote   // origin made without insteadOf rewriting (see RemoteHandle.unrewritten)
            var raw: OpaquePointer?
            try LibGit2.call("cannot clone '\(source)' into '\(target)'") { git_clone(&raw, source, target, &options) }
            guard let raw else { throw GitError(.libgit2, "cannot clone '\(source)' into '\(target)'") }
            return RepositoryHandle(raw)
        }
    }

    /// The 64-bit FNV-1a hash of the UTF-8 bytes, as 16 lowercase hex digits.
    private static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The clone's `origin`, made by `RemoteHandle.unrewritten` (libgit2's own leaks on every call).
private func cloneRemote(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ repository: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                         _ url: UnsafePointer<CChar>?, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let out, let repository, let name, let url else { return -1 }
    var options = git_remote_create_options()
    git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
    options.repository = repository
    options.name = name
    options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue
    return git_remote_create_with_opts(out, url, &options)
}
