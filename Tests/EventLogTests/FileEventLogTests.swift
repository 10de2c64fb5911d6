@testable import EventLog
import Foundation
import Manifests
import StewardTesting
import Testing

@Suite("File event log: append, read, verify, tamper detection, torn lines")
struct FileEventLogTests {
    private func events(_ count: Int, from start: Int = 0) -> [NewEvent] {
        (start..<start + count).map { index in
            NewEvent(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), commit: "abc\(index)", resource: "Deployment/d\(index)",
                     environment: index % 2 == 0 ? "staging" : nil, type: .actionSucceeded, reason: "Deployed",
                     message: "deployed \(index) — ok", data: .object(["n": .int(index), "ratio": .double(0.5)]))
        }
    }

    private func lines(_ directory: String) throws -> [String] {
        try String(contentsOfFile: directory + "/events-000001.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    private func write(_ lines: [String], _ directory: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/events-000001.jsonl", atomically: true, encoding: .utf8)
    }

    @Test func appendReadAndTail() throws {
        let dir = try TemporaryDirectory()
        let log = try FileEventLog(directory: dir.path)
        let first = try log.append(events(3))
        #expect(first.map(\.seq) == [1, 2, 3])
        #expect(first[0].prev == EventChain.genesis)
        #expect(first[1].prev == first[0].hash)
        #expect(first[0].time == "2027-01-15T08:00:00.000Z")
        try log.append(events(2, from: 3))
        #expect(log.head.seq == 5)
        #expect(try log.read().count == 5)
        #expect(try log.read(since: 3).map(\.seq) == [4, 5])
        #expect(try log.read(since: 0, limit: 2).map(\.seq) == [1, 2])
        let reopened = try FileEventLog(directory: dir.path)
        #expect(reopened.head == log.head)
        #expect(try reopened.read() == log.read())
        #expect(try reopened.verify() == .valid(count: 5, head: log.head))
    }

    @Test func hashFollowsTheDesignFormula() throws {
        let dir = try TemporaryDirectory()
        let record = try #require(try FileEventLog(directory: dir.path).append(events(1)).first)
        var bytes = Array(record.prev.utf8)
        bytes += record.jsonValue(includingHash: false).canonicalBytes
        #expect(record.hash == ContentHash.sha256Hex(bytes))
        #expect(try lines(dir.path) == [record.line])
    }

    /// The record's members are written in their fixed order, not through a sorted dictionary:
    /// byte for byte what the general canonical writer makes of `jsonValue`, with and without
    /// `hash`, for absent and present fields, escapes and non-ASCII text.
    @Test func fixedOrderWritingIsTheCanonicalJSON() {
        let texts = ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline\u{01}", "é ✓ 𝄞 \u{E000}"]
        let datas: [JSONValue?] = [nil, .null, .object([:]), .object(["z": .int(1), "a": .array([.string("x"), .double(0.25)]), "é": .bool(true)])]
        for (index, text) in texts.enumerated() {
            for data in datas {
                let present = index % 2 == 0
                let record = EventRecord(seq: Int64(index * 1_000_003), time: "2027-01-15T08:00:00.000Z", commit: present ? text : nil,
                                         resource: present ? nil : "Deployment/\(text)", environment: present ? "staging" : nil,
                                         type: "actionSucceeded", reason: text, message: text, data: data,
                                         prev: EventChain.genesis, hash: String(repeating: "ab", count: 32))
                #expect(record.canonicalBytes(includingHash: false) == record.jsonValue(includingHash: false).canonicalBytes)
                #expect(record.canonicalBytes() == record.jsonValue().canonicalBytes)
                #expect(record.line == record.jsonValue().canonicalJSON)
            }
        }
    }

    /// Sealing writes each record once and splices the hash into that text: the line is byte for
    /// byte the record's canonical JSON, and the hash the DESIGN formula over it without `hash`.
    @Test func sealedLinesAreTheRecordsCanonicalJSON() {
        let texts = ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline\u{01}", "é ✓ 𝄞 \u{E000}"]
        let datas: [JSONValue?] = [nil, .null, .object(["z": .int(1), "a": .array([.string("x"), .double(0.25)]), "hash": .string("inner")])]
        var events: [NewEvent] = []
        for (index, text) in texts.enumerated() {
            for data in datas {
                events.append(NewEvent(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), commit: index % 2 == 0 ? text : nil,
                                       resource: index % 2 == 0 ? nil : "Deployment/\(text)", environment: index % 3 == 0 ? nil : text,
                                       type: "actionSucceeded", reason: text, message: text, data: data))
            }
        }
        let sealed = EventChain.sealed(events, after: ChainHead(seq: 41, hash: String(repeating: "c", count: 64)))
        #expect(sealed.map(\.record.seq) == Array(42...Int64(41 + events.count)))
        var prev = String(repeating: "c", count: 64)
        for item in sealed {
            #expect(item.record.prev == prev)
            #expect(item.text == item.record.jsonValue().canonicalJSON)
            #expect(item.text == item.record.line)
            #expect(item.record.hash == ContentHash.sha256Hex(Array(prev.utf8) + item.record.jsonValue(includingHash: false).canonicalBytes))
            prev = item.record.hash
        }
        #expect(EventChain.verify(EventChain.seal(events, after: .empty)) == .valid(count: events.count, head: EventChain.seal(events, after: .empty).last.map { ChainHead(seq: $0.seq, hash: $0.hash) }!))
    }

    @Test func editedRemovedAndReorderedLinesAreDetected() throws {
        let dir = try TemporaryDirectory()
        try FileEventLog(directory: dir.path).append(events(5))
        let original = try lines(dir.path)

        try write(original.enumerated().map { $0.offset == 2 ? $0.element.replacingOccurrences(of: "deployed 2", with: "deployed X") : $0.element }, dir.path)
        guard case .broken(let edited, _) = try FileEventLog(directory: dir.path).verify() else { Issue.record("edit not detected"); return }
        #expect(edited == 3)

        try write(original.enumerated().filter { $0.offset != 1 }.map(\.element), dir.path)
        guard case .broken(let removed, _) = try FileEventLog(directory: dir.path).verify() else { Issue.record("removal not detected"); return }
        #expect(removed == 2)

        var swapped = original
        swapped.swapAt(3, 4)
        try write(swapped, dir.path)
        guard case .broken(let reordered, _) = try FileEventLog(directory: dir.path).verify() else { Issue.record("reorder not detected"); return }
        #expect(reordered == 4)
    }

    @Test func tornLastLineIsTruncatedWithAWarning() throws {
        let dir = try TemporaryDirectory()
        try FileEventLog(directory: dir.path).append(events(2))
        let handle = try #require(FileHandle(forWritingAtPath: dir.path + "/events-000001.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":3,\"time\":\"2027".utf8))
        try handle.close()
        let log = try FileEventLog(directory: dir.path)
        let records = try log.read()
        #expect(records.map(\.seq) == [1, 2, 3])
        #expect(records.last?.type == "warning")
        #expect(records.last?.reason == "TornLineTruncated")
        #expect(try log.verify().isValid)
    }

    /// Read from the file's end, through windows from one byte (each line longer than several
    /// windows) to more than the file.
    @Test func theLastLineIsFoundFromTheEnd() throws {
        let dir = try TemporaryDirectory()
        let long = String(repeating: "x", count: 300)
        let cases: [(String, String?)] = [
            ("a\nb\n", "b"), ("a\nb\n\n\n", "b"), ("a\nb", "b"), ("only", "only"), ("only\n", "only"), ("", nil), ("\n\n", nil),
            ("a\n\(long)\n", long), ("\(long)\n\(long)b\n\n", long + "b"), ("\n\n\(long)", long),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let path = dir.path + "/segment-\(index)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            for window: UInt64 in [1, 7, 64, 1 << 16] {
                let line = FileEventLog.lastLine(ofFile: path, window: window).map { String(decoding: $0, as: UTF8.self) }
                #expect(line == expected, "\(text.debugDescription) in windows of \(window)")
            }
        }
        #expect(FileEventLog.lastLine(ofFile: dir.path + "/missing") == nil)
    }

    @Test func aReopenedLogContinuesTheChainOfManyLines() throws {
        let dir = try TemporaryDirectory()
        _ = try FileEventLog(directory: dir.path).append(events(500))
        let reopened = try FileEventLog(directory: dir.path)
        #expect(reopened.head.seq == 500)
        #expect(try reopened.append(events(1, from: 500)).map(\.seq) == [501])
        #expect(try reopened.verify() == .valid(count: 501, head: reopened.head))
    }

    @Test func segmentsRotateBySize() throws {
        let dir = try TemporaryDirectory()
        let log = try FileEventLog(directory: dir.path, segmentBytes: 2048)
        for start in stride(from: 0, to: 40, by: 4) { try log.append(events(4, from: start)) }
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jsonl") }
        #expect(segments.count > 3)
        #expect(try log.read().map(\.seq) == Array(1...40))
        #expect(try FileEventLog(directory: dir.path, segmentBytes: 2048).verify() == .valid(count: 40, head: log.head))
    }

    @Test func unreadableLastLineRefusesAppends() throws {
        let dir = try TemporaryDirectory()
        try FileEventLog(directory: dir.path).append(events(2))
        var damaged = try lines(dir.path)
        damaged[1] = "not json"
        try write(damaged, dir.path)
        let log = try FileEventLog(directory: dir.path)
        #expect(throws: EventLogError.self) { try log.append(events(1)) }
        guard case .broken(let seq, _) = try log.verify() else { Issue.record("corruption not reported"); return }
        #expect(seq == 2)
    }
}
