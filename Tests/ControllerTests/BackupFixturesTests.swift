import Actions
import EventLog
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Controller

/// A hand-driven clock: `sleep(until:)` parks until the test advances past the deadline.
final class TestClock: BackupClock, @unchecked Sendable {
    private struct Sleeper {
        var id: Int
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current: Date
    private var sleepers: [Sleeper] = []
    private var cancelled: Set<Int> = []
    private var nextID = 0
    private var parkedTotal = 0

    init(_ start: Date) { current = start }

    func now() -> Date { lock.withLock { current } }

    /// How many times a sleeper has parked so far.
    var parked: Int { lock.withLock { parkedTotal } }

    func sleep(until date: Date) async throws {
        let id = lock.withLock { () -> Int in
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.withLock {
                    if cancelled.contains(id) || Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if date <= current {
                        continuation.resume()
                    } else {
                        sleepers.append(Sleeper(id: id, deadline: date, continuation: continuation))
                        parkedTotal += 1
                    }
                }
            }
        } onCancel: {
            lock.withLock {
                if let index = sleepers.firstIndex(where: { $0.id == id }) {
                    sleepers.remove(at: index).continuation.resume(throwing: CancellationError())
                } else {
                    cancelled.insert(id)
                }
            }
        }
    }

    /// Moves time to `date` and wakes every sleeper whose deadline has come.
    func advance(to date: Date) {
        lock.withLock {
            current = max(current, date)
            let due = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            for sleeper in due { sleeper.continuation.resume() }
        }
    }

    /// Waits (real time, at most `seconds`) until more than `count` parks happened.
    func waitParked(moreThan count: Int, seconds: Double = 30) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while parked <= count {
            guard Date() < deadline else { throw ProcessFailure(message: "the scheduler did not go back to sleep within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// Quiet logs.
let backupTestLogger: Logger = {
    var logger = Logger(label: "steward.backup.test")
    logger.logLevel = .critical
    return logger
}()

/// `2024-01-01T00:00:00Z` plus offsets, for readable times.
enum T {
    static let day0 = Date(timeIntervalSince1970: 1_704_067_200)
    static func at(_ hour: Int, _ minute: Int = 0, _ second: Int = 0, day: Int = 0) -> Date {
        day0.addingTimeInterval(Double(day * 86_400 + hour * 3600 + minute * 60 + second))
    }
}

/// A BackupSchedule from its spec written as JSON.
func backupSchedule(_ name: String, _ spec: String) throws -> BackupSchedule {
    let json = #"{"apiVersion": "steward/v1", "kind": "BackupSchedule", "metadata": {"name": "\#(name)"}, "spec": \#(spec)}"#
    return try JSONDecoder().decode(BackupSchedule.self, from: Data(json.utf8))
}

/// A controller folder with a real SQLite store and file event log, and a backup context over it.
final class BackupSandbox: @unchecked Sendable {
    let directory: TemporaryDirectory
    let store: any StateStore
    var context: BackupContext
    var path: String { directory.path }
    var eventLogDirectory: String { path + "/.steward/events" }
    var databasePath: String { path + "/.steward/state.db" }

    private init(directory: TemporaryDirectory, store: any StateStore, context: BackupContext) {
        self.directory = directory
        self.store = store
        self.context = context
    }

    /// - Parameter postgresURL: use this PostgreSQL database as the store instead of SQLite.
    static func make(postgresURL: String? = nil) async throws -> BackupSandbox {
        let directory = try TemporaryDirectory(prefix: "steward-backup")
        let url = postgresURL ?? "sqlite://.steward/state.db"
        let store = try await StoreFactory.open(url: url, eventLogDirectory: directory.path + "/.steward/events",
                                                baseDirectory: directory.path, logger: backupTestLogger)
        let database = try BackupDatabase.parse(url, baseDirectory: directory.path)
        let eventLog: String? = postgresURL == nil ? directory.path + "/.steward/events" : nil
        let context = BackupContext(baseDirectory: directory.path, stateDirectory: directory.path + "/.steward", database: database,
                                    eventLogDirectory: eventLog, resolveCommand: BackupContext.commands(in: directory.path))
        return BackupSandbox(directory: directory, store: store, context: context)
    }

    func close() async { try? await store.close() }

    /// Writes an executable script into the sandbox, through a close-on-exec descriptor: a child
    /// started meanwhile by another test must not hold it open ("Text file busy" when run).
    func script(_ name: String, _ body: String) throws {
        try AtomicFile.write(path: path + "/" + name, bytes: Array(("#!/bin/sh\n" + body + "\n").utf8), mode: 0o755)
    }

    func runner(clock: any BackupClock = SystemBackupClock()) -> BackupRunner {
        BackupRunner(store: store, context: context, clock: clock, logger: backupTestLogger)
    }

    /// Runs `schedule` once now, as `steward backup run` does (taking its lock).
    func runOnce(_ schedule: BackupSchedule, clock: any BackupClock = SystemBackupClock()) async throws -> BackupRun {
        let name = schedule.metadata.name
        let lock = try #require(try BackupLock.tryAcquire(path: context.lockPath(name), owner: "test"))
        defer { lock.release() }
        return await runner(clock: clock).run(name: name, schedule: schedule, scheduledFor: BackupPlanner.manualTime(clock.now()), holding: lock)
    }

    func runs(_ name: String) async throws -> [BackupRun] {
        try await store.backupRuns(schedule: name).sorted { $0.scheduledFor < $1.scheduledFor }
    }

    func events(reason: String? = nil) async throws -> [EventRecord] {
        try await store.events(since: 0, limit: nil).filter { $0.type == "backup" && (reason == nil || $0.reason == reason) }
    }

    func files(in relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + relative)) ?? []).sorted()
    }

    /// Appends `count` events through the store (as the reconcile loop does).
    func appendEvents(_ count: Int, reason: String = "Test") async throws {
        var batch = StoreBatch()
        batch.events = (0..<count).map { NewEvent(type: .warning, reason: reason, message: "event \($0) " + String(repeating: "x", count: 200)) }
        try await store.commit(batch)
    }
}

/// Runs a command (no shell) and returns its exit code and stdout.
@discardableResult
func runTool(_ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil) throws -> (code: Int32, out: String, err: String) {
    let result = try Subprocess.run(executable, arguments, in: directory, environment: environment ?? ProcessInfo.processInfo.environment)
    return (result.status, result.stdout, result.stderr)
}

/// What the real `sha256sum` prints for `file`, run in its folder: `<hex>  <file name>\n`, the format of `ARCHIVE.sha256`.
func sha256sumLine(_ file: String) throws -> String {
    let folder = (file as NSString).deletingLastPathComponent, name = (file as NSString).lastPathComponent
    let result = try runTool("/usr/bin/sha256sum", [name], in: folder)
    try #require(result.code == 0, "sha256sum \(name): \(result.err)")
    return result.out
}

@Suite("backup building blocks: archive names, SHA-256, locks")
struct BackupFixturesTests {
    @Test func archiveNamesRoundTripAndMatchOnlyTheirSchedule() throws {
        let date = T.at(13, 5, 9, day: 30)
        #expect(BackupArchiveName.timestamp(date) == "20240131T130509Z")
        #expect(BackupArchiveName.make(schedule: "db", date: date, extension: "tar.gz") == "db-20240131T130509Z.tar.gz")
        #expect(BackupArchiveName.parse("db-20240131T130509Z.tar.gz", schedule: "db") == date)
        #expect(BackupArchiveName.parse("db-20240131T130509Z.dump", schedule: "db") == date)
        #expect(BackupArchiveName.parse("db-20240131T130509Z.tar.gz.sha256", schedule: "db") == nil)
        #expect(BackupArchiveName.parse("db-hourly-20240131T130509Z.tar.gz", schedule: "db") == nil)
        #expect(BackupArchiveName.parse("db-hourly-20240131T130509Z.tar.gz", schedule: "db-hourly") == date)
        #expect(BackupArchiveName.parse(".db-20240131T130509Z.tar.gz.partial", schedule: "db") == nil)
        #expect(BackupArchiveName.parse("db-20241331T130509Z.tar.gz", schedule: "db") == nil)
        #expect(BackupArchiveName.parse("db-20240131T130509Z.sqlite-wal", schedule: "db") == nil)
    }

    /// Sizes around SHA-256's 64-byte blocks and around the 1 MiB chunks the file is read in.
    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 1000, FileDigest.chunkSize - 1, FileDigest.chunkSize, FileDigest.chunkSize + 1, (3 << 20) + 7])
    func sha256MatchesSha256sum(_ size: Int) throws {
        let dir = try TemporaryDirectory()
        let file = dir.path + "/data.bin"
        var bytes = [UInt8](repeating: 0, count: size)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let expected = try sha256sumLine(file)
        #expect(expected.count == 64 + 2 + "data.bin".count + 1, "\(expected)")
        #expect(try "\(FileDigest.sha256(path: file))  data.bin\n" == expected)
    }

    @Test func aMissingFileIsOneClearLine() throws {
        let dir = try TemporaryDirectory()
        let error = try #require(throws: BackupError.self) { try FileDigest.sha256(path: dir.path + "/gone.tar.gz") }
        #expect(error.message == "cannot read \(dir.path)/gone.tar.gz to checksum it")
    }

    @Test func checksumFileIsWhatSha256sumChecks() throws {
        let dir = try TemporaryDirectory()
        let archive = dir.path + "/nightly-20240101T000000Z.tar.gz"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: archive))
        try FileDigest.writeChecksumFile(for: archive, hex: try FileDigest.sha256(path: archive))
        let text = try String(contentsOfFile: archive + ".sha256", encoding: .utf8)
        #expect(text == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  nightly-20240101T000000Z.tar.gz\n")
        let check = try runTool("/usr/bin/sha256sum", ["-c", "nightly-20240101T000000Z.tar.gz.sha256"], in: dir.path)
        #expect(check.code == 0, "\(check.err)")
    }

    @Test func lockIsExclusiveAndNamesItsHolder() throws {
        let dir = try TemporaryDirectory()
        let path = BackupLock.path(stateDirectory: dir.path, schedule: "nightly")
        #expect(path == dir.path + "/backups/nightly.lock")
        let first = try #require(try BackupLock.tryAcquire(path: path, owner: "first"))
        #expect(try BackupLock.tryAcquire(path: path, owner: "second") == nil)
        #expect(BackupLock.holder(path: path)?.hasPrefix("first, pid \(getpid())") == true)
        first.release()
        #expect(BackupLock.holder(path: path) == nil)
        let again = try BackupLock.tryAcquire(path: path, owner: "second")
        #expect(again != nil)
    }

    @Test func postgresURLsSplitIntoOptionsWithThePasswordApart() throws {
        let database = try BackupDatabase.parse("postgres://steward:s%40cret@db.example.com:6543/fleet?sslmode=require", baseDirectory: "/x")
        #expect(database == .postgres(PostgresTarget(host: "db.example.com", port: 6543, user: "steward", password: "s@cret",
                                                      database: "fleet", requireTLS: true)))
        #expect(try BackupDatabase.parse("sqlite://.steward/state.db", baseDirectory: "/srv/steward") == .sqlite(path: "/srv/steward/.steward/state.db"))
    }
}
