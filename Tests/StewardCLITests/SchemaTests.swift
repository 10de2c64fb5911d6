import Foundation
import Manifests
import StewardTesting
import Testing

/// `steward schema KIND` through the real binary: the committed files are its output.
@Suite("steward schema, run as a user would")
struct SchemaCommandTests {
    private var schemaFolder: URL { StewardProcess.packageRoot.appendingPathComponent("manifests/schema") }

    @Test func deploymentSchemaEqualsTheCommittedFile() throws {
        let result = try StewardProcess.run(["schema", "deployment"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let committed = try String(contentsOf: schemaFolder.appendingPathComponent("deployment.schema.json"), encoding: .utf8)
        #expect(result.stdout == committed)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(object["additionalProperties"] as? Bool == false)
    }

    @Test(arguments: SchemaDocument.argumentNames)
    func everyKindPrintsItsFile(_ name: String) throws {
        let document = try #require(SchemaDocument(argument: name))
        let committed = try String(contentsOf: schemaFolder.appendingPathComponent(document.fileName), encoding: .utf8)
        for spelling in [name, name.lowercased(), name.uppercased()] {
            let result = try StewardProcess.run(["schema", spelling])
            #expect(result.exitCode == 0, "\(spelling): \(result.stderr)")
            #expect(result.stdout == committed, "steward schema \(spelling) differs from manifests/schema/\(document.fileName)")
        }
    }

    @Test func unknownKindIsAUsageError() throws {
        let result = try StewardProcess.run(["schema", "AgentPool"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("unknown kind 'AgentPool'"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let missing = try StewardProcess.run(["schema"])
        #expect(missing.exitCode == 64)
    }
}
