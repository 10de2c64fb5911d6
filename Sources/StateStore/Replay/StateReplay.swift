import EventLog
import Foundation
import Reconcile

/// Rebuilds the state from event records alone (DESIGN §14), a pure fold over the log: each
/// `stateChanged` record applies its rows; a baseline (written when a store older than replay
/// was upgraded) replaces everything, and the log cannot tell the state before it.
public struct StateReplay: Sendable {
    public private(set) var state = StateSnapshot()
    /// The seq of the last record applied (0 before any).
    public private(set) var seq: Int64 = 0
    /// The record the last applied one was (its time and commit say when the state was this).
    public private(set) var last: EventRecord? = nil
    /// The first seq from which the log knows the state: 0, or the seq of the last baseline.
    public private(set) var knownFrom: Int64 = 0
    /// The seq of the record that last wrote each resource (named when the store differs).
    public private(set) var lastWritten: [ResourceKey: Int64] = [:]

    public init() {}

    /// The type of the records replay reads (`stateChanged`).
    public static let recordType = StateDelta.type.rawValue

    /// Applies records in seq order.
    public mutating func apply(_ records: some Sequence<EventRecord>) throws {
        for record in records { try apply(record) }
    }

    public mutating func apply(_ record: EventRecord) throws {
        seq = record.seq
        last = record
        guard record.type == StateDelta.type.rawValue else { return }
        let part = try StateDelta.part(of: record)
        if part.baseline, part.part == 1 {
            state = StateSnapshot()
            knownFrom = record.seq
            lastWritten = [:]
        }
        state.apply(part.rows)
        for key in part.rows.resources.map(\.key) + part.rows.deletedResources { lastWritten[key] = record.seq }
    }

    /// The state after every record up to `point`, from `records` in seq order.
    public static func state(of records: [EventRecord], at point: ReplayPoint) throws -> StateReplay {
        var locator = ReplayPoint.Locator(point)
        for record in records { locator.see(record) }
        let end = try locator.end()
        var replay = StateReplay()
        try replay.apply(records.prefix { $0.seq <= end })
        return replay
    }
}

/// Where in the log `--at` points: a seq, a time, or a commit.
public enum ReplayPoint: Sendable, Equatable, CustomStringConvertible {
    case seq(Int64)
    case time(Date)
    /// A commit sha or prefix: the state after the last record carrying that commit.
    case commit(String)

    /// Reads `seq:N`, `time:T`, `commit:SHA`, or without a prefix: digits a seq, an RFC 3339 time, hex a commit.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let (prefix, rest) = trimmed.firstIndex(of: ":").map { (String(trimmed[..<$0]), String(trimmed[trimmed.index(after: $0)...])) } ?? ("", trimmed)
        switch prefix {
        case "seq":
            guard let seq = Int64(rest), seq >= 0 else { throw Self.invalid(text) }
            self = .seq(seq)
        case "time":
            guard let date = EventTime.parse(rest) else { throw Self.invalid(text) }
            self = .time(date)
        case "commit":
            guard Self.isCommit(rest) else { throw Self.invalid(text) }
            self = .commit(rest.lowercased())
        default:
            if let seq = Int64(trimmed), seq >= 0 { self = .seq(seq) }
            else if let date = EventTime.parse(trimmed) { self = .time(date) }
            else if Self.isCommit(trimmed) { self = .commit(trimmed.lowercased()) }
            else { throw Self.invalid(text) }
        }
    }

    public var description: String {
        switch self {
        case .seq(let seq): "seq \(seq)"
        case .time(let date): EventTime.format(date)
        case .commit(let sha): "commit \(sha.prefix(12))"
        }
    }

    private static func isCommit(_ text: String) -> Bool {
        (4...64).contains(text.count) && text.allSatisfy(\.isHexDigit)
    }

    private static func invalid(_ text: String) -> StoreError {
        StoreError(.replayPoint, "--at \"\(text)\" is not a seq (42), a time (2026-12-06T03:12:00Z) or a commit (abc1234); say seq:, time: or commit: to be explicit")
    }
}

/// The store's state next to the log replayed up to the last record that state includes
/// (`verify-log --replay`).
public struct ReplayCheck: Sendable {
    public var replay: StateReplay
    public var stored: StateSnapshot
    /// The last log record the store's state includes.
    public var seq: Int64

    /// The first way the store differs from the replay, or a stored spec that does not match its
    /// hash; nil when they agree.
    public var difference: String? {
        replay.state.firstDifference(fromStore: stored, lastWritten: replay.lastWritten) ?? stored.firstSpecMismatch()
    }
}
