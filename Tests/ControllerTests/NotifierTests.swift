import Controller
import EventLog
import Foundation
import Logging
import StateStore
import StewardTesting
import Synchronization
import Testing

/// The notifier against a real store and a real local webhook: a new leader (another replica's
/// notifier on its own connection) carries on from the stored position — nothing lost, nothing
/// sent twice — and a record the receiver refuses for its content is skipped, not retried forever.
@Suite("Notifier: change of leader, refused records, SQLite and PostgreSQL", .serialized)
struct NotifierTests {
    final class Leading: Sendable {
        let value: Mutex<Bool>
        init(_ value: Bool) { self.value = Mutex(value) }
        var isLeader: Bool { value.withLock { $0 } }
        func set(_ leading: Bool) { value.withLock { $0 = leading } }
    }

    @Test(arguments: ["sqlite", "postgres"])
    func aNewLeaderCarriesOnFromTheStoredPositionAndARefusedRecordIsSkipped(_ backend: String) async throws {
        let directory = try TemporaryDirectory()
        let receivers = NotificationReceivers()
        let base = try await receivers.start().absoluteString
        let store = backend == "sqlite" ? "sqlite://state.db" : try await TestPostgres.freshDatabaseURL()
        try "webhook-secret\n".write(toFile: directory.path + "/hook-secret", atomically: true, encoding: .utf8)
        try """
            source: {repository: .}
            store: {url: "\(store)"}
            eventLog: {directory: events}
            notifications:
              - {type: webhook, url: '\(base)/hooks/ops', secret: {file: hook-secret}, events: [rollback], retry: {initialSeconds: 0.1, maxSeconds: 0.2}}
            """.write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let settings = try ControllerSettings.load(path: directory.path + "/controller.yaml")
        let first = try await settings.openStore(), second = try await settings.openStore()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let receiversConfigured = NotificationReceiver.configured(settings)

        func rollback(_ name: String) async throws -> Int64 {
            var batch = StoreBatch()
            _ = batch.append(NewEvent(resource: "Deployment/\(name)", environment: "production", type: .rollback, reason: "AutoRollback", message: name))
            _ = batch.append(NewEvent(resource: "Deployment/\(name)", environment: "production", type: .actionSucceeded, reason: "rollback", message: "not taken"))
            return try await first.commit(batch).first { $0.type == "rollback" }?.seq ?? -1
        }
        func delivered() -> [Int64] {
            receivers.deliveries().compactMap { $0["seq"]?.number.map { Int64($0) } }
        }

        let a = Leading(true), b = Leading(false)
        let notifierA = Notifier(receivers: receiversConfigured, store: first, isLeader: { a.isLeader }, logger: logger)
        try await notifierA.prepare()
        let taskA = Task { try await notifierA.run() }
        let r1 = try await rollback("one"), r2 = try await rollback("two")
        #expect(try await Self.eventually { delivered() == [r1, r2] }, "\(delivered())")

        receivers.failNext(1, status: 422)   // the receiver refuses the next one for what it says
        let r3 = try await rollback("three"), r4 = try await rollback("four")
        #expect(try await Self.eventually { delivered() == [r1, r2, r4] }, "\(delivered())")
        #expect(receivers.rejected().map(\.status) == [422])

        // This replica stops leading; records keep coming; another replica's notifier takes over.
        a.set(false)
        try await Task.sleep(for: .milliseconds(300))
        let r5 = try await rollback("five")
        try await Task.sleep(for: .seconds(1.5))
        #expect(delivered() == [r1, r2, r4], "a notifier that does not lead sends nothing")
        let notifierB = Notifier(receivers: receiversConfigured, store: second, isLeader: { b.isLeader }, logger: logger)
        try await notifierB.prepare()   // the receiver has a position: prepare leaves it
        b.set(true)
        let taskB = Task { try await notifierB.run() }
        let r6 = try await rollback("six")
        #expect(try await Self.eventually { delivered() == [r1, r2, r4, r5, r6] }, "\(delivered())")
        #expect(r3 > r2 && r3 < r4)
        // The position is saved right after the receiver's answer.
        #expect(try await Self.eventually {
            try await second.notificationOutbox().first { $0.receiver == "webhook" }.map { $0.deliveredSeq >= r6 && $0.attempts == 0 } == true
        })

        taskA.cancel()
        taskB.cancel()
        _ = await taskA.result
        _ = await taskB.result
        try await first.close()
        try await second.close()
        await receivers.stop()
    }

    static func eventually(_ seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
