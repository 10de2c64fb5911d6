import Foundation
@testable import Manifests
import StewardTesting
import Testing

/// The fast parsing path must give exactly what the general path gives: same resources, same field
/// positions, same errors. STEWARD_FASTPATH_DIR adds every manifest under a folder (e.g. a fleet
/// made by scripts/gen-fleet).
@Suite("Fast manifest parsing matches the general path")
struct FastPathTests {
    private func check(_ file: String, _ bytes: [UInt8], expectFast: Bool? = nil) {
        let parsed = ManifestParser.parse(file: file, bytes: bytes)
        let general = ManifestParser.parseGeneral(file: file, bytes: bytes)
        #expect(parsed.errors == general.errors, "\(file)")
        #expect(parsed.resources.count == general.resources.count, "\(file)")
        for (fast, slow) in zip(parsed.resources, general.resources) {
            #expect(fast.body == slow.body, "\(file)")
            #expect(fast.position == slow.position, "\(file)")
            #expect(fast.fieldPositions == slow.fieldPositions, "\(file)")
            #expect(fast == slow, "\(file)")
        }
        if let expectFast {
            #expect((ManifestParser.parseFast(file: file, bytes: bytes, limits: .standard) != nil) == expectFast, "\(file)")
        }
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
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: !!str nav"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprint: nav, blueprint: nav"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "<<: {blueprint: nav}"), false),
            (deployment.replacingOccurrences(of: "blueprint: nav", with: "blueprnt: nav"), false),
            (deployment.replacingOccurrences(of: "steward/v1", with: "steward/v2"), false),
            (deployment.replacingOccurrences(of: "Deployment", with: "Deploymint"), false),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n"
                + "  capabilities: [a, b]\n  config: {x: [1, 2.5, -3e2, 0x1F, 0o7, .inf, null, ~, 'q', yes, True], y: {z: {}}}\n", true),
            ("apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec: {runtimeType: cloud, capabilities: x}\n", false),
            ("- a\n- b\n", false),
            ("key: [unclosed\n", false),
        ]
        for (index, (text, fast)) in cases.enumerated() { check("case-\(index).yaml", Array(text.utf8), expectFast: fast) }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["STEWARD_FASTPATH_DIR"] != nil))
    func folderFromEnvironment() throws {
        let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["STEWARD_FASTPATH_DIR"]!)
        for url in files(under: folder) { check(url.path, Array(try Data(contentsOf: url)), expectFast: true) }
    }
}
