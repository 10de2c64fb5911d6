import Foundation
import StewardTesting

/// A controller folder with controller.yaml, a real git repository of the quickstart fleet, and a store.
final class FleetWorkspace {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    var path: String { directory.path }

    /// - Parameter storeURL: nil for SQLite in the workspace; a PostgreSQL URL otherwise.
    init(storeURL: String? = nil, selfHeal: Bool = true) throws {
        directory = try TemporaryDirectory()
        repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        try repo.commit("quickstart fleet")
        let store = storeURL ?? "sqlite://.steward/state.db"
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "\(store)"}
            eventLog: {directory: .steward/events}
            reconcile: {prune: true, selfHeal: \(selfHeal), concurrency: 4, retry: {initialSeconds: 0.1, maxSeconds: 1}}
            drivers: {local: {allowedRoots: [.]}}

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    @discardableResult
    func steward(_ arguments: String...) async throws -> StewardProcess.Result {
        try await StewardProcess.run(arguments, in: path)
    }

    func file(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    func modified(_ relative: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path + "/" + relative))?[.modificationDate] as? Date
    }

    func statusJSON() async throws -> [String: Any] {
        let result = try await steward("status", "-o", "json")
        guard result.exitCode == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ProcessFailure(message: "status failed: \(result.stderr)")
        }
        return json
    }
}

/// A fresh database on the test PostgreSQL server (scripts/test exports STEWARD_TEST_POSTGRES_URL).
enum TestPostgres {
    static func freshDatabaseURL() async throws -> String {
        guard let admin = ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"] else {
            throw ProcessFailure(message: "STEWARD_TEST_POSTGRES_URL is not set: run the tests through scripts/test, which starts PostgreSQL")
        }
        let name = "steward_e2e_\(UInt32.random(in: 0...UInt32.max))"
        let created = try await Subprocess.run("/usr/bin/psql", [admin, "-q", "-c", "CREATE DATABASE \(name)"])
        guard created.status == 0 else { throw ProcessFailure(message: "CREATE DATABASE failed: \(created.stderr)") }
        guard let slash = admin.lastIndex(of: "/") else { throw ProcessFailure(message: "bad admin URL") }
        return String(admin[..<slash]) + "/" + name
    }
}
