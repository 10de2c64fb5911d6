@testable import Controller
import Foundation
import StewardTesting
import Testing

/// A hostile fixture (`Fixtures/hostile/NAME`) and the message its refusal must contain.
struct HostileCase: Sendable, CustomTestStringConvertible {
    var file: String
    var message: String
    var testDescription: String { file }
}

/// Every case goes through the real controller path: a real git repository converged on the
/// quickstart fleet, a hostile commit on top (with a legitimate change beside it), one `Reconciler`
/// pass (SQLite store, local driver). Refused means: the pass reports an error naming file:line,
/// nothing of the commit reaches the store or the target files, and the next good commit applies.
/// Each refusal is timed and printed (`HOSTILE …` lines, read by scripts/hostile-report); durations
/// are never asserted.
@Suite("Hostile inputs are refused through the real controller path", .serialized)
struct HostileInputTests {
    static let fixtures = StewardProcess.packageRoot.appendingPathComponent("Tests/ControllerTests/Fixtures/hostile").path

    static let refused: [HostileCase] = [
        // alias bombs and merge keys (§2: alias expansion beyond 10,000 nodes; merge keys into themselves)
        HostileCase(file: "alias-bomb.yaml", message: "hostile/alias-bomb.yaml:5:29: alias expansion exceeds 10000 nodes"),
        // Found by scripts/fuzz: a billion-laughs alias used as a mapping key hung the composer (key hashing).
        HostileCase(file: "alias-bomb-as-key.yaml", message: "hostile/alias-bomb-as-key.yaml:15:40: alias expansion exceeds 10000 nodes"),
        HostileCase(file: "alias-bomb-mappings.yaml", message: "hostile/alias-bomb-mappings.yaml:10:73: alias expansion exceeds 10000 nodes"),
        HostileCase(file: "alias-as-key.yaml", message: "hostile/alias-as-key.yaml:6:3: an alias cannot be used as a mapping key"),
        HostileCase(file: "merge-key-self.yaml", message: "hostile/merge-key-self.yaml:6:7: invalid YAML: found undefined alias"),
        HostileCase(file: "merge-key-cycle.yaml", message: "hostile/merge-key-cycle.yaml:6:19: invalid YAML: found undefined alias"),
        HostileCase(file: "merge-key-chain.yaml", message: "hostile/merge-key-chain.yaml:78:20: alias expansion exceeds 10000 nodes"),
        HostileCase(file: "complex-key.yaml", message: "hostile/complex-key.yaml:6:3: complex mapping keys ('?') are not supported"),
        HostileCase(file: "collection-key.yaml", message: "hostile/collection-key.yaml:6:9: a list or mapping cannot be used as a mapping key"),
        // nesting, size and document limits
        HostileCase(file: "deep-block-nesting.yaml", message: "hostile/deep-block-nesting.yaml:69:127: nesting deeper than 64 levels"),
        HostileCase(file: "too-many-documents.yaml", message: "hostile/too-many-documents.yaml:2002:1: more than 1000 documents in one file"),
        // bytes: invalid UTF-8, UTF-16, NUL and other control characters, a BOM inside a value
        HostileCase(file: "invalid-utf8.yaml", message: "hostile/invalid-utf8.yaml:7:22: file is not valid UTF-8"),
        HostileCase(file: "overlong-utf8.yaml", message: "hostile/overlong-utf8.yaml:7:16: file is not valid UTF-8"),
        HostileCase(file: "utf16.yaml", message: "hostile/utf16.yaml:1:1: file is not valid UTF-8"),
        // libyaml's reader reports a byte offset only, so these name 1:1 and the byte (reported as a gap).
        HostileCase(file: "nul-byte.yaml", message: "hostile/nul-byte.yaml:7:17: invalid YAML: control characters are not allowed (U+0000)"),
        HostileCase(file: "control-characters.yaml", message: "hostile/control-characters.yaml:7:17: invalid YAML: control characters are not allowed (U+001B)"),
        HostileCase(file: "bom-inside-name.yaml", message: "hostile/bom-inside-name.yaml:4:9: RuntimeAdapter/bom\u{FEFF}name: metadata.name: invalid name"),
        // duplicate keys and names
        HostileCase(file: "duplicate-keys.yaml", message: "hostile/duplicate-keys.yaml:3:1: duplicate key 'kind' in a mapping"),
        HostileCase(file: "duplicate-keys-nested.yaml", message: "hostile/duplicate-keys-nested.yaml:7:3: duplicate key 'enabled' in a mapping"),
        HostileCase(file: "duplicate-keys-quoted.yaml", message: "hostile/duplicate-keys-quoted.yaml:6:3: duplicate key 'runtimeType' in a mapping"),
        HostileCase(file: "duplicate-names.yaml",
                    message: "hostile/duplicate-names.yaml:4:18: RuntimeAdapter/desktop-main: metadata.name: duplicate RuntimeAdapter/desktop-main: already defined at adapters/desktop-main.yaml:5:9"),
        // YAML 1.1 booleans are strings in YAML 1.2 core: a boolean field given one is an error
        HostileCase(file: "yaml11-yes.yaml", message: "hostile/yaml11-yes.yaml:8:12: Deployment/robot-nav-staging-2: spec.suspend: expected a boolean (true or false), got 'yes'"),
        HostileCase(file: "yaml11-on.yaml", message: "hostile/yaml11-on.yaml:7:12: RuntimeAdapter/switch: spec.enabled: expected a boolean (true or false), got 'on'"),
        HostileCase(file: "yaml11-no.yaml", message: "hostile/yaml11-no.yaml:9:11: BackupSchedule/nightly: spec.verify: expected a boolean (true or false), got 'no'"),
        // tags outside the core schema
        HostileCase(file: "tag-python.yaml", message: "hostile/tag-python.yaml:7:16: tag '!!python/object/apply:os.system' is not allowed"),
        HostileCase(file: "tag-custom.yaml", message: "hostile/tag-custom.yaml:7:16: tag '!secret' is not allowed"),
        HostileCase(file: "tag-binary.yaml", message: "hostile/tag-binary.yaml:7:16: tag '!!binary' is not allowed"),
        HostileCase(file: "tag-verbatim.yaml", message: "hostile/tag-verbatim.yaml:7:16: tag 'tag:example.com,2024:evil' is not allowed"),
        // numbers out of range
        HostileCase(file: "huge-integer.yaml", message: "hostile/huge-integer.yaml:9:25: BackupSchedule/huge-int: spec.retention.keepLast: expected a whole number"),
        HostileCase(file: "huge-float.yaml", message: "hostile/huge-float.yaml:9:27: BackupSchedule/huge-float: spec.retention.maxAgeDays: expected an integer, got '1e400'"),
        HostileCase(file: "not-a-number.yaml", message: "hostile/not-a-number.yaml:8:32: RuntimeAdapter/nan-limits: spec.config.resourceLimits.cpuCores: expected a positive number"),
        // path-like names, versions, references and time zones
        HostileCase(file: "name-dotdot.yaml", message: "hostile/name-dotdot.yaml:4:18: Deployment/../../../etc/cron.d/evil: metadata.name: invalid name '../../../etc/cron.d/evil'"),
        HostileCase(file: "name-slash.yaml", message: "hostile/name-slash.yaml:4:18: RuntimeAdapter/adapters/evil: metadata.name: invalid name 'adapters/evil'"),
        HostileCase(file: "name-absolute.yaml", message: "hostile/name-absolute.yaml:4:18: Deployment//etc/passwd: metadata.name: invalid name '/etc/passwd'"),
        HostileCase(file: "name-too-long.yaml", message: "is longer than 63 characters"),
        HostileCase(file: "version-path.yaml", message: "hostile/version-path.yaml:6:12: AgentBlueprint/sneaky@1.0.0/../../../../x: spec.version: '1.0.0/../../../../x' is not a semantic version"),
        HostileCase(file: "blueprint-name-path.yaml", message: "hostile/blueprint-name-path.yaml:5:19: Deployment/sneaky-ref: spec.blueprint: invalid name '../blueprints/x'"),
        HostileCase(file: "timezone-path.yaml", message: "hostile/timezone-path.yaml:8:74: Environment/tz: spec.syncWindows[0].timeZone: unknown time zone '../../../../etc/passwd'"),
        // broken YAML and wrong shapes
        HostileCase(file: "unterminated-quote.yaml", message: "hostile/unterminated-quote.yaml:6:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 4)"),
        HostileCase(file: "tab-indent.yaml", message: "hostile/tab-indent.yaml:5:1: invalid YAML: found character that cannot start any token"),
        HostileCase(file: "scalar-document.yaml", message: "hostile/scalar-document.yaml:2:1: a manifest must be a mapping with apiVersion, kind, metadata and spec"),
        HostileCase(file: "unknown-kind.yaml", message: "hostile/unknown-kind.yaml:3:7: Secret/creds: kind: unknown kind 'Secret'"),
        HostileCase(file: "unknown-api-version.yaml", message: "hostile/unknown-api-version.yaml:2:13: RuntimeAdapter/future: apiVersion: unsupported apiVersion 'steward/v9'"),
    ]

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
    }

    @Test(arguments: refused)
    func fixtureIsRefused(_ hostile: HostileCase) async throws {
        try await HostileBench.with { bench in
            let bytes = try Self.fixture(hostile.file)
            try await bench.expectRefused(hostile.file, containing: hostile.message) {
                try bench.repo.write("hostile/" + hostile.file, bytes: bytes)
            }
        }
    }

    @Test func everyFixtureFileHasACase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures).filter { $0.hasSuffix(".yaml") }
        let covered = Set(Self.refused.map(\.file)).union(HostileLegalInputTests.folders)
        #expect(Set(files).subtracting(covered).isEmpty, "fixtures without a case: \(Set(files).subtracting(covered).sorted())")
    }
}
