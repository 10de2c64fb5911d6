@testable import Manifests
import Testing

/// Explicit YAML 1.2 core tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq`,
/// their `tag:yaml.org,2002:` long form and the non-specific `!`) decide a scalar's type, on the
/// fast path and on the general path alike; text that does not fit its tag is refused.
@Suite("Explicit core tags")
struct CoreTagTests {
    static let backup = """
        apiVersion: steward/v1
        kind: BackupSchedule
        metadata: {name: b, labels: {team: edge}}
        spec:
          schedule: '0 * * * *'
          target: eventLog
          destination: ./b
          retention: {keepLast: 3}
          verify: true

        """

    /// The backup manifest with `old` replaced, parsed on both paths.
    private func backup(_ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation) -> BothPaths.Outcome {
        precondition(Self.backup.contains(old))
        return BothPaths.parse(Self.backup.replacingOccurrences(of: old, with: new), sourceLocation: sourceLocation)
    }

    private func spec(_ outcome: BothPaths.Outcome) throws -> BackupScheduleSpec {
        #expect(outcome.errors == [])
        guard case .backupSchedule(let schedule)? = outcome.result.resources.first?.body else {
            throw ProblemInTest(message: "no BackupSchedule: \(outcome.errors)")
        }
        return schedule.spec
    }

    struct ProblemInTest: Error { var message: String }

    @Test func integerFieldTakesTaggedIntegers() throws {
        for (written, expected) in [("!!int \"7\"", 7), ("!!int '0x1F'", 31), ("!<tag:yaml.org,2002:int> \"7\"", 7), ("!!int -0o7", -7)] {
            let outcome = backup("keepLast: 3", "keepLast: \(written)")
            #expect(try spec(outcome).retention?.keepLast == expected, "\(written)")
            #expect(outcome.fast, "\(written)")
        }
    }

    @Test func integerFieldRefusesOtherTags() {
        let cases = [
            ("!!str 12", "expected an integer, got the string '12'"),
            ("!!float 7", "expected a whole number, got '7' (tagged !!float)"),
            ("!!int abc", "'abc' does not fit its tag !!int (expected an integer)"),
            ("!!int 1.5", "'1.5' does not fit its tag !!int (expected an integer)"),
            ("!!map 3", "a scalar cannot be tagged !!map"),
            ("!!int 9007199254740993",
             "expected a whole number: integer 9007199254740993 is outside ±2^53 (9007199254740992), which JSON cannot carry exactly"),
        ]
        for (written, message) in cases {
            let outcome = backup("keepLast: 3", "keepLast: \(written)")
            #expect(outcome.errors == ["case.yaml:8:25: BackupSchedule/b: spec.retention.keepLast: \(message)"], "\(written)")
            #expect(!outcome.fast)
        }
    }

    @Test func booleanFieldTakesTaggedBooleans() throws {
        for (written, expected) in [("!!bool \"true\"", true), ("!!bool 'FALSE'", false), ("!!bool False", false)] {
            let outcome = backup("verify: true", "verify: \(written)")
            #expect(try spec(outcome).verify == expected, "\(written)")
            #expect(outcome.fast, "\(written)")
        }
        let null = backup("verify: true", "verify: !!null ~")
        #expect(try spec(null).verify == nil)
        #expect(null.fast)
    }

    @Test func booleanFieldRefusesOtherTags() {
        let cases = [
            ("!!str true", "expected a boolean (true or false), got the string 'true'"),
            ("!!bool yes", "'yes' does not fit its tag !!bool (expected true or false)"),
            ("!!bool 1", "'1' does not fit its tag !!bool (expected true or false)"),
            ("!!null yes", "'yes' does not fit its tag !!null (expected ~, null or nothing)"),
            ("!!int 1", "expected a boolean (true or false), got '1' (tagged !!int)"),
        ]
        for (written, message) in cases {
            let outcome = backup("verify: true", "verify: \(written)")
            #expect(outcome.errors == ["case.yaml:9:11: BackupSchedule/b: spec.verify: \(message)"], "\(written)")
        }
    }

    @Test func stringFieldTakesStrTaggedScalarsAsWritten() throws {
        for (written, expected) in [("!!str 12", "12"), ("!!str true", "true"), ("!!str ~", "~"), ("! 0x1F", "0x1F"), ("!!str '3'", "3")] {
            let outcome = backup("destination: ./b", "destination: \(written)")
            #expect(try spec(outcome).destination == expected, "\(written)")
            #expect(outcome.fast, "\(written)")
        }
        let labels = backup("labels: {team: edge}", "labels: {team: !!str 12, tier: ! 007}")
        guard case .backupSchedule(let schedule)? = labels.result.resources.first?.body else {
            Issue.record("not decoded: \(labels.errors)"); return
        }
        #expect(schedule.metadata.labels == ["team": "12", "tier": "007"])
    }

    @Test func stringFieldRefusesOtherTypesTags() {
        let cases = [
            ("!!int 12", "expected a string, got '12' (tagged !!int)"),
            ("!!bool true", "expected a string, got 'true' (tagged !!bool)"),
            ("!!null ~", "expected a string, got null"),
            ("!!float abc", "'abc' does not fit its tag !!float (expected a finite number)"),
        ]
        for (written, message) in cases {
            let outcome = backup("destination: ./b", "destination: \(written)")
            #expect(outcome.errors == ["case.yaml:7:16: BackupSchedule/b: spec.destination: \(message)"], "\(written)")
        }
    }

    @Test func collectionTags() throws {
        let map = backup("retention: {keepLast: 3}", "retention: !!map {keepLast: 3}")
        #expect(try spec(map).retention?.keepLast == 3)
        #expect(map.fast)
        #expect(backup("retention: {keepLast: 3}", "retention: !!seq {keepLast: 3}").errors
            == ["case.yaml:8:14: BackupSchedule/b: spec.retention: a mapping cannot be tagged !!seq"])
        #expect(backup("retention: {keepLast: 3}", "retention: !!str {keepLast: 3}").errors
            == ["case.yaml:8:14: BackupSchedule/b: spec.retention: a mapping cannot be tagged !!str"])
        let list = backup("target: eventLog", "target: command\n  command: !!seq [./b.sh]")
        #expect(try spec(list).command == ["./b.sh"])
        #expect(backup("target: eventLog", "target: command\n  command: !!map [./b.sh]").errors
            == ["case.yaml:7:12: BackupSchedule/b: spec.command: a list cannot be tagged !!map"])
    }

    @Test func taggedKeys() {
        let wrong = backup("labels: {team: edge}", "labels: {!!int abc: x}")
        #expect(wrong.errors == ["case.yaml:3:30: BackupSchedule/b: metadata.labels: mapping key: 'abc' does not fit its tag !!int (expected an integer)"])
        let duplicate = backup("labels: {team: edge}", "labels: {\"1\": a, !!int 1: b}")
        #expect(duplicate.errors == ["case.yaml:3:38: BackupSchedule/b: metadata.labels: duplicate key '1' in a mapping"])
        let fine = backup("labels: {team: edge}", "labels: {!!str team: edge, !!int 7: seven}")
        #expect(fine.errors == [])
        #expect(!fine.fast)   // tagged keys are left to the general path
    }

    @Test func freeFormValuesFollowTheirTags() throws {
        let text = """
            apiVersion: steward/v1
            kind: RuntimeAdapter
            metadata: {name: r}
            spec:
              runtimeType: cloud
              config:
                a: !!str 12
                b: !!int "7"
                c: !!float "2.5"
                d: !!bool "false"
                e: !!null ""
                f: ! 12
                g: !<tag:yaml.org,2002:int> 0x1F
                h: !!str true
                i: !!map {x: !!float 1}
                j: !!seq [!!str null]
                k: !!float 7
                l: 7

            """
        let outcome = BothPaths.parse(text)
        #expect(outcome.errors == [])
        #expect(outcome.fast)
        guard case .runtimeAdapter(let adapter)? = outcome.result.resources.first?.body else {
            Issue.record("not decoded: \(outcome.errors)"); return
        }
        #expect(adapter.spec.config == .object([
            "a": .string("12"), "b": .int(7), "c": .double(2.5), "d": .bool(false), "e": .null, "f": .string("12"),
            "g": .int(31), "h": .string("true"), "i": .object(["x": .double(1)]), "j": .array([.string("null")]),
            "k": .double(7), "l": .int(7),
        ]))
    }

    @Test func freeFormValuesThatDoNotFitTheirTagsAreRefused() {
        let head = "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n  config:\n    x: "
        let cases = [
            ("!!int abc", "'abc' does not fit its tag !!int (expected an integer)"),
            ("!!float .inf", "'.inf' does not fit its tag !!float (expected a finite number)"),
            ("!!float 1e400", "number 1e400 is beyond the range of a 64-bit double, which JSON cannot carry"),
            ("!!bool yes", "'yes' does not fit its tag !!bool (expected true or false)"),
            ("!!null 0", "'0' does not fit its tag !!null (expected ~, null or nothing)"),
            ("!!seq 1", "a scalar cannot be tagged !!seq"),
            ("!!map [1]", "a list cannot be tagged !!map"),
        ]
        for (written, message) in cases {
            let outcome = BothPaths.parse(head + written + "\n")
            #expect(outcome.errors == ["case.yaml:7:8: RuntimeAdapter/r: spec.config.x: \(message)"], "\(written)")
        }
    }

    @Test func nonCoreTagsStayRefused() {
        let outcome = backup("destination: ./b", "destination: !!binary aGVsbG8=")
        #expect(outcome.errors == ["case.yaml:7:16: tag '!!binary' is not allowed: only YAML 1.2 core types are accepted"])
        let custom = backup("verify: true", "verify: !bool true")
        #expect(custom.errors == ["case.yaml:9:11: tag '!bool' is not allowed: only YAML 1.2 core types are accepted"])
    }

    @Test func nullTaggedDocumentsAreEmpty() {
        let outcome = BothPaths.parse("--- !!null\n--- !!null ''\n---\n" + Self.backup)
        #expect(outcome.errors == [])
        #expect(outcome.result.resources.count == 1)
        #expect(outcome.fast)
    }
}
