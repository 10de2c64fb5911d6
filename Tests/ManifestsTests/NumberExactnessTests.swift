import Foundation
@testable import Manifests
import Testing

/// Numbers JSON and the spec hash cannot carry exactly (integers beyond ±2^53, decimals that are
/// not the double they read as) are refused where they are written, on both parsing paths, in
/// typed fields and in free-form `config` and rule `parameters`.
@Suite("Numbers beyond what JSON carries exactly")
struct NumberExactnessTests {
    static let adapter = FleetFixtures.adapter

    private func config(_ value: String, sourceLocation: SourceLocation = #_sourceLocation) -> BothPaths.Outcome {
        let text = "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n  config:\n    x: \(value)\n"
        return BothPaths.parse(text, sourceLocation: sourceLocation)
    }

    private func configValue(_ outcome: BothPaths.Outcome) -> JSONValue? {
        guard case .runtimeAdapter(let adapter)? = outcome.result.resources.first?.body else { return nil }
        return adapter.spec.config?["x"]
    }

    @Test func thirtyTwoDigitTimeoutIsRefusedAtItsPosition() {
        let digits = "12345678901234567890123456789012"
        let text = Self.adapter.replacingOccurrences(of: "watchdog: {timeoutMs: 500}", with: "watchdog: {timeoutMs: \(digits)}")
        let outcome = BothPaths.parse(text, file: "adapters/robotics.yaml")
        #expect(outcome.errors == [
            "adapters/robotics.yaml:23:27: RuntimeAdapter/robotics-main: spec.config.watchdog.timeoutMs: integer \(digits) is outside ±2^53 (9007199254740992), which JSON cannot carry exactly",
        ])
        #expect(!outcome.fast)
    }

    @Test func integerBoundaryInFreeFormValues() {
        for accepted in ["9007199254740992", "-9007199254740992", "0x20000000000000", "-0o400000000000000000"] {
            let outcome = config(accepted)
            #expect(outcome.errors == [], "\(accepted)")
            #expect(configValue(outcome)?.number.map(abs) == 9_007_199_254_740_992, "\(accepted)")
            #expect(outcome.fast, "\(accepted)")
        }
        for refused in ["9007199254740993", "-9007199254740993", "0x20000000000001", "99999999999999999999", "-123456789012345678901234567890"] {
            #expect(config(refused).errors == [
                "case.yaml:7:8: RuntimeAdapter/r: spec.config.x: integer \(refused) is outside ±2^53 (9007199254740992), which JSON cannot carry exactly",
            ], "\(refused)")
        }
    }

    @Test func floatsThatAreNotTheDoubleTheyReadAsAreRefused() {
        for (accepted, value) in [("0.1", 0.1), ("2.50", 2.5), ("1e300", 1e300), ("-0.000001", -0.000001), ("5e-324", .leastNonzeroMagnitude),
                                  ("9007199254740994.0", 9_007_199_254_740_994), (".5", 0.5), ("1.", 1), ("1E+2", 100)] {
            let outcome = config(accepted)
            #expect(outcome.errors == [], "\(accepted)")
            #expect(configValue(outcome) == .double(value), "\(accepted)")
        }
        let cases = [
            ("3.14159265358979323846", "number 3.14159265358979323846 cannot be carried exactly by JSON: it reads as 3.141592653589793 (a 64-bit double); write that, or quote the text"),
            ("0.10000000000000001", "number 0.10000000000000001 cannot be carried exactly by JSON: it reads as 0.1 (a 64-bit double); write that, or quote the text"),
            ("9007199254740993.0", "number 9007199254740993.0 cannot be carried exactly by JSON: it reads as 9007199254740992 (a 64-bit double); write that, or quote the text"),
            ("1e-400", "number 1e-400 cannot be carried exactly by JSON: it reads as 0 (a 64-bit double); write that, or quote the text"),
            ("1e400", "number 1e400 is beyond the range of a 64-bit double, which JSON cannot carry"),
            ("-1.8e308", "number -1.8e308 is beyond the range of a 64-bit double, which JSON cannot carry"),
        ]
        for (refused, message) in cases {
            #expect(config(refused).errors == ["case.yaml:7:8: RuntimeAdapter/r: spec.config.x: \(message)"], "\(refused)")
        }
        // Quoted, the same text is a string and passes.
        #expect(configValue(config("'3.14159265358979323846'")) == .string("3.14159265358979323846"))
    }

    @Test func ruleParametersAreCheckedToo() {
        let text = FleetFixtures.blueprint.replacingOccurrences(of: "maxVelocity: 2.0", with: "maxVelocity: 18446744073709551616")
        let outcome = BothPaths.parse(text, file: "blueprints/nav.yaml")
        #expect(outcome.errors == [
            "blueprints/nav.yaml:17:60: AgentBlueprint/robot-navigation-agent@1.2.0: spec.policies[0].rules[0].parameters.maxVelocity: integer 18446744073709551616 is outside ±2^53 (9007199254740992), which JSON cannot carry exactly",
        ])
    }

    @Test func typedFields() {
        let backup = FleetFixtures.backup
        let huge = BothPaths.parse(backup.replacingOccurrences(of: "keepLast: 24", with: "keepLast: 9007199254740993"), file: "b.yaml")
        #expect(huge.errors == [
            "b.yaml:9:25: BackupSchedule/events-hourly: spec.retention.keepLast: expected a whole number: integer 9007199254740993 is outside ±2^53 (9007199254740992), which JSON cannot carry exactly",
        ])
        let edge = BothPaths.parse(backup.replacingOccurrences(of: "keepLast: 24", with: "keepLast: 9007199254740992"), file: "b.yaml")
        #expect(edge.errors == [])
        #expect(edge.fast)
        // A number field (a double) refuses a decimal it cannot hold exactly.
        let rate = FleetFixtures.environments.replacingOccurrences(of: "maxErrorRate: 0.01", with: "maxErrorRate: 0.010000000000000000001")
        #expect(BothPaths.parse(rate, file: "environments.yaml").errors == [
            "environments.yaml:24:28: Environment/production: spec.gates.health.maxErrorRate: number 0.010000000000000000001 cannot be carried exactly by JSON: it reads as 0.01 (a 64-bit double); write that, or quote the text",
        ])
        // Text beyond a double's range is not an integer at all (the message integer fields gave before).
        let overflow = BothPaths.parse(backup.replacingOccurrences(of: "keepLast: 24", with: "keepLast: 1e400"), file: "b.yaml")
        #expect(overflow.errors == ["b.yaml:9:25: BackupSchedule/events-hourly: spec.retention.keepLast: expected an integer, got '1e400'"])
    }

    @Test func canonicalEncodingRefusesIntegersBeyondTwoToThe53() throws {
        struct Counter: Encodable { var count: Int64; var size: UInt64 }
        #expect(try CanonicalJSON.value(of: Counter(count: 9_007_199_254_740_992, size: 1)).canonicalJSON == #"{"count":9007199254740992,"size":1}"#)
        #expect(throws: EncodingError.self) { try CanonicalJSON.value(of: Counter(count: 9_007_199_254_740_993, size: 1)) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.value(of: Counter(count: 0, size: .max)) }
        #expect(throws: EncodingError.self) { try CanonicalJSON.value(of: [Int.min]) }
    }

    @Test func jsonValueRefusesIntegersNoDoubleEquals() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(JSONValue.self, from: Data("[9007199254740992, 1.5]".utf8)) == .array([.int(9_007_199_254_740_992), .double(1.5)]))
        // RFC 8785 writes a large double in full: it reads back as the same number.
        let large = JSONValue.double(1e18)
        let readBack = try decoder.decode(JSONValue.self, from: Data(large.canonicalBytes))
        #expect(readBack.canonicalJSON == large.canonicalJSON)
        #expect(throws: DecodingError.self) { try decoder.decode(JSONValue.self, from: Data(#"{"id": 9007199254740993}"#.utf8)) }
    }
}
