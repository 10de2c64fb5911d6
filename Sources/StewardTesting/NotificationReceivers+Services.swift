import Foundation
import Manifests

/// Each receiver's checks and answers, as its service documents them.
extension NotificationReceivers {
    static let githubStates: Set<String> = ["error", "failure", "pending", "success"]
    static let gitlabStates: Set<String> = ["pending", "running", "success", "failed", "canceled", "skipped"]

    /// GitHub REST "Create a commit status".
    func github(_ call: ReceivedNotification, json: JSONValue?, base: String, _ storage: inout ReceiverState.Storage) -> ReceiverAnswer {
        func failure(_ status: Int, _ message: String, _ extra: [String: JSONValue] = [:]) -> ReceiverAnswer {
            let body = extra.merging(["message": .string(message), "documentation_url": .string("https://docs.github.com/rest")]) { $1 }
            return .json(status, .object(body), reason: message)
        }
        let token = configuration.githubToken
        guard let authorization = call.header("authorization"), ["Bearer \(token)", "token \(token)"].contains(authorization) else {
            return failure(401, "Bad credentials")
        }
        guard let body = json?.object else { return failure(400, "Problems parsing JSON") }
        let sha = call.parameters["sha"] ?? ""
        guard (7...40).contains(sha.count), sha.allSatisfy(\.isHexDigit) else {
            return failure(422, "No commit found for SHA: \(sha)")
        }
        guard let state = body["state"]?.string, Self.githubStates.contains(state) else {
            let error: JSONValue = .object(["resource": .string("Status"), "code": .string("custom"), "field": .string("state"),
                                            "message": .string("state is not included in the list")])
            return failure(422, "Validation Failed", ["errors": .array([error])])
        }
        for field in ["target_url", "description", "context"] {
            if let value = body[field], value != .null, value.string == nil {
                return failure(422, "Invalid request.\n\nFor '\(field)', \(value) is not a string.")
            }
        }
        let id = storage.newId()
        let now = Self.timestamp()
        let owner = call.parameters["owner"] ?? "", repo = call.parameters["repo"] ?? ""
        return .json(201, .object([
            "url": .string("\(base)\(configuration.githubPathPrefix)/repos/\(owner)/\(repo)/statuses/\(sha)"),
            "id": .int(id), "node_id": .string("SC_test\(id)"), "state": .string(state),
            "description": body["description"] ?? .null, "target_url": body["target_url"] ?? .null,
            "context": body["context"].flatMap { $0 == .null ? nil : $0 } ?? .string("default"),
            "created_at": .string(now), "updated_at": .string(now),
        ]))
    }

    /// GitLab REST "Set the pipeline status of a commit": parameters in the query, a JSON or a form body.
    func gitlab(_ call: ReceivedNotification, json: JSONValue?, _ storage: inout ReceiverState.Storage) -> ReceiverAnswer {
        let token = configuration.gitlabToken
        guard call.header("private-token") == token || call.header("authorization") == "Bearer \(token)" else {
            return .json(401, .object(["message": .string("401 Unauthorized")]), reason: "401 Unauthorized")
        }
        func refuse(_ message: String) -> ReceiverAnswer { .json(400, .object(["error": .string(message)]), reason: message) }
        var parameters = call.query.mapValues(JSONValue.string)
        if !call.rawBody.isEmpty, call.header("content-type")?.hasPrefix("application/json") == true {
            guard let object = json?.object else { return refuse("body is not valid JSON") }
            parameters.merge(object) { $1 }
        } else if let object = call.body?.object {
            parameters.merge(object) { $1 }
        }
        guard let state = parameters["state"], state != .null else { return refuse("state is missing") }
        guard let name = state.string, Self.gitlabStates.contains(name) else { return refuse("state does not have a valid value") }
        let id = storage.newId()
        return .json(201, .object([
            "id": .int(id), "sha": .string(call.parameters["sha"] ?? ""), "ref": parameters["ref"] ?? .null,
            "status": .string(name), "name": parameters["name"] ?? parameters["context"] ?? .string("default"),
            "description": parameters["description"] ?? .null, "target_url": parameters["target_url"] ?? .null,
            "created_at": .string(Self.timestamp()), "allow_failure": .bool(false),
        ]))
    }

    /// A Slack incoming webhook: `text`, or `blocks` (objects with a `type`), as JSON.
    func slack(_ call: ReceivedNotification, json: JSONValue?) -> ReceiverAnswer {
        guard call.path == configuration.slackPath else { return .text(404, "no_service") }
        guard call.header("content-type")?.hasPrefix("application/json") == true, let payload = json?.object else {
            return .text(400, "invalid_payload")
        }
        if let blocks = payload["blocks"] {
            guard let list = blocks.array, list.allSatisfy({ $0["type"]?.string != nil }) else { return .text(400, "invalid_blocks") }
            if !list.isEmpty { return .text(200, "ok") }
        }
        guard let text = payload["text"]?.string, !text.isEmpty else { return .text(400, "no_text") }
        return .text(200, "ok")
    }

    /// The generic webhook: a JSON object signed with `X-Steward-Signature: sha256=<hex HMAC>`.
    func webhook(_ call: ReceivedNotification, json: JSONValue?) -> ReceiverAnswer {
        let expected = Self.signature(of: call.rawBody, secret: configuration.webhookSecret)
        guard let signature = call.header("x-steward-signature") else {
            return .json(401, .object(["error": .string("missing X-Steward-Signature")]), reason: "missing signature")
        }
        guard signature == expected else {
            return .json(401, .object(["error": .string("wrong X-Steward-Signature")]), reason: "wrong signature")
        }
        guard json?.object != nil else {
            return .json(400, .object(["error": .string("the body is not a JSON object")]), reason: "not a JSON object")
        }
        return .json(200, .object(["ok": .bool(true)]))
    }
}
