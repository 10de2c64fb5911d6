import CLibgit2

/// What the libgit2 callbacks need during one push: credentials, and the refs the server refused.
final class PushContext {
    /// Answers credential requests, as for a fetch.
    let credentials: FetchContext
    /// Each reference the remote refused, with the server's reason.
    var rejections: [(reference: String, status: String)] = []

    /// Makes a context for one push.
    init(credentials: GitCredentials?) {
        self.credentials = FetchContext(credentials: credentials)
    }

    /// Runs `body` with push options whose callbacks report to this context.
    func withPushOptions<T>(_ body: (inout git_push_options) throws(GitError) -> T) throws(GitError) -> T {
        var options = git_push_options()
        try LibGit2.call("cannot prepare push options") {
            git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION))
        }
        options.callbacks.credentials = pushContextCredentials
        options.callbacks.push_update_reference = pushContextUpdateReference
        options.callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        return try withExtendedLifetime(self) { () throws(GitError) -> T in try body(&options) }
    }
}

/// The C credential callback: forwards to the `PushContext` passed as payload.
private func pushContextCredentials(
    out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?,
    url: UnsafePointer<CChar>?,
    usernameFromURL: UnsafePointer<CChar>?,
    allowedTypes: UInt32,
    payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let payload else { return GIT_PASSTHROUGH.rawValue }
    let context = Unmanaged<PushContext>.fromOpaque(payload).takeUnretainedValue()
    return context.credentials.acquire(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowedTypes: allowedTypes)
}

/// The C callback for the server's answer per reference: a non-NULL status means it was refused.
private func pushContextUpdateReference(
    reference: UnsafePointer<CChar>?,
    status: UnsafePointer<CChar>?,
    payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let payload, let status else { return 0 }
    let context = Unmanaged<PushContext>.fromOpaque(payload).takeUnretainedValue()
    context.rejections.append((reference.map { String(cString: $0) } ?? "?", String(cString: status)))
    return 0
}
