import Foundation
import StewardTesting
import Testing
@testable import StateStore

#if canImport(Glibc)
import Glibc
#endif

/// Bad URLs, unreachable servers and wrong passwords: one clear line, never the password.
@Suite struct ErrorTests {
    static let secret = "hunter2-secret"

    @Test(arguments: [
        ("mysql://root:\(secret)@db:3306/steward", "unknown scheme \"mysql\""),
        ("postgres://steward:\(secret)@/steward", "has no host"),
        ("postgres://steward:\(secret)@db.internal:99999/steward", "bad port \"99999\""),
        ("postgres://steward:\(secret)@db.internal:abc/steward", "bad port \"abc\""),
        ("postgres://:\(secret)@db.internal/steward", "has no user name"),
        ("postgres://steward:\(secret)@db.internal/steward?sslmode=verify-full", "sslmode=verify-full"),
        ("postgres://steward:\(secret)@db.internal/steward?timeout=3", "unknown option \"timeout\""),
        ("sqlite://", "has no file path"),
        ("state.db", "is not a URL"),
    ])
    func badURLs(_ url: String, _ expected: String) async throws {
        let error = await #expect(throws: StoreError.self) {
            try await StoreFactory.open(url: url, eventLogDirectory: "events", baseDirectory: "/tmp", logger: testLogger)
        }
        #expect(error?.code == .badURL)
        let message = error?.message ?? ""
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains(Self.secret))
        #expect(!message.contains("\n"))
    }

    @Test func urlsParse() throws {
        #expect(try StoreURL.parse("sqlite://.steward/state.db", baseDirectory: "/srv/fleet") == .sqlite(path: "/srv/fleet/.steward/state.db"))
        #expect(try StoreURL.parse("sqlite:///var/lib/steward/state.db", baseDirectory: "/srv") == .sqlite(path: "/var/lib/steward/state.db"))
        let parsed = try StoreURL.parse("postgres://stew%40ard:p%3Ass@[::1]:6432/fleet?sslmode=require", baseDirectory: "/")
        #expect(parsed == .postgres(PostgresURL(username: "stew@ard", password: "p:ss", host: "::1", port: 6432, database: "fleet", requireTLS: true)))
        #expect(try StoreURL.parse("postgresql://steward@db", baseDirectory: "/")
                == .postgres(PostgresURL(username: "steward", password: nil, host: "db", port: 5432, database: "steward", requireTLS: false)))
        #expect(StoreURL.redact("postgres://u:\(Self.secret)@h:1/d") == "postgres://u:***@h:1/d")
        #expect(StoreURL.redact("sqlite://state.db") == "sqlite://state.db")
    }

    @Test func unreachablePortFailsFast() async throws {
        let port = try freePort()
        let url = "postgres://steward:\(Self.secret)@127.0.0.1:\(port)/steward"
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) {
            try await StoreFactory.open(url: url, eventLogDirectory: "events", baseDirectory: "/tmp", logger: testLogger)
        }
        #expect(ContinuousClock.now - started < .seconds(60))  // a hang guard, not a speed test
        #expect(error?.code == .unreachable)
        let message = error?.message ?? ""
        #expect(message.contains("cannot connect to PostgreSQL at 127.0.0.1:\(port)"), "\(message)")
        #expect(message.contains("refused"), "\(message)")
        #expect(message.contains("postgres://steward:***@127.0.0.1:\(port)/steward"))
        #expect(!message.contains(Self.secret))
        #expect(!message.contains("\n"))
    }

    @Test func silentServerTimesOut() async throws {
        // A socket that accepts TCP connections but never answers the PostgreSQL handshake.
        let (socket, port) = try listeningSocket()
        defer { close(socket) }
        let url = "postgres://steward:\(Self.secret)@127.0.0.1:\(port)/steward"
        let error = await #expect(throws: StoreError.self) {
            try await StoreFactory.open(url: url, eventLogDirectory: "events", baseDirectory: "/tmp", logger: testLogger)
        }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("timed out after") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(Self.secret) == false)
    }

    @Test func wrongPasswordIsNamedWithoutThePassword() async throws {
        let admin = try postgresAdminURL()
        guard case .postgres(let url) = try StoreURL.parse(admin, baseDirectory: "/") else { throw HarnessError(description: "not postgres") }
        let real = url.password ?? ""
        let wrong = admin.replacingOccurrences(of: ":\(real)@", with: ":\(Self.secret)@")
        let error = await #expect(throws: StoreError.self) {
            try await StoreFactory.open(url: wrong, eventLogDirectory: "events", baseDirectory: "/tmp", logger: testLogger)
        }
        #expect(error?.code == .authentication)
        let message = error?.message ?? ""
        #expect(message.contains("password authentication failed"), "\(message)")
        #expect(message.contains("refused user \"\(url.username)\""), "\(message)")
        #expect(!message.contains(Self.secret))
        #expect(real.isEmpty || !message.contains(real))
        #expect(!message.contains("\n"))
    }

    @Test func missingDatabaseIsNamed() async throws {
        let admin = try postgresAdminURL()
        let url = replacingDatabase(of: admin, with: "steward_no_such_database")
        let error = await #expect(throws: StoreError.self) {
            try await StoreFactory.open(url: url, eventLogDirectory: "events", baseDirectory: "/tmp", logger: testLogger)
        }
        #expect(error?.message.contains("database \"steward_no_such_database\" does not exist") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(try postgresPassword()) == false)
    }
}

/// A loopback port nothing listens on (bound, then released).
func freePort() throws -> Int {
    let (socket, port) = try listeningSocket()
    close(socket)
    return port
}

