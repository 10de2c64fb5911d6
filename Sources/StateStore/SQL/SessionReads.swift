import Reconcile

/// A store whose reads run on an `SQLSession`: the bulk reads, written once for both backends.
protocol SessionReads: StateStore {
    associatedtype Session: SQLSession
    /// Parsed specs of the last read of the resources.
    var specs: SpecCache { get }
    func withSession<T: Sendable>(_ body: @escaping @Sendable (Session) async throws -> T) async throws -> T
}

extension SessionReads {
    func resources() async throws -> [AppliedResource] {
        try await withSession { [specs] in try await StateReader(session: $0).resources(specs: specs) }
    }
    func registeredVersions() async throws -> [RegisteredVersion] {
        try await withSession { try await StateReader(session: $0).registeredVersions() }
    }
    func history(deployment: String) async throws -> [HistoryEntry] {
        try await withSession { try await StateReader(session: $0).history(deployment: deployment) }
    }
    func history(outcome: String) async throws -> [HistoryEntry] {
        try await withSession { try await StateReader(session: $0).history(outcome: outcome) }
    }
    func approvals(deployment: String) async throws -> [Approval] {
        try await withSession { try await StateReader(session: $0).approvals(deployment: deployment) }
    }
    func holds() async throws -> [Hold] { try await withSession { try await StateReader(session: $0).holds() } }
    func backupRuns(schedule: String?) async throws -> [BackupRun] {
        try await withSession { try await StateReader(session: $0).backupRuns(schedule: schedule) }
    }
    func sourceCursor() async throws -> SourceCursor? { try await withSession { try await StateReader(session: $0).sourceCursor() } }
    func actionKeys(_ keys: [String]) async throws -> [String: ActionKeyRecord] {
        try await withSession { try await StateReader(session: $0).actionKeys(keys) }
    }
    func actionKeys(effects: [String]) async throws -> [ActionKeyRecord] {
        guard !effects.isEmpty else { return [] }
        return try await withSession { try await StateReader(session: $0).actionKeys(effects: effects) }
    }
    func schemaVersion() async throws -> Int64 { try await withSession { try await StateReader(session: $0).schemaVersion() } }
}
