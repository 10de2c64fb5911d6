/// One receiver of `notifications:` in controller.yaml (DESIGN §12). Which fields apply depends
/// on `type`; `validated(at:)` says which one is missing or does not belong.
public struct NotificationConfig: Codable, Sendable, Hashable {
    /// Names the receiver in metrics, logs and the outbox; defaults to the type, and is required
    /// when several receivers share a type.
    public var name: String?
    public var type: NotificationType
    /// webhook: where the event is POSTed; slack: the incoming-webhook URL (a secret: reference it).
    public var url: ValueOrSecret?
    /// webhook: the HMAC-SHA256 key of `X-Steward-Signature`.
    public var secret: SecretRef?
    /// github / gitlab: the API root (`https://api.github.com`, `https://gitlab.com/api/v4`, or an enterprise server's).
    public var apiURL: String?
    /// github: `owner/name`.
    public var repository: String?
    /// gitlab: the project id or its path (`group/project`).
    public var project: String?
    /// github / gitlab: the API token.
    public var token: SecretRef?
    /// Event types (or reasons) sent; webhook and slack need it, commit statuses follow passes.
    public var events: [String]?
    /// Backoff between attempts of a failed delivery (default 1 s doubling to 300 s).
    public var retry: ControllerConfig.RetryConfig?

    public init(name: String? = nil, type: NotificationType, url: ValueOrSecret? = nil, secret: SecretRef? = nil,
                apiURL: String? = nil, repository: String? = nil, project: String? = nil, token: SecretRef? = nil,
                events: [String]? = nil, retry: ControllerConfig.RetryConfig? = nil) {
        self.name = name
        self.type = type
        self.url = url
        self.secret = secret
        self.apiURL = apiURL
        self.repository = repository
        self.project = project
        self.token = token
        self.events = events
        self.retry = retry
    }
}

/// The kinds of receiver.
public enum NotificationType: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
    case webhook, slack, github, gitlab
}

extension NotificationConfig {
    /// The problems of this receiver as (field, message) pairs: a missing field its type needs,
    /// a field its type does not take, a URL that is not http(s).
    func problems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        func require(_ present: Bool, _ field: String, _ what: String) {
            if !present { problems.append((field, "a \(type.rawValue) receiver needs \(field) (\(what))")) }
        }
        func refuse(_ present: Bool, _ field: String) {
            if present { problems.append((field, "a \(type.rawValue) receiver does not take \(field)")) }
        }
        switch type {
        case .webhook, .slack:
            require(url != nil, "url", type == .slack ? "the incoming-webhook URL, e.g. {env: SLACK_WEBHOOK_URL}" : "where events are POSTed")
            require(!(events ?? []).isEmpty, "events", "the event types to send, e.g. [rollback, actionFailed]")
            if type == .webhook { require(secret != nil, "secret", "{env: NAME} or {file: PATH}, the HMAC key") } else { refuse(secret != nil, "secret") }
            if type == .slack, case .value? = url {
                // The incoming-webhook URL is the credential: never written in controller.yaml, never echoed.
                problems.append(("url", "a slack url is a secret: reference it, e.g. {env: SLACK_WEBHOOK_URL}"))
            }
            refuse(apiURL != nil, "apiURL"); refuse(repository != nil, "repository"); refuse(project != nil, "project"); refuse(token != nil, "token")
        case .github, .gitlab:
            require(token != nil, "token", "{env: NAME} or {file: PATH}")
            if type == .github {
                require(repository != nil, "repository", "owner/name")
                if let repository, repository.split(separator: "/", omittingEmptySubsequences: false).count != 2 || repository.hasPrefix("/") || repository.hasSuffix("/") {
                    problems.append(("repository", "'\(repository)' is not owner/name"))
                }
                refuse(project != nil, "project")
            } else {
                require(project != nil, "project", "the project id or group/project")
                refuse(repository != nil, "repository")
            }
            refuse(url != nil, "url"); refuse(secret != nil, "secret")
            for event in events ?? [] where event != "reconcileStarted" && event != "reconcileFinished" {
                problems.append(("events", "a \(type.rawValue) receiver sets commit statuses from reconcileStarted and reconcileFinished only, not '\(event)'"))
            }
        }
        if case .value(let text)? = url, type != .slack, !Self.isHTTPURL(text) { problems.append(("url", "'\(text)' is not an http(s) URL")) }
        if let apiURL, !Self.isHTTPURL(apiURL) { problems.append(("apiURL", "'\(apiURL)' is not an http(s) URL")) }
        if let name, name.isEmpty || name.contains(where: { $0 == "/" || $0.isWhitespace }) {
            problems.append(("name", "'\(name)' is not a name (no spaces or slashes)"))
        }
        return problems
    }

    static func isHTTPURL(_ text: String) -> Bool {
        (text.hasPrefix("http://") || text.hasPrefix("https://")) && text.count > "https://".count - 1
    }
}

extension ControllerConfig {
    /// The receivers with their names: `name:`, else the type (validation requires a name where
    /// a type repeats).
    public var namedNotifications: [(name: String, config: NotificationConfig)] {
        (notifications ?? []).map { ($0.name ?? $0.type.rawValue, $0) }
    }

    /// Every receiver's problems, and names used twice, with the line of the field.
    func notificationErrors(file: String, positions: [String: SourcePosition]) -> [ValidationError] {
        var errors: [ValidationError] = []
        func position(_ path: String, _ index: Int) -> SourcePosition {
            positions[path] ?? positions["notifications[\(index)]"] ?? positions["notifications"] ?? SourcePosition(line: 1, column: 1)
        }
        for (index, receiver) in (notifications ?? []).enumerated() {
            for problem in receiver.problems() {
                let path = "notifications[\(index)].\(problem.field)"
                errors.append(ValidationError(file: file, position: position(path, index), field: path, message: problem.message))
            }
        }
        var names: Set<String> = []
        let types = Dictionary(grouping: notifications ?? [], by: \.type)
        for (index, named) in namedNotifications.enumerated() {
            let field = "notifications[\(index)].name"
            if named.config.name == nil, (types[named.config.type]?.count ?? 0) > 1 {
                // The name keys the receiver's place in the outbox: one taken from the order would move with it.
                errors.append(ValidationError(file: file, position: position("notifications[\(index)]", index), field: field,
                                              message: "there are several \(named.config.type.rawValue) receivers: give each a name:"))
            } else if !names.insert(named.name).inserted {
                errors.append(ValidationError(file: file, position: position(field, index), field: field,
                                              message: "receiver name '\(named.name)' is used twice; give each a distinct name:"))
            }
        }
        return errors
    }
}
