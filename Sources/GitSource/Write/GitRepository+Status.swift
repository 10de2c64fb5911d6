import CLibgit2

extension GitRepository {
    /// Paths of tracked files changed in the work tree or index relative to HEAD (untracked files ignored); [] for a bare repository.
    ///
    /// Staged new files count (a `git commit` would record them); submodules are not inspected.
    public func uncommittedChanges() throws -> [String] {
        guard !isBare else { return [] }
        var options = git_status_options()
        try LibGit2.call("cannot prepare status options") {
            git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        }
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        var raw: OpaquePointer?
        try LibGit2.call("cannot read the status of '\(workdir ?? path)'") {
            git_status_list_new(&raw, handle.pointer, &options)
        }
        guard let raw else { throw GitError(.libgit2, "cannot read the status of '\(workdir ?? path)'") }
        defer { git_status_list_free(raw) }
        var paths = Set<String>()
        for index in 0..<git_status_list_entrycount(raw) {
            guard let entry = git_status_byindex(raw, index)?.pointee else { continue }
            let ignoredOrUntracked = GIT_STATUS_IGNORED.rawValue | GIT_STATUS_WT_NEW.rawValue
            guard entry.status.rawValue & ~ignoredOrUntracked != 0 else { continue }
            for delta in [entry.head_to_index, entry.index_to_workdir] {
                guard let file = delta?.pointee else { continue }
                if let name = file.new_file.path ?? file.old_file.path { paths.insert(String(cString: name)) }
            }
        }
        return paths.sorted()
    }
}
