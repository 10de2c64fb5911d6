import Foundation
import Manifests

/// The hash chain: `hash = sha256(utf8(prev) ‖ JCS(record without hash))`, first `prev` 64 zeros.
public enum EventChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash a record must carry.
    public static func hash(of record: EventRecord) -> String {
        var bytes = Array(record.prev.utf8)
        bytes += record.canonicalBytes(includingHash: false)
        return ContentHash.sha256Hex(bytes)
    }

    /// Seals a new event as record `seq` after `prev`.
    public static func seal(_ event: NewEvent, seq: Int64, prev: String) -> EventRecord {
        var record = EventRecord(seq: seq, time: EventTime.format(event.time), commit: event.commit, resource: event.resource,
                                 environment: event.environment, type: event.type.rawValue, reason: event.reason,
                                 message: event.message, data: event.data, prev: prev, hash: "")
        record.hash = hash(of: record)
        return record
    }

    /// Seals several events in order after the head (`seq`, `hash`) of the chain.
    public static func seal(_ events: [NewEvent], after head: ChainHead) -> [EventRecord] {
        var records: [EventRecord] = []
        records.reserveCapacity(events.count)
        var prev = head.hash, seq = head.seq
        for event in events {
            seq += 1
            let record = seal(event, seq: seq, prev: prev)
            records.append(record)
            prev = record.hash
        }
        return records
    }

    /// Checks records in order; reports the first that was edited, removed or reordered.
    public static func verify(_ records: some Sequence<EventRecord>) -> ChainVerification {
        var verifier = Verifier()
        for record in records {
            if let problem = verifier.check(record) { return problem }
        }
        return verifier.result
    }

    /// Incremental verification, for logs read line by line.
    public struct Verifier {
        public private(set) var head = ChainHead.empty
        public private(set) var count = 0

        public init() {}

        /// Carries on after `head`, which `count` records verified up to.
        public init(head: ChainHead, count: Int) {
            self.head = head
            self.count = count
        }

        public mutating func check(_ record: EventRecord) -> ChainVerification? {
            if record.seq != head.seq + 1 {
                return .broken(seq: head.seq + 1, reason: "expected seq \(head.seq + 1), found \(record.seq) (a record was removed or reordered)")
            }
            if record.prev != head.hash {
                return .broken(seq: record.seq, reason: "prev does not match the hash of seq \(head.seq) (a record was removed, reordered or edited)")
            }
            if EventChain.hash(of: record) != record.hash {
                return .broken(seq: record.seq, reason: "hash does not match the record's content (the record was edited)")
            }
            head = ChainHead(seq: record.seq, hash: record.hash)
            count += 1
            return nil
        }

        public var result: ChainVerification { .valid(count: count, head: head) }
    }
}

/// The last record of a chain: its seq and hash.
public struct ChainHead: Sendable, Hashable, Codable {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    public static let empty = ChainHead(seq: 0, hash: EventChain.genesis)
}

/// The outcome of verifying a chain.
public enum ChainVerification: Sendable, Hashable {
    case valid(count: Int, head: ChainHead)
    /// The first bad seq and why.
    case broken(seq: Int64, reason: String)

    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}
