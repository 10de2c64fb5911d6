import Foundation
@testable import Manifests
import StewardTesting
import Testing

/// The runtime adapter configurations and the agent blueprint of the Aureus deployment guide
/// ("Runtime Adapter Configurations"), translated into manifests under Fixtures/guides, validate
/// as written, alone and together as one fleet; wrong values in them are refused where they are.
@Suite("The Aureus guide's runtime configurations validate as written")
struct GuideConfigurationTests {
    static let folder = StewardProcess.packageRoot.appendingPathComponent("Tests/ManifestsTests/Fixtures/guides")
    static let files = ["robotics-main.yaml", "mobile-main.yaml", "smart-glasses-main.yaml", "robot-navigation-agent.yaml"]

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// Not from the guide: where the blueprint runs, so the fleet has a Deployment to resolve.
    static let environment = """
        apiVersion: steward/v1
        kind: Environment
        metadata: {name: lab}
        spec:
          driver: {type: local, root: ./var/fleet/lab}
          adapters: [robotics-main, mobile-main, smart-glasses-main]

        """

    static func deployment(adapter: String? = "robotics-main") -> String {
        "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: robot-navigation-lab}\nspec:\n"
            + "  blueprint: robot-navigation-agent\n  environment: lab\n" + (adapter.map { "  runtimeAdapter: \($0)\n" } ?? "")
    }

    static func fleet(replacing name: String? = nil, with text: String? = nil, deployment: String = deployment()) throws -> ValidationReport {
        var sources = try files.map { FleetValidator.SourceFile(path: "guides/\($0)", bytes: Array((name == $0 ? text! : try fixture($0)).utf8)) }
        sources.append(.init(path: "lab/environment.yaml", bytes: Array(environment.utf8)))
        sources.append(.init(path: "lab/deployment.yaml", bytes: Array(deployment.utf8)))
        return FleetValidator.validate(files: sources)
    }

    @Test(arguments: files)
    func fixtureValidatesOnItsOwnOnBothPaths(_ name: String) throws {
        let text = try Self.fixture(name)
        let outcome = BothPaths.parse(text, file: name)
        #expect(outcome.errors == [])
        #expect(outcome.fast, "the block scanner or the libyaml fast path should take \(name)")
        let report = FleetValidator.validate(files: [.init(path: name, bytes: Array(text.utf8))])
        #expect(report.errors.map(\.description) == [])
    }

    @Test func guideFleetValidatesTogether() throws {
        let report = try Self.fleet()
        #expect(report.errors.map(\.description) == [])
        let deployment = try #require(report.fleet.deployments["robot-navigation-lab"])
        #expect(deployment.runtimeAdapter == "robotics-main")
        #expect(deployment.version == "1.0.0")
        // Without naming the adapter, the only one in the environment that fits is chosen.
        let chosen = try Self.fleet(deployment: Self.deployment(adapter: nil))
        #expect(chosen.errors.map(\.description) == [])
        #expect(chosen.fleet.deployments["robot-navigation-lab"]?.runtimeAdapter == "robotics-main")
    }

    /// The guide's robotics adapter names no sensor or actuator; the fixture's `provides:` adds
    /// those the blueprint requires. Without it, the Deployment is refused and says which.
    @Test func theGuidesOwnCapabilityFlagsDoNotCoverItsBlueprint() throws {
        let robotics = try Self.fixture("robotics-main.yaml")
        let line = "  provides: [camera, lidar, motors, object-detection, servos]\n"
        #expect(robotics.contains(line))
        let report = try Self.fleet(replacing: "robotics-main.yaml", with: robotics.replacingOccurrences(of: line, with: ""))
        #expect(report.errors.map(\.description) == [
            "lab/deployment.yaml:7:19: Deployment/robot-navigation-lab: spec.runtimeAdapter: RuntimeAdapter 'robotics-main' does not provide camera, lidar, motors, object-detection, servos required by AgentBlueprint 'robot-navigation-agent@1.0.0'",
        ])
    }

    @Test func decodedAsWritten() throws {
        let resources = try Self.fleet().fleet
        let robotics = try #require(resources.adapters["robotics-main"]?.spec)
        #expect(robotics.displayName == "Main Robotics Runtime")
        #expect(robotics.description == "Runtime adapter for robotic platforms with ROS2 integration")
        #expect(robotics.providedCapabilities.isSuperset(of: ["real-time", "perception", "actuation", "low-latency", "camera"]))
        #expect(!robotics.providedCapabilities.contains("sandbox"))
        #expect(robotics.config?["ros2"] == .object(["enabled": .bool(true), "nodeNamespace": .string("/aureus"), "domainId": .int(0)]))
        #expect(robotics.config?["safetyEnvelope"]?["limits"]?["position"] == .array([-5, 5, -5, 5, 0, 3].map(JSONValue.int)))
        #expect(robotics.config?["safetyEnvelope"]?["limits"]?["velocity"] == .array([.double(2), .double(1)]))
        let mobile = try #require(resources.adapters["mobile-main"]?.spec)
        #expect(mobile.config?["toolAdapters"] == .object([
            "enabled": .bool(true),
            "availableTools": .array(["http-client", "file-tool", "shell-tool", "database-client"].map(JSONValue.string)),
            "toolTimeout": .int(30000),
        ]))
        #expect(mobile.config?["sandbox"]?["defaultPermissions"]?["allowedDomains"]
            == .array(["api.example.com", "*.googleapis.com", "cdn.jsdelivr.net"].map(JSONValue.string)))
        let glasses = try #require(resources.adapters["smart-glasses-main"]?.spec)
        #expect(glasses.runtimeType == .smartGlasses)
        #expect(glasses.config?["output"]?["haptic"] == .object(["enabled": .bool(true), "maxLatencyMs": .int(5)]))
        #expect(glasses.config?["processing"]?["localProcessingOnly"] == .bool(true))
        let blueprint = try #require(resources.blueprints[BlueprintRef(name: "robot-navigation-agent", version: "1.0.0")]?.spec)
        #expect(blueprint.displayName == "Robot Navigation Agent")
        #expect(blueprint.toolAdapters?.map(\.name) == ["ROS2 Perception Adapter", "ROS2 Control Adapter"])
        #expect(blueprint.toolAdapters?.map(\.adapterType) == ["perception", "actuator"])
        #expect(blueprint.policies?.first?.name == "Robot Safety Policy")
        #expect(blueprint.policies?.first?.rules?.last?.parameters == .object(["boundary": .array([-5, 5, -5, 5, 0, 3].map(JSONValue.int))]))
        #expect(blueprint.config == .object(["prompt": .string("You are a navigation agent..."), "temperature": .double(0.7)]))
    }

    /// The guide gives one configuration type for mobile and desktop.
    @Test func mobileConfigurationValidatesAsDesktop() throws {
        let desktop = try Self.fixture("mobile-main.yaml")
            .replacingOccurrences(of: "runtimeType: mobile", with: "runtimeType: desktop")
            .replacingOccurrences(of: "name: mobile-main", with: "name: desktop-main")
        #expect(FleetValidator.validate(files: [.init(path: "desktop.yaml", bytes: Array(desktop.utf8))]).errors == [])
    }

    /// One wrong value in a guide fixture: the file, the text replaced and its replacement, in
    /// which `‸` marks where the error must point (it is removed before parsing), and the field and
    /// message of the error.
    struct WrongValue: Sendable, CustomTestStringConvertible {
        var file: String, old: String, new: String, field: String, message: String
        var testDescription: String { "\(file): \(new.replacingOccurrences(of: "‸", with: ""))" }
    }

    static let wrongValues: [WrongValue] = [
        // Robotics Runtime Adapter
        WrongValue(file: "robotics-main.yaml", old: "[-5, 5, -5, 5, 0, 3]", new: "‸[-5, 5, -5, 5, 0]", field: "spec.config.safetyEnvelope.limits.position",
                   message: "expected 6 numbers (min, max for x, y, z), got a list of 5 items"),
        WrongValue(file: "robotics-main.yaml", old: "[-5, 5, -5, 5, 0, 3]", new: "‸[-5, 5, 5, 5, 0, 3]", field: "spec.config.safetyEnvelope.limits.position",
                   message: "pair 2 must be min < max, got [5, 5]"),
        WrongValue(file: "robotics-main.yaml", old: "[-5, 5, -5, 5, 0, 3]", new: "‸[-5, 5, -5, 5, 3, 0]", field: "spec.config.safetyEnvelope.limits.position",
                   message: "pair 3 must be min < max, got [3, 0]"),
        WrongValue(file: "robotics-main.yaml", old: "velocity: [2.0, 1.0]", new: "velocity: ‸[2.0, -1.0]", field: "spec.config.safetyEnvelope.limits.velocity",
                   message: "expected 2 positive numbers, got [2, -1]"),
        WrongValue(file: "robotics-main.yaml", old: "acceleration: [1.0, 0.5]", new: "acceleration: ‸[1.0, 0.5, 0.2]",
                   field: "spec.config.safetyEnvelope.limits.acceleration", message: "expected 2 positive numbers, got a list of 3 items"),
        WrongValue(file: "robotics-main.yaml", old: "force: 100", new: "force: ‸0", field: "spec.config.safetyEnvelope.limits.force",
                   message: "must be a positive number, got 0"),
        WrongValue(file: "robotics-main.yaml", old: "torque: 50", new: "torque: ‸'50'", field: "spec.config.safetyEnvelope.limits.torque",
                   message: "expected a positive number, got the string '50'"),
        WrongValue(file: "robotics-main.yaml", old: "processingRate: 30", new: "processingRate: ‸0", field: "spec.config.perception.processingRate",
                   message: "must be a positive number, got 0"),
        WrongValue(file: "robotics-main.yaml", old: "adapters: ['camera', 'lidar', 'imu']", new: "adapters: ['camera', ‸7, 'imu']",
                   field: "spec.config.perception.adapters[1]", message: "expected a string, got 7"),
        WrongValue(file: "robotics-main.yaml", old: "domainId: 0", new: "domainId: ‸-1", field: "spec.config.ros2.domainId",
                   message: "must be a whole number from 0, got -1"),
        WrongValue(file: "robotics-main.yaml", old: "domainId: 0", new: "domainId: ‸\"0\"", field: "spec.config.ros2.domainId",
                   message: "expected a whole number from 0, got the string '0'"),
        WrongValue(file: "robotics-main.yaml", old: "nodeNamespace: /aureus", new: "nodeNamespace: ‸[aureus]", field: "spec.config.ros2.nodeNamespace",
                   message: "expected a string, got a list"),
        WrongValue(file: "robotics-main.yaml", old: "autoTriggerOnViolation: true", new: "autoTriggerOnViolation: ‸yes",
                   field: "spec.config.emergencyStop.autoTriggerOnViolation", message: "expected a boolean (true or false), got the string 'yes'"),
        WrongValue(file: "robotics-main.yaml", old: "timeoutMs: 5000", new: "timeoutMs: ‸\"5000\"", field: "spec.config.watchdog.timeoutMs",
                   message: "expected a positive number, got the string '5000'"),
        WrongValue(file: "robotics-main.yaml", old: "timeoutMs: 5000", new: "timeoutMs: ‸-5000", field: "spec.config.watchdog.timeoutMs",
                   message: "must be a positive number, got -5000"),
        // Mobile and Desktop Runtime Adapter
        WrongValue(file: "mobile-main.yaml", old: "toolTimeout: 30000", new: "toolTimeout: ‸0", field: "spec.config.toolAdapters.toolTimeout",
                   message: "must be a positive number, got 0"),
        WrongValue(file: "mobile-main.yaml", old: "toolTimeout: 30000", new: "toolTimeout: ‸30s", field: "spec.config.toolAdapters.toolTimeout",
                   message: "expected a positive number, got the string '30s'"),
        WrongValue(file: "mobile-main.yaml", old: "maxMemoryMb: 512", new: "maxMemoryMb: ‸-512", field: "spec.config.resourceLimits.maxMemoryMb",
                   message: "must be a positive number, got -512"),
        WrongValue(file: "mobile-main.yaml", old: "maxCpuPercent: 80", new: "maxCpuPercent: ‸'80'", field: "spec.config.resourceLimits.maxCpuPercent",
                   message: "expected a positive number, got the string '80'"),
        WrongValue(file: "mobile-main.yaml", old: "maxDiskUsageMb: 100", new: "maxDiskUsageMb: 100\n      maxThreads: ‸0",
                   field: "spec.config.resourceLimits.maxThreads", message: "must be a positive number, got 0"),
        WrongValue(file: "mobile-main.yaml", old: "requireSignedTools: false", new: "requireSignedTools: ‸'no'", field: "spec.config.security.requireSignedTools",
                   message: "expected a boolean (true or false), got the string 'no'"),
        WrongValue(file: "mobile-main.yaml", old: "defaultType: 'process'", new: "defaultType: ‸1", field: "spec.config.sandbox.defaultType",
                   message: "expected a string, got 1"),
        WrongValue(file: "mobile-main.yaml", old: "      enabled: true\n      defaultType", new: "      enabled: ‸on\n      defaultType",
                   field: "spec.config.sandbox.enabled", message: "expected a boolean (true or false), got the string 'on'"),
        WrongValue(file: "mobile-main.yaml", old: "allowedPaths:\n          - '/tmp/aureus'\n          - '/home/user/.aureus'\n          - '/var/lib/aureus'",
                   new: "allowedPaths: ‸/tmp/aureus", field: "spec.config.sandbox.defaultPermissions.allowedPaths",
                   message: "expected a list of strings, got a string"),
        WrongValue(file: "mobile-main.yaml", old: "    toolAdapters:\n      enabled: true\n",
                   new: "    toolAdapters:\n      ‸- enabled: true\n        name: http-client\n    toolAdapterSettings:\n",
                   field: "spec.config.toolAdapters", message: "expected a mapping, got a list"),
        // Smart Glasses Runtime Adapter
        WrongValue(file: "smart-glasses-main.yaml", old: "maxLatencyMs: 20", new: "maxLatencyMs: ‸-1", field: "spec.config.output.visual.maxLatencyMs",
                   message: "must be a positive number, got -1"),
        WrongValue(file: "smart-glasses-main.yaml", old: "maxLatencyMs: 5 ", new: "maxLatencyMs: ‸0 ", field: "spec.config.output.haptic.maxLatencyMs",
                   message: "must be a positive number, got 0"),
        WrongValue(file: "smart-glasses-main.yaml", old: "streamBufferSize: 10", new: "streamBufferSize: ‸2.5", field: "spec.config.perception.streamBufferSize",
                   message: "must be a positive whole number, got 2.5"),
        WrongValue(file: "smart-glasses-main.yaml", old: "defaultResolution: '1920x1080'", new: "defaultResolution: ‸'1920*1080'",
                   field: "spec.config.perception.camera.defaultResolution",
                   message: "expected a resolution WIDTHxHEIGHT like 1920x1080, got the string '1920*1080'"),
        WrongValue(file: "smart-glasses-main.yaml", old: "defaultSampleRate: 48000", new: "defaultSampleRate: ‸0",
                   field: "spec.config.perception.microphone.defaultSampleRate", message: "must be a positive number, got 0"),
        WrongValue(file: "smart-glasses-main.yaml", old: "targetFrameRate: 60", new: "targetFrameRate: ‸'60'", field: "spec.config.performance.targetFrameRate",
                   message: "expected a positive number, got the string '60'"),
        WrongValue(file: "smart-glasses-main.yaml", old: "offloadToCloud: false", new: "offloadToCloud: ‸0", field: "spec.config.processing.offloadToCloud",
                   message: "expected a boolean (true or false), got 0"),
        WrongValue(file: "smart-glasses-main.yaml", old: "    output:\n      visual:", new: "    output: ‸20\n    outputs:\n      visual:",
                   field: "spec.config.output", message: "expected a mapping, got an integer"),
        // Agent Blueprint with Runtime Target
        WrongValue(file: "robot-navigation-agent.yaml", old: "temperature: 0.7", new: "temperature: ‸7", field: "spec.config.temperature",
                   message: "must be between 0 and 2, got 7.0"),
        WrongValue(file: "robot-navigation-agent.yaml", old: "name: ROS2 Control Adapter\n      enabled: true",
                   new: "name: ROS2 Control Adapter\n      enabled: ‸'true'",
                   field: "spec.toolAdapters[1].enabled", message: "expected a boolean (true or false), got the string 'true'"),
        WrongValue(file: "robot-navigation-agent.yaml", old: "name: Robot Safety Policy", new: "name: ‸[Robot Safety Policy]",
                   field: "spec.policies[0].name", message: "expected a string, got a list"),
        WrongValue(file: "robot-navigation-agent.yaml", old: "adapterId: ros2-control", new: "adapterId: ‸ros2-perception",
                   field: "spec.toolAdapters[1].adapterId", message: "duplicate tool adapter 'ros2-perception'"),
        WrongValue(file: "robot-navigation-agent.yaml", old: "maxVelocity: 2.0", new: "maxVelocity: ‸2.00000000000000000001",
                   field: "spec.policies[0].rules[0].parameters.maxVelocity",
                   message: "number 2.00000000000000000001 cannot be carried exactly by JSON: it reads as 2 (a 64-bit double); write that, or quote the text"),
    ]

    @Test(arguments: wrongValues)
    func wrongValueIsRefusedWhereItIs(_ wrong: WrongValue) throws {
        let original = try Self.fixture(wrong.file)
        #expect(original.components(separatedBy: wrong.old).count == 2, "'\(wrong.old)' must occur once in \(wrong.file)")
        let marked = original.replacingOccurrences(of: wrong.old, with: wrong.new)
        let marker = try #require(marked.range(of: "‸"))
        let before = marked[..<marker.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        let text = marked.replacingOccurrences(of: "‸", with: "")
        let resource = try #require(BothPaths.parse(original, file: wrong.file).result.resources.first?.id)
        BothPaths.parse(text, file: wrong.file)   // both paths place fields (and so errors) alike
        let report = FleetValidator.validate(files: [.init(path: "guides/\(wrong.file)", bytes: Array(text.utf8))])
        #expect(report.errors.map(\.description) == ["guides/\(wrong.file):\(line):\(column): \(resource): \(wrong.field): \(wrong.message)"])
    }
}
