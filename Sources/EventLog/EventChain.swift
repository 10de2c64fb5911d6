import Crypto
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

    /// Seals a new event as record `seq` after `prev`, writing its canonical JSON once: for the
    /// hash and, with the hash spliced in where canonical order puts it, for the line.
    static func sealed(_ event: NewEvent, seq: Int64, prev: String) -> SealedRecord {
        var record = EventRecord(seq: seq, time: EventTime.format(event.time), commit: event.commit, resource: event.resource,
                                 environment: event.environment, type: event.type.rawValue, reason: event.reason,
                                 message: event.message, data: event.data, prev: prev, hash: "")
        let (head, tail) = record.canonicalHalves()
        var hasher = SHA256()
        hasher.update(data: Array(prev.utf8))
        hasher.update(data: head)
        hasher.update(data: tail)
        record.hash = ContentHash.hex(hasher.finalize())
        var line = head
        line.reserveCapacity(head.count + tail.count + 76)
        line += #","hash":""#.utf8
        line += record.hash.utf8
        line.append(UInt8(ascii: "\""))
        line += tail
        return SealedRecord(record: record, line: line)
    }

    /// Seals several events in order after the head (`seq`, `hash`) of the chain.
    public static func seal(_ events: [NewEvent], after head: ChainHead) -> [EventRecord] {
        sealed(events, after: head).map(\.record)
    }

    /// `seal`, each record with its line.
    public static func sealed(_ events: [NewEvent], after head: ChainHead) -> [SealedRecord] {
        var records: [SealedRecord] = []
        records.reserveCapacity(events.count)
        var prev = head.hash, seq = head.seq
        for event in events {
            seq += 1
            let next = sealed(event, seq: seq, prev: prev)
            records.append(next)
            prev = next.record.hash
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

/// A record just sealed, with its line: its canonical JSON, which the log stores and `logs -o json` prints.
public struct SealedRecord: Sendable {
    public let record: EventRecord
    /// The UTF-8 bytes of `record.line`, without a newline.
    public let line: [UInt8]

    public var text: String { String(decoding: line, as: UTF8.self) }
}
