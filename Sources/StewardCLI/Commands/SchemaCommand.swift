import ArgumentParser
import Foundation
import Manifests

/// `steward schema KIND`: prints the JSON Schema (draft 2020-12) of a manifest kind or of `controller.yaml`.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a manifest kind or of controller.yaml, for editors and CI.",
        discussion: """
            KIND is a manifest kind (RuntimeAdapter, AgentBlueprint, Environment, Deployment, BackupSchedule; \
            case-insensitive), `controller` for controller.yaml, or `manifest` for one schema that accepts any kind. \
            The output equals manifests/schema/<kind>.schema.json.
            """)

    @Argument(help: ArgumentHelp("The kind: \(SchemaDocument.argumentNames.joined(separator: ", ")).", valueName: "KIND"),
              completion: .list(SchemaDocument.argumentNames))
    var kind: String

    func validate() throws {
        guard SchemaDocument(argument: kind) != nil else {
            throw ValidationError("unknown kind '\(kind)', expected one of: \(SchemaDocument.argumentNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        guard let document = SchemaDocument(argument: kind) else { return }
        FileHandle.standardOutput.write(Data(document.rendered.utf8))
    }
}
