/// Whether what runs matches Git (DESIGN §7 `status` SYNC column).
public enum SyncStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case synced = "Synced"
    case outOfSync = "OutOfSync"
    case blocked = "Blocked"
}

/// How what runs is doing (DESIGN §7 `status` HEALTH column).
public enum HealthStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case healthy = "Healthy"
    case progressing = "Progressing"
    case degraded = "Degraded"
    case missing = "Missing"
    case unknown = "Unknown"
}

/// A condition on a resource, Kubernetes-style: what is true now and why.
public struct Condition: Sendable, Hashable, Codable {
    public var type: String
    public var status: Bool
    public var reason: String
    public var message: String

    public init(type: String, status: Bool, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}
