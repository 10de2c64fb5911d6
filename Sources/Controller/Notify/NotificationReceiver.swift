import EventLog
import Foundation
import Manifests

/// A configured receiver of notifications (DESIGN §12), its secrets still references: they are
/// read at each delivery, so a rotated secret file is used at once and a missing one delays
/// delivery instead of dropping it.
public struct NotificationReceiver: Sendable {
    public var name: String
    public var type: NotificationType
    /// The event types (and filter names, `aliases`) it takes.
    public var events: Set<String>
    /// github: owner/name; gitlab: the project.
    var target: String
    var apiURL: String
    var config: NotificationConfig
    var baseDirectory: String
    var retryInitial: Double
    var retryMax: Double

    /// The secrets of one delivery.
    public struct Secrets: Sendable {
        public var url: String?
        public var secret: String?
        public var token: String?

        public init(url: String? = nil, secret: String? = nil, token: String? = nil) {
            self.url = url
            self.secret = secret
            self.token = token
        }
    }

    /// What commit-status receivers follow when `events:` is not given.
    static let passEvents: Set<String> = [EventType.reconcileStarted.rawValue, EventType.reconcileFinished.rawValue]

    public init(name: String, config: NotificationConfig, baseDirectory: String) {
        self.name = name
        self.type = config.type
        self.config = config
        self.baseDirectory = baseDirectory
        let defaultEvents: Set<String> = config.type == .github || config.type == .gitlab ? Self.passEvents : []
        events = config.events.map(Set.init) ?? defaultEvents
        target = config.repository ?? config.project ?? ""
        switch config.type {
        case .github: apiURL = config.apiURL ?? "https://api.github.com"
        case .gitlab: apiURL = config.apiURL ?? "https://gitlab.com/api/v4"
        case .webhook, .slack: apiURL = ""
        }
        retryInitial = config.retry?.initialSeconds ?? 1
        retryMax = max(config.retry?.maxSeconds ?? 300, retryInitial)
    }

    /// The receivers of `controller.yaml`.
    public static func configured(_ settings: ControllerSettings) -> [NotificationReceiver] {
        settings.config.namedNotifications.map { NotificationReceiver(name: $0.name, config: $0.config, baseDirectory: settings.baseDirectory) }
    }

    /// Whether the record is one it is sent: its type is listed, or a name for part of a type
    /// (`reconcileFailed`, `reconcileSucceeded`: a `reconcileFinished` record with that reason;
    /// `held`: a `hold` record).
    public func takes(_ record: EventRecord) -> Bool {
        if events.contains(record.type) { return true }
        return events.contains { name in
            guard let alias = Self.aliases[name], alias.type == record.type else { return false }
            return alias.reason == nil || alias.reason == record.reason
        }
    }

    /// The filter names that stand for part of an event type.
    static let aliases: [String: (type: String, reason: String?)] = [
        "reconcileFailed": (EventType.reconcileFinished.rawValue, "ReconcileFailed"),
        "reconcileSucceeded": (EventType.reconcileFinished.rawValue, "ReconcileSucceeded"),
        "held": (EventType.hold.rawValue, nil),
    ]

    /// Reads the receiver's secret references; the error names the reference, never a value.
    public func secrets() throws -> Secrets {
        func read(_ ref: SecretRef?) throws -> String? { try ref.map { try SecretResolver.resolve($0, baseDirectory: baseDirectory) } }
        return Secrets(url: try config.url.map { try SecretResolver.resolve($0, baseDirectory: baseDirectory) },
                       secret: try read(config.secret), token: try read(config.token))
    }

    /// The wait before attempt `attempts + 1`: doubling from `retry.initialSeconds` up to `maxSeconds`.
    public func backoff(afterAttempts attempts: Int) -> Double {
        min(retryMax, retryInitial * pow(2, Double(max(0, attempts - 1))))
    }
}
