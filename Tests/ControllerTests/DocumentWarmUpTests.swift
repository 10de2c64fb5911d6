@testable import Controller
import Foundation
import Manifests
import StewardTesting
import Testing

/// Documents made on the warm-up thread while the pass asks for the same ones on every core are
/// the documents one thread makes alone.
@Suite("Canonical documents made ahead")
struct DocumentWarmUpTests {
    private func parse(_ files: [FleetValidator.SourceFile]) -> [Resource] {
        files.flatMap { FleetValidator.parseChecked(file: $0.path, bytes: $0.bytes, limits: .standard).resources }
    }

    @Test func documentsMadeAheadAreThoseMadeAlone() throws {
        let directory = try TemporaryDirectory()
        let generator = StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path
        let result = try Subprocess.run("/usr/bin/env", ["python3", generator, directory.path + "/fleet", "--count", "300"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try ManifestSource.folder(directory.path + "/fleet").files
        let alone = parse(files)
        var registered: [BlueprintRef: String] = [:]
        for resource in alone {
            if case .agentBlueprint(let blueprint) = resource.body { registered[BlueprintRef(name: resource.name, version: blueprint.spec.version)] = resource.specHash }
        }
        #expect(registered.count > 10)
        #expect(alone.contains { if case .deployment = $0.body { true } else { false } })

        for _ in 0..<3 {   // a fresh decoding each round: the warm-up and the pass race for the same documents
            let raced = parse(files)
            DocumentWarmUp.start(raced, registered: registered, minimum: 0)
            let documents = ConcurrentMap.map(raced) { ($0.canonicalDocument, $0.specHash) }
            #expect(documents.map(\.0) == alone.map(\.canonicalDocument))
            #expect(documents.map(\.1) == alone.map(\.specHash))
        }
        // Too few resources: nothing is started, documents are made when asked for.
        let few = parse(files)
        DocumentWarmUp.start(few, registered: registered)
        #expect(few.map(\.canonicalDocument) == alone.map(\.canonicalDocument))
    }
}
