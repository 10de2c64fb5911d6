import Crypto
import Foundation
import Manifests

/// The status page's sessions (DESIGN §12): after the API token is given once, an HttpOnly,
/// SameSite=Strict cookie `<issued ms>.<nonce>.<mac>`, its MAC keyed by a key derived from the
/// token — so every replica sharing the token accepts it, nothing is stored, and changing the
/// token ends every session. A form's CSRF token is the MAC of the session's nonce under the
/// same key. Without a token there are no sessions and the page has no buttons.
struct UISessions: Sendable {
    static let cookie = "steward_session"
    static let lifetime: TimeInterval = 12 * 3600
    private let key: [UInt8]
    let token: SecretMatch

    init?(apiToken: String?) {
        guard let apiToken, let token = SecretMatch(apiToken) else { return nil }
        self.token = token
        key = Array(HMAC<SHA256>.authenticationCode(for: Array("steward status page sessions v1".utf8),
                                                    using: SymmetricKey(data: Array(apiToken.utf8))))
    }

    /// A signed-in session.
    struct Session: Sendable {
        var nonce: String
        var csrf: String
    }

    /// A new session's cookie value.
    func issue(now: Date = Date()) -> String {
        let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let body = "\(Int64(now.timeIntervalSince1970 * 1000)).\(nonce)"
        return "\(body).\(mac(body))"
    }

    /// The session of a cookie value that this key signed and that has not expired.
    func session(_ value: String?, now: Date = Date()) -> Session? {
        guard let value else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let issued = Int64(parts[0]), let code = Self.bytes(hex: parts[2]) else { return nil }
        let body = "\(parts[0]).\(parts[1])"
        guard HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Array(body.utf8), using: SymmetricKey(data: key)) else { return nil }
        let age = now.timeIntervalSince1970 - Double(issued) / 1000
        guard age >= -60, age < Self.lifetime else { return nil }
        return Session(nonce: String(parts[1]), csrf: mac("csrf." + parts[1]))
    }

    /// Whether `presented` is the session's CSRF token (compared in constant time).
    func checkCSRF(_ presented: String?, session: Session) -> Bool {
        guard let presented, let code = Self.bytes(hex: Substring(presented)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Array(("csrf." + session.nonce).utf8), using: SymmetricKey(data: key))
    }

    private func mac(_ text: some StringProtocol) -> String {
        ContentHash.hmacSHA256Hex(Array(text.utf8), key: key)
    }

    /// The 32 bytes of a MAC written in hex.
    private static func bytes(hex: Substring) -> [UInt8]? {
        hex.count == 64 ? WebhookVerifier.hex(String(hex)) : nil
    }

    /// The `Set-Cookie` value of a session (or of its removal, with an empty value).
    static func setCookie(_ value: String, secure: Bool) -> String {
        setCookie(cookie, value, maxAge: Int(lifetime), secure: secure)
    }

    /// A page cookie: HttpOnly, SameSite=Strict, on every path; an empty value removes it.
    static func setCookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(value.isEmpty ? 0 : maxAge)\(secure ? "; Secure" : "")"
    }

    /// A cookie's value in a `Cookie` header (the session's by default).
    static func cookieValue(_ header: String?, named name: String = cookie) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            if trimmed.hasPrefix("\(name)=") { return String(trimmed.dropFirst(name.count + 1)) }
        }
        return nil
    }
}
