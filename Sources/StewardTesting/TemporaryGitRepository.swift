import Foundation

/// A fresh directory under the system temporary folder, removed with everything in it in `deinit`.
public final class TemporaryDirectory: @unchecked Sendable {
    /// The directory (symlinks resolved, so it matches what libgit2 reports).
    public let url: URL

    /// The directory as a path.
    public var path: String { url.path }

    /// Makes a new empty directory named `<prefix>-<uuid>`.
    public init(prefix: String = "steward") throws {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.url = url
    }

    /// The URL of `relativePath` inside the directory.
    public func appending(_ relativePath: String) -> URL {
        url.appendingPathComponent(relativePath)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A `git` command that exited non-zero: the arguments, the status and what it wrote to stderr.
public struct GitCommandError: Error, CustomStringConvertible, Sendable {
    /// The arguments after `git`.
    public let arguments: [String]
    /// The exit status.
    public let status: Int32
    /// The standard error output, trimmed.
    public let standardError: String

    /// One line: the command, the status and git's complaint.
    public var description: String {
        "git \(arguments.joined(separator: " ")) exited \(status): \(standardError)"
    }
}

/// A real Git repository made with the `git` command line in a fresh temporary directory, removed in `deinit`.
public final class TemporaryGitRepository: @unchecked Sendable {
    /// The work tree (or the git directory, for a bare repository).
    public let url: URL
    /// Whether the repository was made with `--bare`.
    public let isBare: Bool

    /// The work tree (or git directory) as a path.
    public var path: String { url.path }

    /// The repository as a `file://` URL.
    public var fileURL: String { "file://" + path }

    /// Runs `git init -b <branch>` in a new temporary directory and configures a local identity.
    public init(branch: String = "main", bare: Bool = false) throws {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let url = base.appendingPathComponent("steward-git-\(UUID().uuidString.lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.url = url
        self.isBare = bare
        try git(bare ? ["init", "--bare", "-q", "-b", branch] : ["init", "-q", "-b", branch])
        try git("config", "user.name", "Steward Test")
        try git("config", "user.email", "steward-test@example.com")
        try git("config", "commit.gpgsign", "false")
        try git("config", "tag.gpgsign", "false")
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes UTF-8 text to `relativePath`, creating folders on the way.
    public func write(_ relativePath: String, _ contents: String) throws {
        try write(relativePath, bytes: Array(contents.utf8))
    }

    /// Writes bytes to `relativePath`, creating folders on the way.
    public func write(_ relativePath: String, bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    /// Copies every `.yaml` file under `root` into the work tree (under `prefix`), e.g. an example fleet.
    public func copyManifests(from root: String, under prefix: String = "") throws {
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw ProcessFailure(message: "cannot read \(root)") }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".yaml") else { continue }
            let text = try String(contentsOfFile: (root as NSString).appendingPathComponent(relative), encoding: .utf8)
            try write(prefix.isEmpty ? relative : prefix + "/" + relative, text)
        }
    }

    /// The quickstart fleet of this repository's `examples/quickstart`.
    public func copyQuickstart(under prefix: String = "") throws {
        try copyManifests(from: StewardProcess.packageRoot.appendingPathComponent("examples/quickstart").path, under: prefix)
    }

    /// Replaces the quickstart's environments file: staging and production, each with `driver`
    /// (a flow mapping such as `{type: http, url: "…"}`) and the quickstart's adapters.
    public func writeQuickstartEnvironments(driver: String) throws {
        let documents = ["staging", "production"].map { name in
            """
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: \(name)}
            spec:
              driver: \(driver)
              adapters: [robotics-main, desktop-main]

            """
        }
        try write("environments/environments.yaml", documents.joined(separator: "---\n"))
    }

    /// The UTF-8 text of a work-tree file, or nil when it does not exist.
    public func read(_ relativePath: String) -> String? {
        try? String(contentsOf: url.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// Removes a file or folder from the work tree (the next `commit` records the removal).
    public func remove(_ relativePath: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(relativePath))
    }

    /// Makes `relativePath` a symbolic link to `target`, which is stored as written (it may dangle).
    public func symlink(_ relativePath: String, to target: String) throws {
        let link = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
    }

    /// Stages everything (`git add -A`), commits and returns the new HEAD sha.
    ///
    /// `date` pins both author and committer time (UTC), for tests that check it.
    @discardableResult
    public func commit(_ message: String, allowEmpty: Bool = false, date: Date? = nil) throws -> String {
        try git("add", "-A")
        var environment: [String: String] = [:]
        if let date {
            let stamp = "@\(Int(date.timeIntervalSince1970)) +0000"
            environment = ["GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp]
        }
        try git(["commit", "-q", "-m", message] + (allowEmpty ? ["--allow-empty"] : []), environment: environment)
        return try git("rev-parse", "HEAD")
    }

    /// Tags `revision` (HEAD by default); an annotated tag gets its name as message.
    public func tag(_ name: String, annotated: Bool = false, at revision: String = "HEAD") throws {
        try git(annotated ? ["tag", "-a", name, "-m", name, revision] : ["tag", name, revision])
    }

    /// Stages a submodule (gitlink, mode 160000) entry pointing at `sha`, without any network or clone.
    ///
    /// An empty folder is left at `path` so a later `git add -A` keeps the entry.
    public func addSubmoduleEntry(path: String, sha: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(path), withIntermediateDirectories: true)
        try git("update-index", "--add", "--cacheinfo", "160000,\(sha),\(path)")
    }

    /// Runs `git <args>` in the repository and returns its trimmed standard output.
    @discardableResult
    public func git(_ args: String...) throws -> String {
        try git(args)
    }

    /// Runs `git <args>` with extra environment variables and returns its trimmed standard output.
    @discardableResult
    public func git(_ args: [String], environment: [String: String] = [:]) throws -> String {
        try Self.runGit(args, in: url, environment: environment)
    }

    /// Runs `git` (found on PATH, no shell) in `directory`, isolated from the user's and system's git config.
    @discardableResult
    public static func runGit(_ args: [String], in directory: URL, environment: [String: String] = [:]) throws -> String {
        let result = try Subprocess.run(try gitExecutable().path, args, in: directory.path,
                                        environment: isolatedEnvironment().merging(environment) { _, new in new })
        guard result.status == 0 else {
            throw GitCommandError(arguments: args, status: result.status,
                                  standardError: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let output = result.stdout
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The inherited environment without `GIT_*` variables, ignoring global and system config.
    private static func isolatedEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["LC_ALL"] = "C"
        return environment
    }

    /// The first executable `git` on PATH.
    private static func gitExecutable() throws -> URL {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in searchPath.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("git")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw GitCommandError(arguments: [], status: 127, standardError: "git not found on PATH \(searchPath)")
    }
}
