import Foundation
import StewardTesting
import Testing

/// Every operator-guide example is a valid fleet as committed (`steward validate examples/<name>`),
/// with a README and a controller.yaml template whose store and secrets are references.
@Suite("Operator-guide examples validate")
struct ExampleValidationTests {
    @Test(arguments: ["maos", "auterity", "opmas"])
    func exampleValidates(_ name: String) async throws {
        let folder = ExampleWorkspace.folder(name)
        let result = try await StewardProcess.run(["validate", folder, "-o", "json"])
        #expect(result.exitCode == 0, "\(result.stdout) \(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["valid"] as? Bool == true && (document["errors"] as? [Any])?.isEmpty == true, "\(document)")
        #expect(FileManager.default.fileExists(atPath: folder + "/README.md"))
        let template = try String(contentsOfFile: folder + "/controller.yaml.example", encoding: .utf8)
        #expect(!template.contains("postgres://") && !template.contains("password:"), "no credentials in the template")
    }
}
