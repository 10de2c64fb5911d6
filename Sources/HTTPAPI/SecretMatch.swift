import Crypto

/// Checks a credential a request presents against a configured secret (API token, GitLab webhook
/// token) in time that depends on neither the secret's content nor its length: the secret's
/// HMAC-SHA256 under a key made for this process is computed once, and a presented value is
/// accepted when its HMAC under the same key equals it — swift-crypto's
/// `isValidAuthenticationCode`, which compares the two 32-byte codes in constant time. (A plain
/// byte comparison returns early when the lengths differ, telling how long the secret is.)
struct SecretMatch: Sendable {
    private let key: SymmetricKey
    private let expected: HashedAuthenticationCode<SHA256>

    /// nil for an empty secret: nothing may match it (an empty bearer token is no token).
    init?(_ secret: String) {
        guard !secret.isEmpty else { return nil }
        key = SymmetricKey(size: .bits256)
        expected = HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: key)
    }

    /// Whether `presented` is the secret; an empty value never is.
    func matches(_ presented: some StringProtocol) -> Bool {
        let bytes = Array(presented.utf8)
        // Computed either way, so an empty value takes as long as any other.
        let valid = HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: bytes, using: key)
        return valid && !bytes.isEmpty
    }
}
