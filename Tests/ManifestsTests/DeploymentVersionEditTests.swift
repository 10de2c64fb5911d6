@testable import Manifests
import Foundation
import Testing

@Suite("Deployment version edits in place")
struct DeploymentVersionEditTests {
    private static let deployment = """
        # Production navigation, promoted from staging.
        apiVersion: steward/v1
        kind: Deployment
        metadata:
          name: robot-nav-production   # the fleet's name
        spec:
          blueprint: robot-navigation-agent
          version: 1.2.0    # promoted 2024-05-01
          environment: production
          # suspend: true

        """

    private func edit(_ version: String, _ name: String = "robot-nav-production", in text: String) throws -> String? {
        try DeploymentVersionEdit.setVersion(version, ofDeployment: name, in: text, file: "fleet/deploy.yaml")
    }

    /// The version `ManifestParser` reads for `name` in `text`.
    private func parsedVersion(_ text: String, _ name: String = "robot-nav-production") -> String? {
        let result = ManifestParser.parse(file: "x.yaml", bytes: Array(text.utf8))
        for resource in result.resources {
            if case .deployment(let deployment) = resource.body, deployment.metadata.name == name { return deployment.spec.version }
        }
        return nil
    }

    @Test func replacesInPlaceKeepingComments() throws {
        let edited = try edit("1.3.0", in: Self.deployment)
        #expect(edited == Self.deployment.replacingFirst("version: 1.2.0    #", with: "version: 1.3.0    #"))
        #expect(edited.map { parsedVersion($0) } == "1.3.0")
    }

    @Test func prereleaseStaysPlainAndNumbersGetQuoted() throws {
        let rc = try #require(try edit("2.0.0-rc.1", in: Self.deployment))
        #expect(rc.contains("  version: 2.0.0-rc.1    # promoted"))
        #expect(parsedVersion(rc) == "2.0.0-rc.1")
        let number = try #require(try edit("1.3", in: Self.deployment))
        #expect(number.contains("  version: \"1.3\"    # promoted"))
        #expect(parsedVersion(number) == "1.3")
        let word = try #require(try edit("true", in: Self.deployment))
        #expect(parsedVersion(word) == "true")
    }

    @Test func insertsAfterBlueprintWhenAbsent() throws {
        let text = Self.deployment.replacingFirst("  version: 1.2.0    # promoted 2024-05-01\n", with: "")
        let edited = try #require(try edit("1.3.0", in: text))
        #expect(edited == Self.deployment.replacingFirst("version: 1.2.0    # promoted 2024-05-01", with: "version: 1.3.0"))
        #expect(parsedVersion(edited) == "1.3.0")
    }

    @Test func insertsFirstWithTheSpecIndentationWithoutBlueprint() throws {
        let text = "kind: Deployment\nmetadata: {name: a}\nspec:\n    environment: staging\n"
        #expect(try edit("1.0.0", "a", in: text) == "kind: Deployment\nmetadata: {name: a}\nspec:\n    version: 1.0.0\n    environment: staging\n")
    }

    @Test func insertsAtTheEndOfAFileWithoutFinalNewline() throws {
        let text = "kind: Deployment\nmetadata:\n  name: a\nspec:\n  blueprint: b"
        #expect(try edit("1.0.0", "a", in: text) == text + "\n  version: 1.0.0")
    }

    @Test func onlyTheNamedDeploymentOfSeveralDocumentsChanges() throws {
        let staging = Self.deployment.replacingFirst("robot-nav-production", with: "robot-nav-staging")
        let environment = "apiVersion: steward/v1\nkind: Environment\nmetadata:\n  name: robot-nav-production\nspec: {version: 9.9.9}\n"
        let text = staging + "---\n" + environment + "---\n" + Self.deployment + "...\n"
        let edited = try #require(try edit("1.3.0", in: text))
        #expect(edited == staging + "---\n" + environment + "---\n"
            + Self.deployment.replacingFirst("version: 1.2.0", with: "version: 1.3.0") + "...\n")
        #expect(parsedVersion(edited, "robot-nav-staging") == "1.2.0")
        #expect(parsedVersion(edited) == "1.3.0")
    }

    @Test func absentDeploymentGivesNil() throws {
        #expect(try edit("1.3.0", "robot-nav-canary", in: Self.deployment) == nil)
        #expect(try edit("1.3.0", in: "kind: Environment\nmetadata:\n  name: robot-nav-production\n") == nil)
        #expect(try edit("1.3.0", in: "") == nil)
    }

    @Test func crlfFileKeepsCRLF() throws {
        let text = Self.deployment.replacingAll("\n", with: "\r\n")
        let edited = try #require(try edit("1.3.0", in: text))
        #expect(edited == Self.deployment.replacingFirst("version: 1.2.0", with: "version: 1.3.0").replacingAll("\n", with: "\r\n"))
        let inserted = try #require(try edit("1.3.0", in: text.replacingFirst("  version: 1.2.0    # promoted 2024-05-01\r\n", with: "")))
        #expect(inserted.contains("  blueprint: robot-navigation-agent\r\n  version: 1.3.0\r\n  environment: production\r\n"))
        #expect(!inserted.replacingAll("\r\n", with: "").contains("\n"))
        #expect(parsedVersion(inserted) == "1.3.0")
    }

    @Test func quotedValuesStayQuoted() throws {
        let double = Self.deployment.replacingFirst("version: 1.2.0", with: "version: \"1.2.0\"")
        #expect(try edit("1.3.0", in: double) == double.replacingFirst("\"1.2.0\"", with: "\"1.3.0\""))
        let single = Self.deployment.replacingFirst("version: 1.2.0", with: "version: '1.2.0'")
        #expect(try edit("1.3.0", in: single) == single.replacingFirst("'1.2.0'", with: "'1.3.0'"))
        #expect(try edit("1.3.0", in: single).map { parsedVersion($0) } == "1.3.0")
    }

    @Test func emptyAndNullValuesAreFilledIn() throws {
        let empty = "kind: Deployment\nmetadata: {name: a}\nspec:\n  version:   # set by Steward\n  blueprint: b\n"
        #expect(try edit("1.0.0", "a", in: empty) == "kind: Deployment\nmetadata: {name: a}\nspec:\n  version: 1.0.0   # set by Steward\n  blueprint: b\n")
        let null = "kind: Deployment\nmetadata: {name: a}\nspec:\n  version: ~\n  blueprint: b\n"
        #expect(try edit("1.0.0", "a", in: null) == null.replacingFirst("~", with: "1.0.0"))
    }

    @Test func flowStyleSpecIsEditedOrInserted() throws {
        let flow = "kind: Deployment\nmetadata: {name: a}\nspec: {blueprint: b, version: 1.0.0, environment: e}\n"
        #expect(try edit("1.1.0", "a", in: flow) == flow.replacingFirst("1.0.0", with: "1.1.0"))
        let withoutVersion = "kind: Deployment\nmetadata: {name: a}\nspec: {blueprint: b, environment: e}\n"
        #expect(try edit("1.1.0", "a", in: withoutVersion)
            == "kind: Deployment\nmetadata: {name: a}\nspec: {blueprint: b, version: 1.1.0, environment: e}\n")
        #expect(throws: ManifestEditError.self) { try edit("1.1.0", "a", in: "kind: Deployment\nmetadata: {name: a}\nspec: {environment: e}\n") }
    }

    @Test func unicodeBeforeTheValueAndAByteOrderMark() throws {
        let text = "\u{FEFF}kind: Deployment\nmetadata: {name: a, annotations: {note: \"größer 🚀\"}}\nspec: {note: 🚀🚀, version: 1.0.0}\n"
        #expect(try edit("1.1.0", "a", in: text) == text.replacingFirst("1.0.0", with: "1.1.0"))
    }

    @Test func malformedDocumentsThrowWithFileAndLine() throws {
        let blockScalar = "kind: Deployment\nmetadata: {name: a}\nspec:\n  version: |\n    1.0.0\n"
        let error = try #require(throws: ManifestEditError.self) { try edit("1.1.0", "a", in: blockScalar) }
        #expect(error.description.hasPrefix("fleet/deploy.yaml:4:12: Deployment/a: cannot edit spec.version in place"))
        let list = try #require(throws: ManifestEditError.self) {
            try edit("1.1.0", "a", in: "kind: Deployment\nmetadata: {name: a}\nspec:\n  version: [1]\n")
        }
        #expect(list.line == 4)
        #expect(list.description.contains("spec.version must be a string"))
        let noSpec = try #require(throws: ManifestEditError.self) { try edit("1.1.0", "a", in: "kind: Deployment\nmetadata: {name: a}\n") }
        #expect(noSpec.description == "fleet/deploy.yaml:1:1: Deployment/a: has no spec")
        let syntax = try #require(throws: ManifestEditError.self) { try edit("1.1.0", "a", in: "kind: Deployment\nspec: [\n") }
        #expect(syntax.description.hasPrefix("fleet/deploy.yaml:3:"))
        let twice = "kind: Deployment\nmetadata: {name: a}\nspec: {blueprint: b}\n---\nkind: Deployment\nmetadata: {name: a}\nspec: {blueprint: b}\n"
        let duplicate = try #require(throws: ManifestEditError.self) { try edit("1.1.0", "a", in: twice) }
        #expect(duplicate.description == "fleet/deploy.yaml:5:1: Deployment/a: defined more than once in this file")
    }
}

extension String {
    /// This text with the first occurrence of `target` replaced.
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    /// This text with every occurrence of `target` replaced, working on Unicode scalars so "\r\n" is seen.
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        let scalars = Array(unicodeScalars), pattern = Array(target.unicodeScalars)
        var out = String.UnicodeScalarView(), index = 0
        while index < scalars.count {
            if index + pattern.count <= scalars.count, Array(scalars[index..<index + pattern.count]) == pattern {
                out.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }
}
