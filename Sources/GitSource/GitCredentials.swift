/// How to authenticate when fetching a mirror over SSH or HTTPS.
public enum GitCredentials: Sendable, Hashable, CustomStringConvertible {
    /// An SSH key pair on disk; `username` defaults to the one in the URL, else "git".
    case sshKey(privateKeyPath: String, publicKeyPath: String? = nil, passphrase: String? = nil, username: String? = nil)
    /// A user name and password or token (HTTPS basic authentication).
    case userPassword(username: String, password: String)

    /// A description that never shows a password or passphrase.
    public var description: String {
        switch self {
        case let .sshKey(privateKeyPath, _, passphrase, username):
            "sshKey(\(privateKeyPath), user: \(username ?? "from URL"), passphrase: \(passphrase == nil ? "none" : "<redacted>"))"
        case let .userPassword(username, _):
            "userPassword(\(username), password: <redacted>)"
        }
    }
}
