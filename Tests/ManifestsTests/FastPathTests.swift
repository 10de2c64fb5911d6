import Foundation
@testable import Manifests
import StewardTesting
import Testing

/// The fast parsing path must give exactly what the general path gives: same resources, same field
/// positions, same errors. STEWARD_FASTPATH_DIR adds every manifest under a folder (e.g. a fleet
/// made by scripts/gen-fleet).
@Suite("Fast manifest parsing matches the general path")
struct FastPathTests {
    private func check(_ file: String, _ bytes: [UInt8], expectFast: Bool? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = BothPaths.parse(bytes, file: file, sourceLocation: sourceLocation)
        if let expectFast { #expect(outcome.fast == expectFast, "\(file)", sourceLocation: sourceLocation) }
    }

    private func files(under folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { FleetValidator.isManifestPath($0.path) }.sorted { $0.path < $1.path }
    }

    @Test func corpusAndExamples() throws {
        let root = StewardProcess.packageRoot
        let found = files(under: root.appendingPathComponent("Tests/Fuzz/corpus")) + files(under: root.appendingPathComponent("examples"))
        #expect(found.count > 50)
        for url in found { check(url.lastPathComponent, Array(try Data(contentsOf: url))) }
    }

    @Test func fixturesTakeTheFastPath() {
        for text in [FleetFixtures.adapter, FleetFixtures.blueprint, FleetFixtures.environments] {
            check("fixture.yaml", Array(text.utf8), expectFast: true)
        }
    }

    @Test func shapesOfValidYAML() {
        let deployment = "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: nav, labels: {\"1\": x, '': y, a.b: z}}\n"
            + "spec: {blueprint: nav, environment: prod, suspend: ~, version: \"1.2.0\"}\n"
        let cases: [(String, Bool)] = [
            (deployment, true),
            ("\u{FEFF}" + deployment, true),
            ("---\n" + deployment + "---\n---\n" + deployment + "...\n", true),
            ("", true),
            ("# only a comment\n", true),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: yes"), false),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: TRUE"), true),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: \"true\""), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: &a nav"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: !!str nav"), true),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: !<tag:yaml.org,2002:str> nav"), true),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: ! nav"), true),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: !!bool \"true\""), true),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: !!null ~"), true),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: !!bool yes"), false),
            (deployment.replacingOccurrences(of: "suspend: ~", with: "suspend: !!str true"), false),
            (deployment.replacingOccurrences(of: "version: \"1.2.0\"", with: "version: !!str 1.2.0"), true),
            (deployment.replacingOccurrences(of: "version: \"1.2.0\"", with: "version: !!int 12"), false),
            (deployment.replacingOccurrences(of: "metadata: {", with: "metadata: !!map {"), true),
            (deployment.replacingOccurrences(of: "metadata: {", with: "metadata: !!seq {"), false),
            (deployment.replacingOccurrences(of: "metadata: {", with: "metadata: !!python/dict {"), false),
            (deployment.replacingOccurrences(of: "a.b: z", with: "!!str a.b: z"), false),
            (deployment.replacingOccurrences(of: "a.b: z", with: "!!int a.b: z"), false),
            (deployment.replacingOccurrences(of: "'': y", with: "!!int 1: y"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: nav, blueprint: nav"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "<<: {blueprint: nav}"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprnt: nav"), false),
            (deployment.replacingOccurrences(of: "steward/v1", with: "steward/v2"), false),
            (deployment.replacingOccurrences(of: "Deployment", with: "Deploymint"), false),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n"
                + "  capabilities: [a, b]\n  config: {x: [1, 2.5, -3e2, 0x1F, 0o7, .inf, null, ~, 'q', yes, True], y: {z: {}}}\n", true),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n"
                + "  config: {x: [!!str 12, !!int \"7\", !!float 2, !!bool 'false', !!null '', ! 12, !!int 0x1F], y: !!map {z: !!seq []}}\n", true),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n  config: {x: !!float .inf}\n", false),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n  config: {x: !!map 1}\n", false),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n  config: {x: 9007199254740993}\n", false),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n  config: {x: 0.10000000000000001}\n", false),
            ("--- !!null\n---\n" + deployment, true),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec: {runtimeType: cloud, capabilities: x}\n", false),
            ("- a\n- b\n", false),
            ("key: [unclosed\n", false),
        ]
        for (index, (text, fast)) in cases.enumerated() { check("case-\(index).yaml", Array(text.utf8), expectFast: fast) }
    }

    /// Generated manifests with a core tag on every plain scalar value: the tag of the type the
    /// value already has changes nothing (resources, positions), on both paths, and the fast path
    /// takes them; a tag of another type is refused the same way on both paths.
    @Test func generatedManifestsWithTaggedScalars() throws {
        let directory = try TemporaryDirectory()
        let generator = StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path
        let result = try Subprocess.run("/usr/bin/env", ["python3", generator, directory.path + "/fleet", "--count", "60"])
        #expect(result.status == 0, "\(result.stderr)")
        let found = files(under: URL(fileURLWithPath: directory.path + "/fleet"))
        #expect(found.count == 60)
        var tagged = 0, refused = 0
        for url in found {
            let text = try String(contentsOf: url, encoding: .utf8)
            let plain = ManifestParser.parseGeneral(file: "f.yaml", bytes: Array(text.utf8))
            #expect(plain.errors.isEmpty, "\(url.lastPathComponent): \(plain.errors)")
            let (same, count) = Self.tagging(text, mismatched: false)
            tagged += count
            let outcome = BothPaths.parse(same, file: "f.yaml")
            #expect(outcome.result.errors.isEmpty, "\(url.lastPathComponent): \(outcome.errors)")
            #expect(outcome.result.resources == plain.resources, "\(url.lastPathComponent)")
            #expect(outcome.fast, "\(url.lastPathComponent)")
            let (wrong, _) = Self.tagging(text, mismatched: true)
            let refusal = BothPaths.parse(wrong, file: "f.yaml")
            if !refusal.result.errors.isEmpty { refused += 1 }
            #expect(!refusal.fast || refusal.result.errors.isEmpty, "\(url.lastPathComponent)")
        }
        #expect(tagged > 600 && refused > 30, "tagged \(tagged), refused \(refused)")
    }

    /// `text` with a core tag before each plain scalar that follows `key: ` or `- ` on its line:
    /// the tag of its own type, or (`mismatched`) `!!int` on strings and `!!bool` on numbers.
    static func tagging(_ text: String, mismatched: Bool) -> (text: String, count: Int) {
        var count = 0
        var literalOwner: Int?   // the indent of the key whose literal block scalar is being skipped
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let body = line.drop { $0 == " " }
            let indent = line.count - body.count
            if let owner = literalOwner, body.isEmpty || indent > owner { return String(line) }
            literalOwner = nil
            if body.hasPrefix("#") { return String(line) }
            if body.hasSuffix(": |") || body.hasSuffix(": |-") { literalOwner = indent }
            let lead = body.hasPrefix("- ") ? line.prefix(line.count - body.count + 2) : nil
            let value: Substring
            let head: Substring
            if let lead, !lead.isEmpty, !line.dropFirst(lead.count).contains(": ") {
                (head, value) = (lead, line.dropFirst(lead.count))
            } else if let colon = line.range(of: ": ") {
                (head, value) = (line[..<colon.upperBound], line[colon.upperBound...])
            } else {
                return String(line)
            }
            guard let first = value.first, !"[{'\"|>&*!#%@`".contains(first), !value.contains(" #"), !value.contains(": ") else {
                return String(line)
            }
            let written = YAMLScalar(text: String(value), plain: true, tag: nil)
            guard let resolved = try? written.value() else { return String(line) }
            let tag: String
            switch resolved {
            case .string: tag = mismatched ? "!!int" : "!!str"
            case .int: tag = mismatched ? "!!bool" : "!!int"
            case .float: tag = mismatched ? "!!bool" : "!!float"
            case .bool: tag = "!!bool"
            case .null: tag = "!!null"
            }
            count += 1
            return "\(head)\(tag) \(value)"
        }
        return (lines.joined(separator: "\n"), count)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["STEWARD_FASTPATH_DIR"] != nil))
    func folderFromEnvironment() throws {
        let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["STEWARD_FASTPATH_DIR"]!)
        for url in files(under: folder) { check(url.path, Array(try Data(contentsOf: url)), expectFast: true) }
    }
}
