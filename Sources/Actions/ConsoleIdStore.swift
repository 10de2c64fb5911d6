import Foundation
import StateStore

/// Where the `http` driver keeps the console ids it learns (DESIGN §5), so that a restart or a new
/// leader still knows them.
public protocol ConsoleIdStore: Sendable {
    /// Every id recorded for the console at `console` (its base URL, without credentials).
    func consoleIds(console: String) async throws -> [ConsoleId]
    /// Records one id at once (one store commit), replacing the one with the same console, kind and subject.
    func record(_ id: ConsoleId) async throws
}

/// Console ids kept in the state store (table `console_ids`).
public struct StateStoreConsoleIds: ConsoleIdStore {
    public let store: any StateStore

    public init(store: any StateStore) {
        self.store = store
    }

    public func consoleIds(console: String) async throws -> [ConsoleId] {
        try await store.consoleIds(console: console)
    }

    public func record(_ id: ConsoleId) async throws {
        var batch = StoreBatch()
        batch.consoleIds = [id]
        try await store.commit(batch)
    }
}

/// The ids recorded for one console, read once for an action or a probe.
struct ConsoleIdBook: Sendable {
    var versions: [String: String] = [:]
    var deployments: [String: String] = [:]

    init(_ ids: [ConsoleId]) {
        for id in ids {
            switch id.kind {
            case .version: versions[id.subject] = id.id
            case .deployment: deployments[id.subject] = id.id
            }
        }
    }

    /// The console version id of `blueprint@version`.
    func versionId(blueprint: String, version: String) -> String? {
        versions[ConsoleId.versionSubject(blueprint: blueprint, version: version)]
    }

    /// Which version of `blueprint` the console version `versionId` is, when Steward registered it.
    func version(ofVersionId versionId: String, blueprint: String) -> String? {
        let prefix = "\(blueprint)@"
        return versions.first { $0.value == versionId && $0.key.hasPrefix(prefix) }.map { String($0.key.dropFirst(prefix.count)) }
    }

    /// The console deployment last created for `deployment` in `environment`.
    func deploymentId(environment: String, deployment: String) -> String? {
        deployments[ConsoleId.deploymentSubject(environment: environment, deployment: deployment)]
    }

    /// The console deployments Steward created in `environment`, for any of its Deployments.
    func deploymentIds(environment: String) -> Set<String> {
        let prefix = "\(environment)/"
        return Set(deployments.filter { $0.key.hasPrefix(prefix) }.map(\.value))
    }
}
