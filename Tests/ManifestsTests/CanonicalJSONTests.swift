import Foundation
import Testing
@testable import Manifests

/// RFC 8785 canonical JSON, the Encodable bridge and SHA-256 hex digests.
@Suite struct CanonicalJSONTests {
    /// The sample object of RFC 8785 §3.2.2, built directly.
    @Test func rfc8785SampleObject() {
        let value = JSONValue.object([
            "numbers": .array([
                .double(333333333.33333329), .double(1E30), .double(4.50), .double(2e-3),
                .double(0.000000000000000000000000001),
            ]),
            "string": .string("\u{20ac}$\u{000F}\u{000a}A'\u{0042}\u{0022}\u{005c}\\\"/"),
            "literals": .array([.null, .bool(true), .bool(false)]),
        ])
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(value.canonicalJSON == expected)
        #expect(value.canonicalBytes == Array(expected.utf8))
    }

    /// The same sample parsed from its RFC text through `JSONValue`'s `Decodable`.
    @Test func rfc8785SampleObjectFromText() throws {
        let text = #"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value.canonicalJSON == #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#)
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript text.
    @Test(arguments: [
        (0x0000_0000_0000_0000, "0"), (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"), (0x8000_0000_0000_0001, "-5e-324"),
        (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"), (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"), (0xC340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"), (0x44B5_2D02_C7E1_4AF6, "1e+23"),
        (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
        (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"), (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
        (0x444B_1AE4_D6E2_EF50, "1e+21"),
        (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"), (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
        (0x41B3_DE43_5555_5553, "333333333.3333332"), (0x41B3_DE43_5555_5554, "333333333.33333325"),
        (0x41B3_DE43_5555_5555, "333333333.3333333"), (0x41B3_DE43_5555_5556, "333333333.3333334"),
        (0x41B3_DE43_5555_5557, "333333333.33333343"),
        (0xBECB_F647_612F_3696, "-0.0000033333333333333333"), (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func appendixBNumbers(bits: UInt64, expected: String) {
        #expect(JSONValue.double(Double(bitPattern: bits)).canonicalJSON == expected)
    }

    /// Exponent thresholds, integral doubles and plain integers.
    @Test(arguments: [
        (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"),
        (1e-6, "0.000001"), (0.000001234, "0.000001234"), (123_456_789_012_345_683_968, "123456789012345680000"),
        (1e16, "10000000000000000"), (2.0, "2"), (-2.0, "-2"), (-0.0, "0"), (0.5, "0.5"), (0.1, "0.1"),
        (-1.25, "-1.25"), (1e-4, "0.0001"), (12345.678, "12345.678"), (4.5, "4.5"), (1e308, "1e+308"),
        (5e-7, "5e-7"), (1.7e-6, "0.0000017"), (9_007_199_254_740_994, "9007199254740994"), (2e17 + 64, "200000000000000060"), (1e15 + 0.5, "1000000000000000.5"),
        (Double.nan, "null"), (Double.infinity, "null"), (-Double.infinity, "null"),
    ] as [(Double, String)])
    func doubles(value: Double, expected: String) {
        #expect(JSONValue.double(value).canonicalJSON == expected)
    }

    @Test func integers() {
        let values: [JSONValue] = [.int(0), .int(-42), .int(Int.max), .int(Int.min)]
        #expect(JSONValue.array(values).canonicalJSON == "[0,-42,9223372036854775807,-9223372036854775808]")
    }

    /// RFC 8785 §3.2.3: members sort by the UTF-16 code units of their keys.
    @Test func keyOrderingByUTF16() {
        let value = JSONValue.object([
            "\u{20ac}": .string("Euro Sign"), "\r": .string("Carriage Return"),
            "\u{fb33}": .string("Hebrew Letter Dalet With Dagesh"), "1": .string("One"),
            "\u{1F600}": .string("Emoji: Grinning Face"), "\u{0080}": .string("Control"),
            "\u{00f6}": .string("Latin Small Letter O With Diaeresis"), "\u{10000}": .string("Linear B"),
        ])
        let order = ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                     "Linear B", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"]
        let keys = ["\\r", "1", "\u{0080}", "\u{00f6}", "\u{20ac}", "\u{10000}", "\u{1F600}", "\u{fb33}"]
        let expected = "{" + zip(keys, order).map { "\"\($0)\":\"\($1)\"" }.joined(separator: ",") + "}"
        #expect(value.canonicalJSON == expected)
        #expect(CanonicalWriter.keyPrecedes("a", "ab") && !CanonicalWriter.keyPrecedes("ab", "a"))
        #expect(CanonicalWriter.keyPrecedes("\u{D7FF}", "\u{10000}") && CanonicalWriter.keyPrecedes("\u{10FFFF}", "\u{E000}"))
    }

    /// Control characters, quotes, backslashes and non-ASCII text.
    @Test func stringEscapes() {
        let text = "\u{0}\u{1}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\u{7F} \"\\/é\u{2028}\u{2029}😀"
        let expected = #""\u0000\u0001\b\t\n\u000b\f\r\u001f"# + "\u{7F} \\\"\\\\/é\u{2028}\u{2029}😀\""
        #expect(JSONValue.string(text).canonicalJSON == expected)
        #expect(JSONValue.string("").canonicalJSON == #""""#)
        #expect(JSONValue.string("plain ascii").canonicalJSON == #""plain ascii""#)
    }

    /// Nested arrays and objects, empty containers, no whitespace anywhere.
    @Test func nestedStructures() {
        let value = JSONValue.object([
            "z": .array([.object([:]), .array([]), .object(["b": .int(1), "a": .array([.double(0.5), .null])])]),
            "a": .object(["y": .object(["x": .bool(false)]), "c": .string("d")]),
            "": .int(-1),
        ])
        #expect(value.canonicalJSON == #"{"":-1,"a":{"c":"d","y":{"x":false}},"z":[{},[],{"a":[0.5,null],"b":1}]}"#)
        #expect(JSONValue.array([]).canonicalJSON == "[]")
        #expect(JSONValue.null.canonicalJSON == "null")
    }

    struct Limits: Codable, Equatable { var cpu: Double; var memory: String? }
    enum Tier: String, Codable { case gold, silver }
    enum Action: Codable { case deploy(target: String, replicas: Int), pause }
    struct Spec: Codable {
        var name: String
        var replicas: Int
        var enabled: Bool
        var note: String?
        var limits: Limits
        var tags: [String]
        var labels: [String: String]
        var tier: Tier
        var ratio: Float
        var created: Date
        var actions: [Action]
        var extra: JSONValue
        var small: [Int8]
        var big: UInt64
    }

    static let spec = Spec(
        name: "web", replicas: 3, enabled: true, note: nil, limits: Limits(cpu: 2.0, memory: "1Gi"),
        tags: ["b", "a"], labels: ["team": "core", "app": "web"], tier: .gold, ratio: 0.1,
        created: Date(timeIntervalSince1970: 1_795_418_317), actions: [.deploy(target: "eu", replicas: 2), .pause],
        extra: .object(["k": .array([.int(1), .string("v")])]), small: [-3, 4], big: 1 << 53)

    /// `CanonicalJSON.value(of:)` mirrors synthesized Codable: nil omitted, dates as RFC 3339.
    @Test func encodableToJSONValue() throws {
        let value = try CanonicalJSON.value(of: Self.spec)
        #expect(value["note"] == nil)
        #expect(value["limits"] == .object(["cpu": .double(2), "memory": .string("1Gi")]))
        #expect(value["created"] == .string("2026-11-23T07:18:37.000Z"))
        #expect(value["ratio"] == .double(0.1))
        #expect(value["big"] == .int(9_007_199_254_740_992))
        #expect(value["small"] == .array([.int(-3), .int(4)]))
        #expect(value.canonicalJSON == #"{"actions":[{"deploy":{"replicas":2,"target":"eu"}},{"pause":{}}],"big":9007199254740992,"created":"2026-11-23T07:18:37.000Z","enabled":true,"extra":{"k":[1,"v"]},"labels":{"app":"web","team":"core"},"limits":{"cpu":2,"memory":"1Gi"},"name":"web","ratio":0.1,"replicas":3,"small":[-3,4],"tags":["b","a"],"tier":"gold"}"#)
    }

    /// The bridge agrees with `JSONEncoder` → `JSONDecoder` → `JSONValue` on canonical text.
    @Test func encodableMatchesFoundationRoundTrip() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(CanonicalJSON.timestamp(date))
        }
        var spec = Self.spec
        spec.big = 7
        spec.ratio = 0.5
        let viaFoundation = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(spec))
        let direct = try CanonicalJSON.value(of: spec)
        #expect(direct.canonicalJSON == viaFoundation.canonicalJSON)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(direct.canonicalBytes)).canonicalJSON == direct.canonicalJSON)
        #expect(try CanonicalJSON.value(of: direct) == direct)
    }

    @Test func encodableTopLevelValuesAndErrors() throws {
        #expect(try CanonicalJSON.value(of: 5) == .int(5))
        #expect(try CanonicalJSON.value(of: "s") == .string("s"))
        #expect(try CanonicalJSON.value(of: ["a", nil] as [String?]) == .array([.string("a"), .null]))
        #expect(try CanonicalJSON.value(of: ["x": [1.5]]) == .object(["x": .array([.double(1.5)])]))
        #expect(throws: EncodingError.self) { try CanonicalJSON.value(of: Limits(cpu: .nan, memory: nil)) }
        // An integer beyond ±2^53 has no exact JSON number: refused, never rounded to a double.
        var beyond = Self.spec
        beyond.big = (1 << 53) + 1
        #expect(throws: EncodingError.self) { try CanonicalJSON.value(of: beyond) }
        beyond.big = .max
        #expect(throws: EncodingError.self) { try CanonicalJSON.value(of: beyond) }
    }

    class Base: Encodable { var id = 1 }
    final class Derived: Base {
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(["b", "a"], forKey: .kind)
            try super.encode(to: container.superEncoder())
        }
    }
    enum Keys: String, CodingKey { case kind }

    /// `superEncoder()` nests under "super"; integer-keyed dictionaries get string keys.
    @Test func superEncoderAndIntegerKeys() throws {
        #expect(try CanonicalJSON.value(of: Derived()).canonicalJSON == #"{"kind":["b","a"],"super":{"id":1}}"#)
        #expect(try CanonicalJSON.value(of: [2: "two", 10: "ten"]).canonicalJSON == #"{"10":"ten","2":"two"}"#)
    }

    @Test(arguments: [
        (1_795_418_317.0, "2026-11-23T07:18:37.000Z"), (951_868_799.999, "2000-02-29T23:59:59.999Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"), (-2_208_988_799.999, "1900-01-01T00:00:00.001Z"),
        (1_735_646_400.25, "2024-12-31T12:00:00.250Z"), (0, "1970-01-01T00:00:00.000Z"),
    ] as [(Double, String)])
    func timestamps(seconds: Double, expected: String) {
        #expect(CanonicalJSON.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func sha256Hex() {
        #expect(ContentHash.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash.sha256Hex(Array("abc".utf8)) == ContentHash.sha256Hex("abc"))
        let value = JSONValue.object(["b": .int(1), "a": .string("é")])
        #expect(ContentHash.sha256Hex(value.canonicalBytes) == ContentHash.sha256Hex(#"{"a":"é","b":1}"#))
    }

    /// Hashing 10,000 small specs stays well inside a reconcile budget.
    @Test func hashesTenThousandSpecs() {
        let clock = ContinuousClock()
        var hashes = Set<String>()
        let elapsed = clock.measure {
            for index in 0..<10_000 {
                let spec = JSONValue.object([
                    "name": .string("svc-\(index)"), "replicas": .int(index % 7), "cpu": .double(Double(index) / 8),
                    "labels": .object(["app": .string("web"), "tier": .string("gold"), "zone": .string("eu-\(index % 3)")]),
                    "ports": .array([.int(80), .int(443)]),
                ])
                hashes.insert(ContentHash.sha256Hex(spec.canonicalBytes))
            }
        }
        #expect(hashes.count == 10_000)
        #expect(elapsed < .seconds(120))   // a hang guard only; the speed is scripts/bench's to measure
    }
}
