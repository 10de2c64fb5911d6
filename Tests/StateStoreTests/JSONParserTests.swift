import Foundation
import Manifests
import Testing
@testable import StateStore

/// The store's JSON reader agrees with `JSONValue`'s `Decodable` and refuses what is not JSON.
@Suite struct JSONParserTests {
    @Test func canonicalTextRoundTrips() throws {
        let value = JSONValue.object([
            "int": .int(-42), "big": .int(9_007_199_254_740_992), "double": .double(1.5), "tiny": .double(1e-27), "huge": .double(1e30),
            "text": .string("tab\t quote\" backslash\\ slash/ control\u{01} é ✓ 🚀"), "empty": .object([:]), "list": .array([]),
            "nested": .array([.null, .bool(true), .bool(false), .object(["a": .array([.int(1), .double(2.25)])])]),
        ])
        #expect(try JSONParser.parse(value.canonicalJSON, what: "test") == value)
        #expect(try JSONParser.parse(value.canonicalJSON, what: "test") == JSONDecoder().decode(JSONValue.self, from: Data(value.canonicalJSON.utf8)))
    }

    @Test func escapesAndWhitespace() throws {
        let text = #" { "a" : [ 1 , 2.0 , -3e2 ] , "s" : "\u00e9\ud83d\ude80\n\/" } "#
        #expect(try JSONParser.parse(text, what: "test") == .object(["a": .array([.int(1), .double(2), .double(-300)]), "s": .string("é🚀\n/")]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "nul", "\"\\x\"", "NaN"])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: StoreError.self) { try JSONParser.parse(text, what: "test") }
    }

    @Test func refusesDeepNesting() {
        #expect(throws: StoreError.self) { try JSONParser.parse(String(repeating: "[", count: 10_000), what: "test") }
        #expect(throws: Never.self) { try JSONParser.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100), what: "test") }
    }
}
