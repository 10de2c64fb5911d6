import Foundation

/// The lease row of a PostgreSQL store (DESIGN §9): who leads and under which epoch.
public struct LeaderLease: Sendable, Hashable, Codable {
    /// Raised by every takeover; each leader write checks it in its own transaction.
    public var epoch: Int64
    /// The leader as people read it: `pid N on HOST (APPLICATION_NAME)`.
    public var holder: String
    /// The `application_name` of the leader's connections (a takeover ends them).
    public var applicationName: String
    /// When the lease runs out unless renewed (the database server's clock).
    public var expiresAt: Date
    /// Whether the holder renewed it in time, by the server's clock when it was read.
    public var isLive: Bool

    public init(epoch: Int64, holder: String, applicationName: String, expiresAt: Date, isLive: Bool) {
        self.epoch = epoch
        self.holder = holder
        self.applicationName = applicationName
        self.expiresAt = expiresAt
        self.isLive = isLive
    }
}

/// This process as PostgreSQL sees it: every connection it opens carries `applicationName`.
public enum ReplicaIdentity {
    /// `steward-` and eight random hex digits: short enough for `application_name` (63 bytes).
    public static let applicationName: String = "steward-" + String(format: "%08x", UInt32.random(in: .min ... .max))
    /// The replica as `status`, `/readyz` and the lease row name it.
    public static let description: String = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) (\(applicationName))"
}

/// The epoch a replica writes under. A store that is not fenced (CLI commands) writes freely; a
/// fenced store (`steward run` with PostgreSQL) writes only while it holds the current epoch.
final class WriteFence: @unchecked Sendable {
    private let box = LockedBox<(required: Bool, epoch: Int64?)>((false, nil))

    /// From now on, writes need a lease epoch.
    func require() { box.withLock { $0.required = true } }
    /// The epoch writes go out under; nil while this replica does not lead.
    func set(_ epoch: Int64?) { box.withLock { $0.epoch = epoch } }
    var state: (required: Bool, epoch: Int64?) { box.withLock { $0 } }
}
