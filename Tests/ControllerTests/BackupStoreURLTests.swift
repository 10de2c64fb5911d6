import Foundation
import Logging
import StateStore
import StewardTesting
import Testing
@testable import Controller

/// The backup reads `store.url` with the store's own parser: what the controller refuses, the
/// backup refuses with the same line; what it accepts, the backup copies from the same place.
@Suite("backup store.url: one parser with the store")
struct BackupStoreURLTests {
    static let refused: [(String, String)] = [
        ("state.db", #"store.url "state.db" is not a URL; use sqlite://PATH or postgres://USER@HOST:PORT/DATABASE"#),
        ("mysql://root@db.internal/fleet", #"store.url "mysql://root@db.internal/fleet" has an unknown scheme "mysql"; use sqlite:// or postgres://"#),
        ("sqlite://", #"store.url "sqlite://" has no file path; use sqlite://PATH"#),
        ("postgres://db.internal:5432/fleet", #"store.url "postgres://db.internal:5432/fleet" has no user name; use postgres://USER@HOST:PORT/DATABASE"#),
        ("postgres://steward@:5432/fleet", #"store.url "postgres://steward@:5432/fleet" has no host; use postgres://USER@HOST:PORT/DATABASE"#),
        ("postgres://steward@[::1/fleet", #"store.url "postgres://steward@[::1/fleet" has an unclosed [ in its host"#),
        ("postgres://steward:Hunter2@db.internal:99999/fleet",
         #"store.url "postgres://steward:***@db.internal:99999/fleet" has a bad port "99999"; expected a number from 1 to 65535"#),
        ("postgres://steward@db.internal/fleet?sslmode=verify-full",
         #"store.url "postgres://steward@db.internal/fleet?sslmode=verify-full" has sslmode=verify-full; expected disable or require"#),
        ("postgres://steward@db.internal/fleet?application_name=steward",
         #"store.url "postgres://steward@db.internal/fleet?application_name=steward" has an unknown option "application_name"; only sslmode=disable|require is read"#),
    ]

    /// A controller folder whose `controller.yaml` names `url` as the store.
    private func settings(storeURL url: String, in directory: TemporaryDirectory) throws -> ControllerSettings {
        try "source: {repository: ./repo, branch: main}\nstore: {url: \"\(url)\"}\neventLog: {directory: events}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        return try ControllerSettings.load(path: directory.path + "/controller.yaml")
    }

    @Test(arguments: refused)
    func aURLTheControllerRefusesTheBackupRefusesAlike(_ url: String, _ message: String) async throws {
        let directory = try TemporaryDirectory()
        let settings = try settings(storeURL: url, in: directory)
        let store = await #expect(throws: StoreError.self) {
            try await StoreFactory.open(url: url, eventLogDirectory: "events", baseDirectory: directory.path, logger: Logger(label: "test"))
        }
        #expect(store?.code == .badURL)
        #expect(store?.message == message)
        let controller = await #expect(throws: ControllerError.self) { try await settings.openStore() }
        #expect(controller?.message == message)
        let backup = #expect(throws: BackupError.self) { try BackupContext.make(settings: settings, checkout: { throw BackupError("this test runs no command") }) }
        #expect(backup?.message == message)
        let parsed = #expect(throws: BackupError.self) { try BackupDatabase.parse(url, baseDirectory: directory.path) }
        #expect(parsed?.message == message)
        let shown = backup?.message ?? ""
        #expect(!shown.contains("Hunter2"), "the password is never shown")
    }

    @Test func acceptedURLsGiveTheStoreItsOwnPlace() throws {
        #expect(try BackupDatabase.parse("sqlite://.steward/state.db", baseDirectory: "/srv/steward") == .sqlite(path: "/srv/steward/.steward/state.db"))
        #expect(try BackupDatabase.parse("sqlite:///var/lib/steward/state.db", baseDirectory: "/srv/steward") == .sqlite(path: "/var/lib/steward/state.db"))
        #expect(try BackupDatabase.parse("sqlite://db/../state.db", baseDirectory: "/srv/steward") == .sqlite(path: "/srv/steward/state.db"))
        let tls = try BackupDatabase.parse("postgres://steward:s%40cret@db.example.com:6543/fleet?sslmode=require", baseDirectory: "/x")
        #expect(tls == .postgres(PostgresTarget(host: "db.example.com", port: 6543, user: "steward", password: "s@cret", database: "fleet",
                                                requireTLS: true)))
        let plain = try BackupDatabase.parse("postgresql://steward@[::1]:5433", baseDirectory: "/x")
        #expect(plain == .postgres(PostgresTarget(host: "::1", port: 5433, user: "steward", password: nil, database: "steward", requireTLS: false)))
        guard case .postgres(let secure) = tls, case .postgres(let insecure) = plain else {
            Issue.record("not PostgreSQL targets: \(tls), \(plain)")
            return
        }
        // pg_dump connects as the store does: TLS only when the URL requires it.
        #expect(secure.sslMode == "require")
        #expect(insecure.sslMode == "disable")
    }

    @Test func aStoreURLFromASecretFileIsParsedAfterResolving() throws {
        let directory = try TemporaryDirectory()
        try "postgres://steward:Hunter2@db.internal:6543/fleet\n".write(toFile: directory.path + "/store-url", atomically: true, encoding: .utf8)
        try "source: {repository: ./repo, branch: main}\nstore: {url: {file: store-url}}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let settings = try ControllerSettings.load(path: directory.path + "/controller.yaml")
        let context = try BackupContext.make(settings: settings, checkout: { throw BackupError("this test runs no command") })
        #expect(context.database == .postgres(PostgresTarget(host: "db.internal", port: 6543, user: "steward", password: "Hunter2",
                                                             database: "fleet", requireTLS: false)))
        #expect(context.secrets == ["Hunter2"])
        #expect(context.eventLogDirectory == nil)
    }
}
