import Crypto
import Foundation
import Hummingbird

/// `POST /webhooks/git`: GitHub (`X-Hub-Signature-256`) and GitLab (`X-Gitlab-Token`) push hooks.
extension Routes {
    static func webhooks(_ router: Router<BasicRequestContext>, _ context: APIContext) {
        router.post("/webhooks/git") { request, _ in
            guard let secret = context.webhookSecret else { return try problem(.notFound, "webhooks are not configured (server.webhookSecret)") }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: context.maxBodyBytes) } catch {
                return try problem(.contentTooLarge, "body larger than \(context.maxBodyBytes) bytes")
            }
            let bytes = Array(body.readableBytesView)
            let verdict = WebhookVerifier(secret: secret, branch: context.branch).check(headers: request.headers, body: bytes)
            switch verdict {
            case .unauthorized(let reason):
                return try problem(.unauthorized, reason)
            case .ignored(let reason):
                return try json(["triggered": "false", "reason": reason], status: .accepted)
            case .push:
                context.reconcile.requestReconcile()
                return try json(["triggered": "true", "reason": "push to \(context.branch)"], status: .accepted)
            }
        }
    }
}

/// Decides what a webhook request is: unauthorised, an event to ignore, or a push to the watched branch.
struct WebhookVerifier {
    enum Verdict: Equatable {
        case unauthorized(String)
        case ignored(String)
        case push
    }

    let secret: String
    let branch: String

    func check(headers: HTTPFields, body: [UInt8]) -> Verdict {
        let signature = Self.header(headers, "x-hub-signature-256")
        let token = Self.header(headers, "x-gitlab-token")
        if let signature {
            guard signature.hasPrefix("sha256="), let given = Self.hex(String(signature.dropFirst(7))) else {
                return .unauthorized("malformed X-Hub-Signature-256")
            }
            // swift-crypto compares in constant time; a code of the wrong length is refused without
            // looking at its bytes (the length of a SHA-256 code is no secret).
            guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Array(secret.utf8))) else {
                return .unauthorized("bad signature")
            }
            let event = Self.header(headers, "x-github-event") ?? ""
            return event == "push" ? pushVerdict(body) : .ignored("GitHub event '\(event)' is not a push")
        }
        if let token {
            guard SecretMatch(secret)?.matches(token) == true else { return .unauthorized("bad token") }
            let event = Self.header(headers, "x-gitlab-event") ?? ""
            return event == "Push Hook" ? pushVerdict(body) : .ignored("GitLab event '\(event)' is not a push")
        }
        return .unauthorized("missing X-Hub-Signature-256 or X-Gitlab-Token")
    }

    private func pushVerdict(_ body: [UInt8]) -> Verdict {
        guard let payload = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let ref = payload["ref"] as? String else {
            return .ignored("push without a ref")
        }
        return ref == "refs/heads/\(branch)" ? .push : .ignored("push to \(ref), watching refs/heads/\(branch)")
    }

    /// A header's value by case-insensitive name.
    static func header(_ headers: HTTPFields, _ name: String) -> String? {
        headers.first { $0.name.canonicalName == name }?.value
    }

    static func hex(_ text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
