import EventLog
import Foundation
import Manifests
import Testing

/// Stored lines are read with `JSONParser`, not `JSONDecoder`: the same records come out, and the
/// same lines are refused.
@Suite("Event record lines")
struct EventRecordLineTests {
    private func decoded(_ line: String) -> EventRecord? {
        try? JSONDecoder().decode(EventRecord.self, from: Data(line.utf8))
    }

    @Test func everyWrittenRecordReadsBackAsTheDecoderReadsIt() throws {
        let texts = ["", "plain", "quote \" and \\ backslash / slash", "tab\tnew\nline\u{01}", "é ✓ 𝄞 \u{E000}"]
        let datas: [JSONValue?] = [nil, .object([:]), .array([.null, .bool(false), .int(-7), .double(2.5e-8)]),
                                   .object(["z": .int(1), "a": .array([.string("x"), .double(0.25)]), "é": .bool(true),
                                            "spec": .object(["nested": .object(["deep": .string("\u{7F}\u{2028}")])])])]
        for (index, text) in texts.enumerated() {
            for data in datas {
                let present = index % 2 == 0
                let record = EventRecord(seq: Int64(index * 1_000_003 + 1), time: "2027-01-15T08:00:00.000Z", commit: present ? text : nil,
                                         resource: present ? nil : "Deployment/\(text)", environment: present ? "staging" : nil,
                                         type: "stateChanged", reason: text, message: text, data: data,
                                         prev: EventChain.genesis, hash: String(repeating: "ab", count: 32))
                #expect(EventRecord(line: record.line) == record)
                #expect(EventRecord(line: record.line) == decoded(record.line))
                #expect(EventRecord(line: Data(record.line.utf8)) == record)
            }
        }
    }

    @Test func linesTheDecoderAcceptsOrRefusesAreAcceptedOrRefused() {
        let hash = String(repeating: "0", count: 64)
        let whole = #"{"commit":null,"data":null,"environment":null,"hash":"\#(hash)","message":"m","prev":"\#(hash)","reason":"r","resource":null,"seq":3,"time":"t","type":"x"}"#
        let lines = [
            whole,
            // Optional members absent, unknown members, spacing: accepted.
            #"{ "hash":"h", "message":"m", "prev":"p", "reason":"r", "seq": 3, "time":"t", "type":"x", "extra": [1, {"a": 2}] }"#,
            #"{"commit":"c","data":{"a":[1,2.5,"\u00e9\n"]},"environment":"e","hash":"h","message":"m","prev":"p","reason":"r","resource":"Deployment/a","seq":9,"time":"t","type":"x"}"#,
            // Refused: a required member missing or of another type, an optional one of another type, not JSON.
            whole.replacingOccurrences(of: #""message":"m","#, with: ""),
            whole.replacingOccurrences(of: #""seq":3"#, with: #""seq":"3""#),
            whole.replacingOccurrences(of: #""seq":3"#, with: #""seq":3.5"#),
            whole.replacingOccurrences(of: #""commit":null"#, with: #""commit":7"#),
            whole.replacingOccurrences(of: #""resource":null"#, with: #""resource":["a"]"#),
            whole.replacingOccurrences(of: #""hash":""#, with: #""hash":null,"h":""#),
            String(whole.dropLast()),
            whole + " x",
            "[" + whole + "]",
            "",
        ]
        for line in lines {
            let fast = EventRecord(line: line), slow = decoded(line)
            #expect((fast == nil) == (slow == nil), "\(line)")
            #expect(fast == slow, "\(line)")
        }
        #expect(EventRecord(line: lines[0]) != nil && EventRecord(line: lines[3]) == nil)
    }
}
