import CLibgit2

extension GitRepository {
    /// Brings `paths` of the work tree and index to HEAD's tree, as `git commit` leaves them.
    ///
    /// `baseline` is the tree the work tree matched before HEAD moved; with a safe checkout a
    /// file that no longer matches it is left alone and reported as a conflict.
    func checkOutHead(paths: [String], baseline: ObjectHandle) throws(GitError) {
        var options = git_checkout_options()
        try LibGit2.call("cannot prepare checkout options") {
            git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        }
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        options.baseline = baseline.pointer
        try Self.withStringArray(paths) { (array: inout git_strarray) throws(GitError) in
            options.paths = array
            try LibGit2.call("cannot update the work tree '\(workdir ?? path)'") {
                git_checkout_head(handle.pointer, &options)
            }
        }
    }
}
