import Foundation

/// A console id the `http` driver learnt (DESIGN §5): kept in the store, so a restart or a new
/// leader still knows which console version and deployment stand for what Steward applied.
///
/// Keyed by the console (its base URL, without credentials) and what the id identifies: a blueprint
/// version (`robot-nav@1.2.0`) or a Steward Deployment in an environment (`staging/robot-nav-staging`).
public struct ConsoleId: Sendable, Hashable, Codable {
    /// What a console id identifies.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A registered blueprint version (`POST /api/deployments/versions`); subject `blueprint@version`.
        case version
        /// The console deployment last created for a Steward Deployment; subject `environment/deployment`.
        case deployment
    }

    /// The console's base URL.
    public var console: String
    public var kind: Kind
    /// `blueprint@version` or `environment/deployment`.
    public var subject: String
    /// The id the console gave.
    public var id: String
    public var recordedAt: Date

    public init(console: String, kind: Kind, subject: String, id: String, recordedAt: Date) {
        self.console = console
        self.kind = kind
        self.subject = subject
        self.id = id
        self.recordedAt = recordedAt
    }

    /// The subject of a blueprint version: `blueprint@version`.
    public static func versionSubject(blueprint: String, version: String) -> String { "\(blueprint)@\(version)" }

    /// The subject of a Steward Deployment in an environment: `environment/deployment`.
    public static func deploymentSubject(environment: String, deployment: String) -> String { "\(environment)/\(deployment)" }
}
