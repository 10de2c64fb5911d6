import Foundation
import Manifests

/// The type of an event; an open set of well-known names.
public struct EventType: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    public static let reconcileStarted: EventType = "reconcileStarted"
    public static let reconcileFinished: EventType = "reconcileFinished"
    public static let validationFailed: EventType = "validationFailed"
    public static let actionStarted: EventType = "actionStarted"
    public static let actionSucceeded: EventType = "actionSucceeded"
    public static let actionFailed: EventType = "actionFailed"
    public static let driftDetected: EventType = "driftDetected"
    public static let rollback: EventType = "rollback"
    public static let promotion: EventType = "promotion"
    public static let promotionBlocked: EventType = "promotionBlocked"
    public static let hold: EventType = "hold"
    public static let backup: EventType = "backup"
    public static let approval: EventType = "approval"
    public static let warning: EventType = "warning"

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An event to append: the log assigns `seq`, `prev` and `hash`.
public struct NewEvent: Sendable, Hashable {
    public var time: Date
    public var commit: String?
    /// `Kind/name`, or nil for controller-wide events.
    public var resource: String?
    public var environment: String?
    public var type: EventType
    public var reason: String
    public var message: String
    public var data: JSONValue?

    public init(time: Date = Date(), commit: String? = nil, resource: String? = nil, environment: String? = nil,
                type: EventType, reason: String, message: String, data: JSONValue? = nil) {
        self.time = time
        self.commit = commit
        self.resource = resource
        self.environment = environment
        self.type = type
        self.reason = reason
        self.message = message
        self.data = data
    }
}

/// One record of the hash-chained event log (DESIGN §4), exactly as stored and printed by `logs -o json`.
public struct EventRecord: Sendable, Hashable, Codable {
    public var seq: Int64
    /// RFC 3339 UTC with milliseconds.
    public var time: String
    public var commit: String?
    public var resource: String?
    public var environment: String?
    public var type: String
    public var reason: String
    public var message: String
    public var data: JSONValue?
    public var prev: String
    public var hash: String

    public init(seq: Int64, time: String, commit: String?, resource: String?, environment: String?, type: String,
                reason: String, message: String, data: JSONValue?, prev: String, hash: String) {
        self.seq = seq
        self.time = time
        self.commit = commit
        self.resource = resource
        self.environment = environment
        self.type = type
        self.reason = reason
        self.message = message
        self.data = data
        self.prev = prev
        self.hash = hash
    }

    /// The record's members in canonical key order, every key present (nulls explicit), optionally without `hash`.
    private func members(includingHash: Bool) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [
            ("commit", commit.map(JSONValue.string) ?? .null), ("data", data ?? .null),
            ("environment", environment.map(JSONValue.string) ?? .null),
        ]
        members.reserveCapacity(11)
        if includingHash { members.append(("hash", .string(hash))) }
        members += [("message", .string(message)), ("prev", .string(prev)), ("reason", .string(reason)),
                    ("resource", resource.map(JSONValue.string) ?? .null), ("seq", .int(Int(seq))), ("time", .string(time)),
                    ("type", .string(type))]
        return members
    }

    /// The record as a JSON value, every key present (nulls explicit), optionally without `hash`.
    public func jsonValue(includingHash: Bool = true) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: members(includingHash: includingHash)))
    }

    /// `jsonValue(includingHash:)` as canonical JSON, its members written in their fixed order
    /// (no dictionary is built and sorted).
    public func canonicalBytes(includingHash: Bool = true) -> [UInt8] {
        JSONValue.canonicalObject(members(includingHash: includingHash))
    }

    /// The canonical JSON without `hash`, cut where `hash` goes: `{` and the members before it, and
    /// `,` and those after it (with the closing `}`). Sealing writes a record once this way: the
    /// halves joined are what the hash covers, and with `,"hash":"…"` between them the line.
    func canonicalHalves() -> (head: [UInt8], tail: [UInt8]) {
        let members = members(includingHash: false)
        let cut = members.firstIndex { !JSONValue.canonicalKeyPrecedes($0.key, "hash") } ?? members.count
        var head = JSONValue.canonicalObject(Array(members[..<cut]))
        head.removeLast()   // the `}`
        var tail = JSONValue.canonicalObject(Array(members[cut...]))
        tail[0] = UInt8(ascii: ",")   // the `{`
        return (head, tail)
    }

    /// One JSON line (canonical JSON, so the file is stable and greppable).
    public var line: String { String(decoding: canonicalBytes(), as: UTF8.self) }

    /// The time as a `Date`.
    public var date: Date? { EventTime.parse(time) }

    public func encode(to encoder: any Encoder) throws {
        try jsonValue().encode(to: encoder)
    }
}

/// RFC 3339 UTC timestamps with milliseconds.
public enum EventTime {
    public static func format(_ date: Date) -> String { CanonicalJSON.timestamp(date) }

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
