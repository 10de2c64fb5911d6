import CLibgit2

/// What the libgit2 credential callback needs during one clone or fetch.
final class FetchContext {
    /// The credentials to offer, or nil to let libgit2 fail on a server that asks.
    let credentials: GitCredentials?
    /// How many times the server asked; a wrong credential is offered once, then given up.
    var attempts = 0
    /// Told of every sign of life from the remote; stops the transfer once cancelled.
    let watch: FetchWatch?

    /// Makes a context for one network operation.
    init(credentials: GitCredentials?, watch: FetchWatch? = nil) {
        self.credentials = credentials
        self.watch = watch
    }

    /// Runs `body` with fetch options whose callbacks answer credential requests from this context.
    @discardableResult
    func withFetchOptions<T>(_ body: (inout git_fetch_options) throws(GitError) -> T) throws(GitError) -> T {
        var options = git_fetch_options()
        try LibGit2.call("cannot prepare fetch options") {
            git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        }
        options.prune = GIT_FETCH_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.callbacks.credentials = fetchContextCredentials
        if watch != nil {
            options.callbacks.transfer_progress = fetchContextTransferProgress
            options.callbacks.sideband_progress = fetchContextSideband
            options.callbacks.update_tips = fetchContextUpdateTips
        }
        options.callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        return try withExtendedLifetime(self) { () throws(GitError) -> T in try body(&options) }
    }

    /// Makes the libgit2 credential for one request, or returns a libgit2 code to stop.
    func acquire(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
        usernameFromURL: String?,
        allowedTypes: UInt32
    ) -> Int32 {
        guard watch?.touch() ?? true else { return GIT_EUSER.rawValue }
        guard let credentials, let out else { return GIT_PASSTHROUGH.rawValue }
        attempts += 1
        guard attempts <= 1 else { return GIT_EAUTH.rawValue }
        switch credentials {
        case let .sshKey(privateKeyPath, publicKeyPath, passphrase, username):
            guard allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return GIT_PASSTHROUGH.rawValue }
            return git_credential_ssh_key_new(
                out, username ?? usernameFromURL ?? "git", publicKeyPath, privateKeyPath, passphrase)
        case let .userPassword(username, password):
            guard allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else { return GIT_PASSTHROUGH.rawValue }
            return git_credential_userpass_plaintext_new(out, username, password)
        }
    }
}

/// The C credential callback: forwards to the `FetchContext` passed as payload.
private func fetchContextCredentials(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
    url: UnsafePointer<CChar>?,
    usernameFromURL: UnsafePointer<CChar>?,
    allowedTypes: UInt32,
    payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let payload else { return GIT_PASSTHROUGH.rawValue }
    let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
    return context.acquire(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowedTypes: allowedTypes)
}

/// A sign of life from the remote: 0 to go on, GIT_EUSER to stop a cancelled fetch.
private func fetchContextHeard(_ payload: UnsafeMutableRawPointer?) -> Int32 {
    guard let payload else { return 0 }
    let context = Unmanaged<FetchContext>.fromOpaque(payload).takeUnretainedValue()
    return context.watch?.touch() ?? true ? 0 : GIT_EUSER.rawValue
}

private func fetchContextTransferProgress(_ stats: UnsafePointer<git_indexer_progress>?, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    fetchContextHeard(payload)
}

private func fetchContextSideband(_ text: UnsafePointer<CChar>?, _ length: Int32, _ payload: UnsafeMutableRawPointer?) -> Int32 {
    fetchContextHeard(payload)
}

private func fetchContextUpdateTips(_ name: UnsafePointer<CChar>?, _ old: UnsafePointer<git_oid>?, _ new: UnsafePointer<git_oid>?,
                                    _ payload: UnsafeMutableRawPointer?) -> Int32 {
    fetchContextHeard(payload)
}
