import Foundation
import Manifests
import StewardTesting
import Testing

/// The JSON Schemas of `manifests/schema/`: generated from Swift, equal to the committed files,
/// covering every model field, and agreeing with `steward validate` on the examples.
@Suite("JSON Schemas of the manifest kinds and controller.yaml")
struct SchemaTests {
    static let schemaFolder = StewardProcess.packageRoot.appendingPathComponent("manifests/schema")

    // MARK: Committed files

    @Test(arguments: SchemaDocument.allCases)
    func committedFileEqualsGenerated(_ document: SchemaDocument) throws {
        let url = Self.schemaFolder.appendingPathComponent(document.fileName)
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(committed == document.rendered,
                "manifests/schema/\(document.fileName) is stale: run `steward schema \(document.rawValue) > manifests/schema/\(document.fileName)`")
        #expect(document.rendered.hasSuffix("}\n") && !document.rendered.hasSuffix("\n\n"))
        // It parses, and declares draft 2020-12.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(committed.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func noOtherFilesInTheSchemaFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaFolder.path).filter { $0.hasSuffix(".json") }
        #expect(Set(files) == Set(SchemaDocument.allCases.map(\.fileName)))
    }

    @Test func renderingIsSortedAndIndented() {
        let value = JSONValue.object(["b": .array([.int(1), .object([:])]), "a": .string("x/\"y\""), "c": .array([])])
        #expect(value.prettyJSON == """
            {
              "a": "x/\\"y\\"",
              "b": [
                1,
                {}
              ],
              "c": []
            }

            """)
    }

    @Test func argumentNames() {
        #expect(SchemaDocument(argument: "Deployment") == .deployment)
        #expect(SchemaDocument(argument: "RUNTIMEADAPTER") == .runtimeAdapter)
        #expect(SchemaDocument(argument: "runtime-adapter") == .runtimeAdapter)
        #expect(SchemaDocument(argument: "backupschedule") == .backupSchedule)
        #expect(SchemaDocument(argument: "Controller") == .controller)
        #expect(SchemaDocument(argument: "manifest") == .manifest)
        #expect(SchemaDocument(argument: "AgentPool") == nil)
        for kind in ResourceKind.allCases { #expect(SchemaDocument(kind: kind).kind == kind) }
    }

    // MARK: Patterns agree with the Swift rules

    @Test func namePatternAgreesWithNameRules() throws {
        let pattern = try NSRegularExpression(pattern: SchemaDocument.deployment.schema.json["properties"]?["metadata"]?["properties"]?["name"]?["pattern"]?.string ?? "")
        let samples = ["a", "robot-nav", "0abc", "a-b-c9", "-a", "a-", "Robot_Nav", "a.b", "", "a b", String(repeating: "a", count: 63),
                       String(repeating: "a", count: 64), "ä"]
        for name in samples {
            let range = NSRange(name.startIndex..., in: name)
            let matches = pattern.firstMatch(in: name, range: range) != nil && name.utf8.count <= 63
            #expect(matches == NameRules.isValid(name), "\(name)")
        }
    }

    @Test func semverPatternAgreesWithSemanticVersion() throws {
        let text = SchemaDocument.agentBlueprint.schema.json["properties"]?["spec"]?["properties"]?["version"]?["pattern"]?.string
        let pattern = try NSRegularExpression(pattern: try #require(text))
        let samples = ["1.2.0", "0.0.0", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700",
                       "1.0.0-beta+exp.sha.5114f85", "1.2", "1", "01.2.3", "1.02.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b", "v1.2.3",
                       "1.2.3 ", "1.2.3-rc.1+build.1", "1.2.3-0a", "1.2.3-a_b"]
        for version in samples {
            let matches = pattern.firstMatch(in: version, range: NSRange(version.startIndex..., in: version)) != nil
            #expect(matches == (SemanticVersion(version) != nil), "\(version)")
        }
    }

    // MARK: Every model field is in its schema

    @Test(arguments: ModelSamples.all)
    func everyModelFieldIsInTheSchema(_ sample: ModelSamples.Sample) throws {
        let value = try sample.decode()
        var issues: [String] = []
        FieldWalker.walk(value, schema: sample.document.schema.json, path: "", issues: &issues)
        #expect(issues.isEmpty, "\(sample.document.fileName):\n\(issues.joined(separator: "\n"))")
    }

    @Test func walkerNoticesAMissingField() throws {
        // A schema without `spec.suspend`: the walker must complain, or the test above proves nothing.
        var schema = SchemaDocument.deployment.schema.json
        guard case .object(var root) = schema, case .object(var properties)? = root["properties"],
              case .object(var spec)? = properties["spec"], case .object(var specProperties)? = spec["properties"] else {
            Issue.record("unexpected schema shape"); return
        }
        specProperties["suspend"] = nil
        specProperties["replicas"] = .object(["type": .string("integer")])
        spec["properties"] = .object(specProperties)
        properties["spec"] = .object(spec)
        root["properties"] = .object(properties)
        schema = .object(root)
        let sample = try #require(ModelSamples.all.first { $0.document == .deployment })
        var issues: [String] = []
        FieldWalker.walk(try sample.decode(), schema: schema, path: "", issues: &issues)
        #expect(issues.contains { $0.hasPrefix("spec.suspend:") }, "\(issues)")
        #expect(issues.contains { $0.hasPrefix("spec.replicas:") }, "\(issues)")
    }

    // MARK: The examples against the schemas (Python jsonschema)

    @Test func schemasAreValidDraft202012() throws {
        let output = try PythonSchemaCheck.run(["check-schemas", Self.schemaFolder.path])
        let checked = try #require(output["checked"] as? [String])
        #expect(Set(checked) == Set(SchemaDocument.allCases.map(\.fileName)))
    }

    @Test func quickstartManifestsValidate() throws {
        let root = StewardProcess.packageRoot.appendingPathComponent("examples/quickstart").path
        let files = try #require(FileManager.default.subpaths(atPath: root)).filter { $0.hasSuffix(".yaml") }.sorted().map { root + "/" + $0 }
        #expect(files.count >= 8)
        let results = try PythonSchemaCheck.documents(files)
        #expect(results.count == 11)
        for result in results {
            #expect(result.valid, "\(result.file)#\(result.index): \(result.errors)")
            #expect(result.validAsManifest, "\(result.file)#\(result.index) against manifest.schema.json: \(result.errors)")
        }
    }

    /// An examples/invalid folder whose error is schema-level: the file, the error's path and message.
    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var folder: String, file: String, path: String, message: String
        var testDescription: String { folder }
    }

    @Test(arguments: [
        InvalidCase(folder: "unknown-field", file: "deployment.yaml", path: "spec", message: "'replicas' was unexpected"),
        InvalidCase(folder: "wrong-type", file: "desktop-adapter.yaml", path: "spec.enabled", message: "is not of type 'boolean'"),
        InvalidCase(folder: "missing-field", file: "deployment.yaml", path: "spec", message: "'environment' is a required property"),
        InvalidCase(folder: "bad-name", file: "deployment.yaml", path: "metadata.name", message: "does not match"),
        InvalidCase(folder: "bad-semver", file: "blueprint.yaml", path: "spec.version", message: "is not of type 'string'"),
        InvalidCase(folder: "unknown-kind", file: "pool.yaml", path: "kind", message: "'AgentPool' is not one of"),
    ])
    func invalidExamplesDoNotValidate(_ invalid: InvalidCase) throws {
        let (folder, file, path, message) = (invalid.folder, invalid.file, invalid.path, invalid.message)
        let root = StewardProcess.packageRoot.appendingPathComponent("examples/invalid/\(folder)").path
        let results = try PythonSchemaCheck.documents([root + "/fleet.yaml", root + "/" + file])
        let fleet = results.filter { $0.file.hasSuffix("/fleet.yaml") }
        #expect(fleet.count == 4 && fleet.allSatisfy { $0.valid && $0.validAsManifest }, "\(fleet)")
        let broken = try #require(results.first { $0.file.hasSuffix("/" + file) })
        #expect(!broken.valid)
        #expect(!broken.validAsManifest)
        #expect(broken.errors.contains { $0.path == path && $0.message.contains(message) }, "\(broken.errors)")
    }

    /// One resource with one rule exercised: whether Steward and the schema both accept it, or both refuse it at `field`.
    struct RuleCase: Sendable, CustomTestStringConvertible {
        var name: String, field: String, valid: Bool, yaml: String
        var testDescription: String { name }
    }

    static func environment(_ spec: String) -> String {
        "apiVersion: steward/v1\nkind: Environment\nmetadata: {name: env}\nspec:\n" + spec
    }

    static func backup(_ spec: String) -> String {
        "apiVersion: steward/v1\nkind: BackupSchedule\nmetadata: {name: b}\nspec:\n  schedule: '0 * * * *'\n  destination: ./b\n" + spec
    }

    static let ruleCases: [RuleCase] = [
        RuleCase(name: "local driver", field: "spec.driver", valid: true, yaml: environment("  driver: {type: local, root: ./x}\n")),
        RuleCase(name: "exec driver", field: "spec.driver", valid: true,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], timeoutSeconds: 5, env: {A: b}}\n")),
        RuleCase(name: "http driver", field: "spec.driver", valid: true,
                 yaml: environment("  driver: {type: http, url: 'https://c.example', tokenFrom: {env: T}}\n")),
        RuleCase(name: "local driver with url", field: "spec.driver.url", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x, url: 'https://c.example'}\n")),
        RuleCase(name: "exec driver with root", field: "spec.driver.root", valid: false,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], root: ./x}\n")),
        RuleCase(name: "http driver without url", field: "spec.driver.url", valid: false, yaml: environment("  driver: {type: http}\n")),
        RuleCase(name: "exec env STEWARD_", field: "spec.driver.env", valid: false,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], env: {STEWARD_ACTION: x}}\n")),
        RuleCase(name: "exec env secret references", field: "spec.driver", valid: true,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], env: {A: b, T: {env: STEWARD_T}, K: {file: ./k}}}\n")),
        RuleCase(name: "exec env reference with an empty name", field: "spec.driver.env.T", valid: false,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], env: {T: {env: ''}}}\n")),
        RuleCase(name: "exec env reference with env and file", field: "spec.driver.env.T", valid: false,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], env: {T: {env: A, file: /b}}}\n")),
        RuleCase(name: "exec env reference with an unknown key", field: "spec.driver.env.T", valid: false,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], env: {T: {vault: a}}}\n")),
        RuleCase(name: "exec env value as a list", field: "spec.driver.env.T", valid: false,
                 yaml: environment("  driver: {type: exec, command: [./d.sh], env: {T: [a]}}\n")),
        RuleCase(name: "secret with env and file", field: "spec.driver.tokenFrom", valid: false,
                 yaml: environment("  driver: {type: http, url: 'https://c.example', tokenFrom: {env: T, file: /t}}\n")),
        RuleCase(name: "canary steps", field: "spec.strategy", valid: true,
                 yaml: environment("  driver: {type: local, root: ./x}\n  strategy: {type: canary, steps: [10, 50, 100]}\n")),
        RuleCase(name: "canary without steps", field: "spec.strategy.steps", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x}\n  strategy: {type: canary}\n")),
        RuleCase(name: "rolling with steps", field: "spec.strategy.steps", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x}\n  strategy: {type: rolling, steps: [100]}\n")),
        RuleCase(name: "smoke tests", field: "spec.gates", valid: true, yaml: environment("""
              driver: {type: local, root: ./x}
              gates:
                smokeTests:
                  - {name: a, endpoint: /health, expectedStatus: 200}
                  - {name: b, workflowId: w, expectedOutcome: success}
                health: {maxErrorRate: 0.01, maxP95LatencyMs: 500, windowSeconds: 60}

            """)),
        RuleCase(name: "smoke test with endpoint and workflow", field: "spec.gates.smokeTests[0]", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x}\n  gates: {smokeTests: [{name: a, endpoint: /h, workflowId: w}]}\n")),
        RuleCase(name: "smoke test status out of range", field: "spec.gates.smokeTests[0].expectedStatus", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x}\n  gates: {smokeTests: [{name: a, endpoint: /h, expectedStatus: 700}]}\n")),
        RuleCase(name: "error rate above 1", field: "spec.gates.health.maxErrorRate", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x}\n  gates: {health: {maxErrorRate: 2}}\n")),
        RuleCase(name: "sync window of 0 minutes", field: "spec.syncWindows[0].durationMinutes", valid: false,
                 yaml: environment("  driver: {type: local, root: ./x}\n  syncWindows: [{kind: deny, schedule: '0 0 * * 6', durationMinutes: 0}]\n")),
        RuleCase(name: "backup of the event log", field: "spec", valid: true, yaml: backup("  target: eventLog\n  retention: {keepLast: 3}\n")),
        RuleCase(name: "backup command", field: "spec", valid: true, yaml: backup("  target: command\n  command: [./backup.sh]\n")),
        RuleCase(name: "backup command without command", field: "spec.command", valid: false, yaml: backup("  target: command\n")),
        RuleCase(name: "event log backup with command", field: "spec.command", valid: false, yaml: backup("  target: eventLog\n  command: [./b.sh]\n")),
        RuleCase(name: "keepLast 0", field: "spec.retention.keepLast", valid: false, yaml: backup("  target: eventLog\n  retention: {keepLast: 0}\n")),
        RuleCase(name: "name of 64 characters", field: "metadata.name", valid: false,
                 yaml: "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: \(String(repeating: "a", count: 64))}\nspec: {blueprint: b, environment: e}\n"),
        RuleCase(name: "quoted short version", field: "spec.version", valid: false,
                 yaml: "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {blueprint: b, environment: e, version: '1.2'}\n"),
        RuleCase(name: "pre-release version", field: "spec.version", valid: true,
                 yaml: "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {blueprint: b, environment: e, version: 1.3.0-rc.1}\n"),
        RuleCase(name: "temperature above 2", field: "spec.config.temperature", valid: false,
                 yaml: "apiVersion: steward/v1\nkind: AgentBlueprint\nmetadata: {name: a}\nspec: {version: 1.0.0, deploymentTarget: cloud, config: {temperature: 3}}\n"),
        RuleCase(name: "capabilities as a string", field: "spec.capabilities", valid: false,
                 yaml: "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec: {runtimeType: cloud, capabilities: gpu}\n"),
        RuleCase(name: "unknown runtime type", field: "spec.runtimeType", valid: false,
                 yaml: "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec: {runtimeType: mainframe}\n"),
        RuleCase(name: "wrong apiVersion", field: "apiVersion", valid: false,
                 yaml: "apiVersion: steward/v2\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec: {runtimeType: cloud}\n"),
        // Runtime configurations in the shapes of the Aureus deployment guide.
        RuleCase(name: "mobile tool adapters as in the guide", field: "spec.config", valid: true,
                 yaml: adapter("mobile", "{toolAdapters: {enabled: true, availableTools: [http-client], toolTimeout: 30000}, sandbox: true}")),
        RuleCase(name: "desktop tool adapters as a list", field: "spec.config.toolAdapters", valid: false,
                 yaml: adapter("desktop", "{toolAdapters: [http-client]}")),
        RuleCase(name: "tool timeout 0", field: "spec.config.toolAdapters.toolTimeout", valid: false,
                 yaml: adapter("mobile", "{toolAdapters: {toolTimeout: 0}}")),
        RuleCase(name: "resource limit not in the guide", field: "spec.config.resourceLimits.cpuCores", valid: false,
                 yaml: adapter("desktop", "{resourceLimits: {cpuCores: -2}}")),
        RuleCase(name: "position of 5 numbers", field: "spec.config.safetyEnvelope.limits.position", valid: false,
                 yaml: adapter("robotics", "{safetyEnvelope: {limits: {position: [-5, 5, -5, 5, 0]}}}")),
        RuleCase(name: "negative velocity", field: "spec.config.safetyEnvelope.limits.velocity", valid: false,
                 yaml: adapter("robotics", "{safetyEnvelope: {limits: {velocity: [2.0, -1]}}}")),
        RuleCase(name: "processing rate 0", field: "spec.config.perception.processingRate", valid: false,
                 yaml: adapter("robotics", "{perception: {enabled: true, adapters: [camera], processingRate: 0}}")),
        RuleCase(name: "domain id as a string", field: "spec.config.ros2.domainId", valid: false,
                 yaml: adapter("robotics", "{ros2: {domainId: '0'}}")),
        RuleCase(name: "latency -1", field: "spec.config.output.visual.maxLatencyMs", valid: false,
                 yaml: adapter("smart-glasses", "{output: {visual: {enabled: true, maxLatencyMs: -1}}}")),
        RuleCase(name: "stream buffer of 2.5 frames", field: "spec.config.perception.streamBufferSize", valid: false,
                 yaml: adapter("smart-glasses", "{perception: {streamBufferSize: 2.5}}")),
        RuleCase(name: "resolution", field: "spec.config.perception.camera.defaultResolution", valid: false,
                 yaml: adapter("smart-glasses", "{perception: {camera: {defaultResolution: 1920 by 1080}}}")),
        RuleCase(name: "keys the guide does not show", field: "spec.config", valid: true,
                 yaml: adapter("smart-glasses", "{perception: {enabled: true, depth: {enabled: false}}, telemetry: {rate: 1}}")),
        RuleCase(name: "cloud configuration is free", field: "spec.config", valid: true,
                 yaml: adapter("cloud", "{toolAdapters: [x], anything: {goes: -1}}")),
    ]

    static func adapter(_ runtime: String, _ config: String) -> String {
        "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: \(runtime)\n  config: \(config)\n"
    }

    @Test func schemasAgreeWithStewardOnSingleResourceRules() throws {
        let directory = try TemporaryDirectory(prefix: "steward-schema-rules")
        var paths: [String] = []
        for (index, rule) in Self.ruleCases.enumerated() {
            let path = directory.appending("case-\(index).yaml").path
            try rule.yaml.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let results = try PythonSchemaCheck.documents(paths)
        func related(_ a: String, _ b: String) -> Bool {
            a == b || a.hasPrefix(b + ".") || a.hasPrefix(b + "[") || b.hasPrefix(a + ".") || b.hasPrefix(a + "[")
        }
        for (index, rule) in Self.ruleCases.enumerated() {
            let report = FleetValidator.validate(files: [.init(path: "case.yaml", bytes: Array(rule.yaml.utf8))])
            let stewardErrors = report.errors.filter { related($0.field ?? "", rule.field) }
            let schema = try #require(results.first { $0.file == paths[index] }, "\(rule.name): no schema result")
            if rule.valid {
                #expect(stewardErrors.isEmpty, "\(rule.name): steward refuses: \(stewardErrors)")
                #expect(schema.valid, "\(rule.name): the schema refuses: \(schema.errors)")
            } else {
                #expect(!stewardErrors.isEmpty, "\(rule.name): steward accepts it; errors: \(report.errors)")
                #expect(!schema.valid, "\(rule.name): the schema accepts it")
                #expect(schema.errors.contains { related($0.path, rule.field) }, "\(rule.name): schema errors elsewhere: \(schema.errors)")
            }
        }
    }

    /// The guide's configurations (Fixtures/guides) are valid for the schemas as for `steward validate`.
    @Test func guideFixturesValidate() throws {
        let paths = GuideConfigurationTests.files.map { GuideConfigurationTests.folder.appendingPathComponent($0).path }
        let results = try PythonSchemaCheck.documents(paths)
        #expect(results.count == paths.count)
        for result in results {
            #expect(result.valid, "\(result.file): \(result.errors)")
            #expect(result.validAsManifest, "\(result.file) against manifest.schema.json: \(result.errors)")
        }
    }

    @Test func controllerFilesValidate() throws {
        let rootConfig = StewardProcess.packageRoot.appendingPathComponent("controller.yaml").path
        let configMap = StewardProcess.packageRoot.appendingPathComponent("manifests/kubernetes/configmap.yaml").path
        let output = try PythonSchemaCheck.run(["controller", Self.schemaFolder.path, rootConfig, configMap])
        let results = try #require(output["results"] as? [[String: Any]])
        #expect(results.count == 2)
        for result in results { #expect(result["valid"] as? Bool == true, "\(result)") }
        // The ConfigMap's controller.yaml is also what Steward itself accepts.
        let embedded = try #require(results.last?["text"] as? String)
        let config = try ControllerConfig.parse(bytes: Array(embedded.utf8), file: "configmap.yaml")
        #expect(config.store?.url == .secret(SecretRef(env: "STEWARD_DATABASE_URL")))
        #expect(config.server?.listen == "0.0.0.0:9600")
        // And a typo is caught by the schema as by Steward.
        let typo = try PythonSchemaCheck.run(["controller-text", Self.schemaFolder.path, "source: {repository: ., brnch: main}\n"])
        #expect((typo["results"] as? [[String: Any]])?.first?["valid"] as? Bool == false)
    }
}
