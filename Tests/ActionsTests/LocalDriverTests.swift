@testable import Actions
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

/// Builders for local-driver requests and applied resources (for this file and the probe memo's tests).
enum Fixture {
    static let environment = "staging"

    static func document(_ kind: ResourceKind, _ name: String, spec: [String: JSONValue]) -> JSONValue {
        .object([
            "apiVersion": .string("steward/v1"), "kind": .string(kind.rawValue),
            "metadata": .object(["name": .string(name)]), "spec": .object(spec),
        ])
    }

    static let adapter = document(.runtimeAdapter, "robotics-main", spec: [
        "runtimeType": .string("robotics"), "enabled": .bool(true),
    ])

    static func blueprint(temperature: Double = 0.7) -> JSONValue {
        document(.agentBlueprint, "nav", spec: [
            "version": .string("1.2.0"), "goal": .string("Navigate"),
            "config": .object(["temperature": .double(temperature), "prompt": .string("You are a navigation agent")]),
        ])
    }

    static func deployment(version: String = "1.2.0") -> JSONValue {
        document(.deployment, "nav-staging", spec: [
            "blueprint": .string("nav"), "version": .string(version), "environment": .string(environment),
        ])
    }

    static func request(_ kind: ActionKind, _ resourceKind: ResourceKind, _ name: String, document: JSONValue,
                        version: String? = nil, commit: String = "c0ffee1") -> ActionRequest {
        let key = ResourceKey(kind: resourceKind, name: name, environment: environment)
        let action = PlannedAction(kind: kind, key: key, change: .create, document: document, specHash: "hash-\(name)",
                                   version: version, commit: commit, trigger: commit, reason: "test")
        return ActionRequest(action: action, environment: environment, idempotencyKey: action.idempotencyKey)
    }

    static func applied(_ request: ActionRequest) -> AppliedResource {
        AppliedResource(key: request.action.key, specHash: request.action.specHash, spec: request.action.document,
                        commit: request.action.commit, version: request.action.version,
                        createdAt: Date(), updatedAt: Date())
    }

    static let configureAdapter = request(.configureAdapter, .runtimeAdapter, "robotics-main", document: adapter)
    static let registerVersion = request(.registerVersion, .agentBlueprint, "nav@1.2.0", document: blueprint(), version: "1.2.0")
    static func deploy(_ kind: ActionKind = .deploy, version: String = "1.2.0") -> ActionRequest {
        request(kind, .deployment, "nav-staging", document: deployment(version: version), version: version)
    }

    static func read(_ root: TemporaryDirectory, _ path: String) throws -> String {
        try String(contentsOfFile: root.appending(path).path, encoding: .utf8)
    }

    static func exists(_ root: TemporaryDirectory, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appending(path).path)
    }

    /// (inode, mtime in nanoseconds) of a file.
    static func identity(_ path: String) throws -> (UInt64, Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw DriverError("stat \(path) failed", transient: false) }
        return (UInt64(info.st_ino), info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec)
    }

    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

@Suite("Local driver: files, idempotent writes, drift, smoke tests, path safety")
struct LocalDriverTests {
    @Test func configureAdapterWritesExactCanonicalContent() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        let outcome = try await driver.execute(Fixture.configureAdapter)
        #expect(outcome.message == "wrote adapters/robotics-main.json")
        let expected = #"{"apiVersion":"steward/v1","kind":"RuntimeAdapter","metadata":{"name":"robotics-main"},"#
            + #""spec":{"enabled":true,"runtimeType":"robotics"},"#
            + #""steward":{"commit":"c0ffee1","environment":"staging","version":null}}"# + "\n"
        #expect(try Fixture.read(root, "adapters/robotics-main.json") == expected)
        // No temp files are left beside it.
        #expect(Fixture.entries(root.appending("adapters").path) == ["robotics-main.json"])
    }

    @Test func registerVersionWritesBlueprintVersionFile() async throws {
        let root = try TemporaryDirectory()
        _ = try await LocalDriver(root: root.path).execute(Fixture.registerVersion)
        let expected = #"{"apiVersion":"steward/v1","kind":"AgentBlueprint","metadata":{"name":"nav"},"#
            + #""spec":{"config":{"prompt":"You are a navigation agent","temperature":0.7},"goal":"Navigate","version":"1.2.0"},"#
            + #""steward":{"commit":"c0ffee1","environment":"staging","version":"1.2.0"}}"# + "\n"
        #expect(try Fixture.read(root, "blueprints/nav/1.2.0.json") == expected)
    }

    @Test(arguments: [ActionKind.deploy, .promote, .rollback])
    func deploymentActionsWriteDeploymentFile(kind: ActionKind) async throws {
        let root = try TemporaryDirectory()
        _ = try await LocalDriver(root: root.path).execute(Fixture.deploy(kind, version: "1.3.0"))
        let expected = #"{"apiVersion":"steward/v1","kind":"Deployment","metadata":{"name":"nav-staging"},"#
            + #""spec":{"blueprint":"nav","environment":"staging","version":"1.3.0"},"#
            + #""steward":{"commit":"c0ffee1","environment":"staging","version":"1.3.0"}}"# + "\n"
        #expect(try Fixture.read(root, "deployments/nav-staging.json") == expected)
    }

    @Test func undeployAndRemoveAdapterDeleteTheirFiles() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        _ = try await driver.execute(Fixture.configureAdapter)
        _ = try await driver.execute(Fixture.deploy())
        let undeploy = Fixture.request(.undeploy, .deployment, "nav-staging", document: .null)
        let removeAdapter = Fixture.request(.removeAdapter, .runtimeAdapter, "robotics-main", document: .null)
        #expect(try await driver.execute(undeploy).message == "deleted deployments/nav-staging.json")
        #expect(try await driver.execute(removeAdapter).message == "deleted adapters/robotics-main.json")
        #expect(!Fixture.exists(root, "deployments/nav-staging.json"))
        #expect(!Fixture.exists(root, "adapters/robotics-main.json"))
        // Deleting again is a no-op, not an error.
        #expect(try await driver.execute(undeploy).message == "deployments/nav-staging.json already absent")
    }

    @Test func filesStewardDidNotWriteAreLeftAlone() async throws {
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: root.appending("deployments"), withIntermediateDirectories: true)
        let foreign = #"{"owner":"someone else"}"#
        try foreign.write(toFile: root.appending("deployments/nav-staging.json").path, atomically: false, encoding: .utf8)
        try "notes".write(toFile: root.appending("deployments/README").path, atomically: false, encoding: .utf8)
        let undeploy = Fixture.request(.undeploy, .deployment, "nav-staging", document: .null)
        let error = try await #require(throws: DriverError.self) { try await LocalDriver(root: root.path).execute(undeploy) }
        #expect(!error.isTransient)
        #expect(error.message.contains("not written by Steward"))
        #expect(try Fixture.read(root, "deployments/nav-staging.json") == foreign)
        // Writing other resources never touches unrelated files.
        _ = try await LocalDriver(root: root.path).execute(Fixture.configureAdapter)
        #expect(try Fixture.read(root, "deployments/README") == "notes")
    }

    @Test func unchangedContentIsNotRewritten() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        _ = try await driver.execute(Fixture.deploy())
        let path = root.appending("deployments/nav-staging.json").path
        let before = try Fixture.identity(path)
        try await Task.sleep(for: .milliseconds(20))
        let again = try await driver.execute(Fixture.deploy())
        #expect(again.message == "deployments/nav-staging.json already up to date")
        #expect(again.data?["written"] == .bool(false))
        let after = try Fixture.identity(path)
        #expect(after.0 == before.0)
        #expect(after.1 == before.1)
        // A real change is written (atomically: a new inode replaces the old one).
        _ = try await driver.execute(Fixture.deploy(version: "1.3.0"))
        #expect(try Fixture.identity(path).0 != before.0)
        #expect(try Fixture.read(root, "deployments/nav-staging.json").contains(#""version":"1.3.0""#))
    }

    /// Probes that cost what changed (`reconcile.fullProbeInterval`): a settled file found as applied
    /// is not read again while its identity holds; an edit of the same size, even with its
    /// modification time set back, a replaced file and an expired interval are each read in full.
    @Test func probeSkipsSettledUnchangedFilesAndStillSeesEveryEdit() async throws {
        let root = try TemporaryDirectory()
        let deploy = Fixture.deploy()
        _ = try await LocalDriver(root: root.path).execute(deploy)
        let applied = [Fixture.applied(deploy)]
        let path = root.appending("deployments/nav-staging.json").path
        let memo = LocalProbeMemo.shared
        let key = root.path   // reads are counted by root; this root holds one file
        func reads(_ driver: LocalDriver) async throws -> (ProbeResult?, Int) {
            let before = memo.fullReads(key)
            let result = try await driver.probe(environment: Fixture.environment, applied: applied)[deploy.action.key]
            return (result, memo.fullReads(key) - before)
        }
        let driver = LocalDriver(root: root.path)
        // A file changed less than its settle time before the read is not remembered (an edit in the
        // same clock tick could keep its times); one changed earlier is.
        let identity = try #require(LocalProbeMemo.identity(path))
        let settle = memo.settleSeconds(identity, path: path)
        let content = "probe-memo-test"
        memo.remember(path, content: content, before: identity, after: identity, now: identity.changedAt + settle / 2)
        #expect(!memo.unchanged(path, content: content, maxAge: 600))
        let settled = identity.changedAt + settle + 1
        memo.remember(path, content: content, before: identity, after: identity, now: settled)
        #expect(memo.unchanged(path, content: content, maxAge: 600, now: settled + 1))
        #expect(!memo.unchanged(path, content: "other content", maxAge: 600, now: settled + 1))
        memo.forget(path)

        try await Task.sleep(for: .seconds(settle + 0.2))
        #expect(try await reads(driver).1 == 1, "read in full, then remembered")
        let (hit, read) = try await reads(driver)
        #expect(hit?.state == .inSync && read == 0, "an unchanged settled file is not read")

        // A hand edit of the same size, its modification time set back: the change time moved.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try text.replacingOccurrences(of: "1.2.0", with: "1.2.9").write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        let (edited, readEdited) = try await reads(driver)
        #expect(edited?.state == .drifted && readEdited == 1, "\(String(describing: edited))")

        // Put back (settled again), then replaced by another file with the same bytes: read, in sync.
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try await Task.sleep(for: .seconds(settle + 0.2))
        #expect(try await reads(driver).0?.state == .inSync)
        #expect(try await reads(driver).1 == 0)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await reads(driver) .1 == 1)

        // Another applied content (a new commit) or an expired interval: read in full.
        try await Task.sleep(for: .seconds(settle + 0.2))
        _ = try await reads(driver)
        #expect(try await reads(driver).1 == 0)
        #expect(try await reads(LocalDriver(root: root.path, fullProbeSeconds: 0)).1 == 1, "fullProbeInterval 0: always read")
        // With no interval to trust it for (a one-shot `diff`), a probe remembers nothing.
        memo.forget(path)
        #expect(try await reads(LocalDriver(root: root.path, fullProbeSeconds: 0)).1 == 1)
        #expect(try await reads(driver).1 == 1, "the probe before remembered the file")
        #expect(try await reads(driver).1 == 0)
        var recommitted = Fixture.applied(deploy)
        recommitted.commit = "feedbee"
        let before = memo.fullReads(key)
        let result = try await driver.probe(environment: Fixture.environment, applied: [recommitted])[deploy.action.key]
        // Read in full; the file names an earlier commit with the same content, which is not drift.
        #expect(result?.state == .inSync && memo.fullReads(key) - before == 1, "\(String(describing: result))")
        // Deleted: missing, at once.
        try FileManager.default.removeItem(atPath: path)
        #expect(try await reads(driver).0?.state == .missing)
    }

    /// The folders a probe resolves once: one per kind and blueprint, found from the first resource
    /// that names a valid file; a folder that does not exist or resolves outside the root is left
    /// out (each file's probe then says why).
    @Test func eachFolderIsResolvedOnceFromAValidName() throws {
        let root = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        for folder in ["deployments", "adapters", "blueprints/nav"] {
            try FileManager.default.createDirectory(atPath: root.appending(folder).path, withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: root.appending("blueprints/escape").path, withDestinationPath: outside.path)
        func applied(_ kind: ResourceKind, _ name: String) -> AppliedResource {
            AppliedResource(key: ResourceKey(kind: kind, name: name, environment: Fixture.environment), specHash: "h", spec: .null,
                            commit: "c", createdAt: Date(), updatedAt: Date())
        }
        let resources = [
            applied(.deployment, "../up"), applied(.deployment, "nav-staging"), applied(.deployment, "arm-staging"),
            applied(.runtimeAdapter, "robotics-main"), applied(.agentBlueprint, "nav"), applied(.agentBlueprint, "nav@1.2.0"),
            applied(.agentBlueprint, "nav@1.3.0"), applied(.agentBlueprint, "arm@1.0.0"), applied(.agentBlueprint, "escape@1.0.0"),
            applied(.environment, "staging"),
        ]
        let real = try #require(LocalFile.realPath(root.path))
        let folders = LocalDriver.resolvedFolders(realRoot: real, for: resources)
        #expect(folders == [["deployments"]: .some(real + "/deployments"), ["adapters"]: .some(real + "/adapters"),
                            ["blueprints", "nav"]: .some(real + "/blueprints/nav")])
    }

    @Test func probeSeesSyncDriftAndMissing() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        let requests = [Fixture.configureAdapter, Fixture.registerVersion, Fixture.deploy()]
        for request in requests { _ = try await driver.execute(request) }
        let environmentKey = ResourceKey(kind: .environment, name: Fixture.environment, environment: Fixture.environment)
        let applied = requests.map(Fixture.applied) + [
            AppliedResource(key: environmentKey, specHash: "h", spec: .null, commit: "c", createdAt: Date(), updatedAt: Date()),
        ]
        var results = try await driver.probe(environment: Fixture.environment, applied: applied)
        #expect(results.count == 3)
        #expect(results.values.allSatisfy { $0.state == .inSync && $0.health == .healthy })
        #expect(results[environmentKey] == nil)

        // A hand edit of one field is drift naming that field.
        let blueprintPath = root.appending("blueprints/nav/1.2.0.json").path
        let edited = try String(contentsOfFile: blueprintPath, encoding: .utf8).replacingOccurrences(of: "0.7", with: "0.9")
        try edited.write(toFile: blueprintPath, atomically: false, encoding: .utf8)
        // A deleted file is missing.
        try FileManager.default.removeItem(atPath: root.appending("deployments/nav-staging.json").path)
        results = try await driver.probe(environment: Fixture.environment, applied: applied)
        let blueprint = try #require(results[Fixture.registerVersion.action.key])
        #expect(blueprint.state == .drifted)
        #expect(blueprint.health == .healthy)
        #expect(blueprint.message?.contains("spec.config.temperature") == true)
        let deployment = try #require(results[Fixture.deploy().action.key])
        #expect(deployment.state == .missing)
        #expect(deployment.health == .missing)
        #expect(results[Fixture.configureAdapter.action.key]?.state == .inSync)
    }

    /// Enough files to be probed on several threads: each result lands on its own key, and
    /// resources of other environments are left out.
    @Test func manyFilesAreProbedEachIntoItsOwnResult() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        let requests = (0..<(ConcurrentMap.threshold + 50)).map { index in
            Fixture.request(.deploy, .deployment, "agent-\(index)", document: Fixture.document(.deployment, "agent-\(index)", spec: [
                "blueprint": .string("nav"), "version": .string("1.2.0"), "environment": .string(Fixture.environment),
            ]), version: "1.2.0")
        }
        for request in requests { _ = try await driver.execute(request) }
        for index in stride(from: 0, to: requests.count, by: 7) {
            try FileManager.default.removeItem(atPath: root.appending("deployments/agent-\(index).json").path)
        }
        let elsewhere = AppliedResource(key: ResourceKey(kind: .deployment, name: "agent-1", environment: "production"), specHash: "h",
                                        spec: Fixture.deployment(), commit: "c", createdAt: Date(), updatedAt: Date())
        let results = try await driver.probe(environment: Fixture.environment, applied: requests.map(Fixture.applied) + [elsewhere])
        #expect(results.count == requests.count)
        #expect(results[elsewhere.key] == nil)
        for (index, request) in requests.enumerated() {
            #expect(results[request.action.key]?.state == (index % 7 == 0 ? .missing : .inSync), "agent-\(index)")
        }
    }

    @Test func probeTreatsGarbageAsDriftAndReformattingAsInSync() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        _ = try await driver.execute(Fixture.configureAdapter)
        let path = root.appending("adapters/robotics-main.json").path
        let applied = [Fixture.applied(Fixture.configureAdapter)]
        // Same JSON, pretty-printed: not drift.
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        #expect(try await driver.probe(environment: Fixture.environment, applied: applied).values.first?.state == .inSync)
        // A removed steward block or another commit is drift.
        try #"{"apiVersion":"steward/v1"}"#.write(toFile: path, atomically: false, encoding: .utf8)
        let stripped = try await driver.probe(environment: Fixture.environment, applied: applied).values.first
        #expect(stripped?.state == .drifted)
        try "{not json".write(toFile: path, atomically: false, encoding: .utf8)
        let garbage = try await driver.probe(environment: Fixture.environment, applied: applied).values.first
        #expect(garbage?.state == .drifted)
        #expect(garbage?.message?.contains("not valid JSON") == true)
        // The file as written, with a key named a second time (a value a reader may take instead):
        // drift, whichever of the two values a parser keeps.
        _ = try await driver.execute(Fixture.configureAdapter)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let repeated = written.replacingOccurrences(of: #"{"apiVersion":"#, with: #"{"apiVersion":"steward/v0","apiVersion":"#)
        #expect(repeated != written)
        try repeated.write(toFile: path, atomically: false, encoding: .utf8)
        let twice = try await driver.probe(environment: Fixture.environment, applied: applied).values.first
        #expect(twice?.state == .drifted)
        #expect(twice?.message?.contains("names a key twice") == true)
        // Re-applying heals it.
        _ = try await driver.execute(Fixture.configureAdapter)
        #expect(try await driver.probe(environment: Fixture.environment, applied: applied).values.first?.state == .inSync)
    }

    @Test func smokeTestPassesWhenTheFileMatches() async throws {
        let root = try TemporaryDirectory()
        let tests = try JSONDecoder().decode([SmokeTest].self, from: Data(#"""
            [{"name": "API Health Check", "endpoint": "/health", "expectedStatus": 200},
             {"name": "Basic Workflow Execution", "workflowId": "wf", "expectedOutcome": "success"}]
            """#.utf8))
        let driver = LocalDriver(root: root.path, smokeTests: tests)
        _ = try await driver.execute(Fixture.deploy())
        let outcome = try await driver.execute(Fixture.deploy(.smokeTest))
        let results = try #require(outcome.data?["tests"]?.array)
        #expect(results.count == 3)
        #expect(results[0]["status"] == .string("passed"))
        #expect(results[1] == .object(["name": .string("API Health Check"), "status": .string("skipped"),
                                       "reason": .string("the local driver has no endpoints or workflows to call")]))
        #expect(results[2]["status"] == .string("skipped"))
    }

    @Test func smokeTestFailsWhenTheFileIsMissingOrDiffers() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        let missing = try await #require(throws: DriverError.self) { try await driver.execute(Fixture.deploy(.smokeTest)) }
        #expect(missing.message.hasPrefix("smoke test failed: "))
        #expect(!missing.isTransient)
        _ = try await driver.execute(Fixture.deploy(version: "1.1.0"))
        let differs = try await #require(throws: DriverError.self) { try await driver.execute(Fixture.deploy(.smokeTest)) }
        #expect(differs.message.hasPrefix("smoke test failed: "))
        #expect(differs.message.contains("spec.version"))
    }

    @Test(arguments: ["../x", "a/b", "..", "", "/etc/passwd", "x\0y", ".hidden"])
    func namesThatWouldLeaveTheRootAreRefused(name: String) async throws {
        let parent = try TemporaryDirectory()
        let rootPath = parent.appending("root").path
        let driver = LocalDriver(root: rootPath)
        let requests = [
            Fixture.request(.deploy, .deployment, name, document: Fixture.deployment(), version: "1.2.0"),
            Fixture.request(.configureAdapter, .runtimeAdapter, name, document: Fixture.adapter),
            Fixture.request(.registerVersion, .agentBlueprint, "\(name)@1.2.0", document: Fixture.blueprint(), version: "1.2.0"),
            Fixture.request(.registerVersion, .agentBlueprint, "nav@\(name)", document: Fixture.blueprint(), version: name),
            Fixture.request(.undeploy, .deployment, name, document: .null),
        ]
        for request in requests {
            let error = try await #require(throws: DriverError.self) { try await driver.execute(request) }
            #expect(!error.isTransient)
            #expect(error.message.contains("refusing"))
        }
        // Nothing was written anywhere, inside or outside the root.
        #expect(Fixture.entries(parent.path).allSatisfy { $0 == "root" })
        #expect(Fixture.entries(rootPath).allSatisfy { Fixture.entries(rootPath + "/" + $0).isEmpty })
    }

    @Test func aSymlinkedFolderPointingOutsideTheRootIsRefused() async throws {
        let root = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: root.appending("deployments").path, withDestinationPath: outside.path)
        try FileManager.default.createDirectory(at: root.appending("blueprints"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appending("blueprints/nav").path, withDestinationPath: outside.path)
        let driver = LocalDriver(root: root.path)
        for request in [Fixture.deploy(), Fixture.registerVersion] {
            let error = try await #require(throws: DriverError.self) { try await driver.execute(request) }
            #expect(!error.isTransient)
            #expect(error.message.contains("outside the root"))
        }
        #expect(Fixture.entries(outside.path).isEmpty)
        // Probing and removal refuse too, and touch nothing.
        try "{}".write(toFile: outside.appending("nav-staging.json").path, atomically: false, encoding: .utf8)
        let probe = try await driver.probe(environment: Fixture.environment, applied: [Fixture.applied(Fixture.deploy())])
        #expect(probe.values.first?.health == .unknown)
        let undeploy = Fixture.request(.undeploy, .deployment, "nav-staging", document: .null)
        await #expect(throws: DriverError.self) { try await driver.execute(undeploy) }
        #expect(Fixture.entries(outside.path) == ["nav-staging.json"])
    }

    @Test func aSymlinkedFolderInsideTheRootIsFollowed() async throws {
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: root.appending("store/deployments"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appending("deployments").path,
                                                   withDestinationPath: root.appending("store/deployments").path)
        _ = try await LocalDriver(root: root.path).execute(Fixture.deploy())
        #expect(Fixture.exists(root, "store/deployments/nav-staging.json"))
    }

    @Test func hasEffectBeforeAndAfter() async throws {
        let root = try TemporaryDirectory()
        let driver = LocalDriver(root: root.path)
        let deploy = Fixture.deploy()
        let undeploy = Fixture.request(.undeploy, .deployment, "nav-staging", document: .null)
        #expect(try await driver.hasEffect(deploy) == false)
        #expect(try await driver.hasEffect(undeploy) == true)
        _ = try await driver.execute(deploy)
        #expect(try await driver.hasEffect(deploy) == true)
        #expect(try await driver.hasEffect(undeploy) == false)
        // Another commit of the same resource is a different expected content.
        #expect(try await driver.hasEffect(Fixture.deploy(version: "1.3.0")) == false)
        _ = try await driver.execute(undeploy)
        #expect(try await driver.hasEffect(undeploy) == true)
        #expect(try await driver.hasEffect(deploy) == false)
        #expect(try await driver.hasEffect(Fixture.deploy(.smokeTest)) == false)
    }

    /// A process that died between an action's rename and the settle: the next one finds the file
    /// (it is what a crash left in the page cache) and syncs its folder, and the folder's own entry,
    /// before the executor records it as done.
    @Test func aFileFoundAfterACrashIsSyncedBeforeItGoesOnRecord() async throws {
        let dir = try TemporaryDirectory()
        _ = try await LocalDriver(root: dir.path, pendingFolders: PendingFolderSyncs()).execute(Fixture.registerVersion)
        let pending = PendingFolderSyncs()
        let restarted = LocalDriver(root: dir.path, pendingFolders: pending)
        #expect(try await restarted.hasEffect(Fixture.registerVersion))
        let root = try #require(LocalFile.realPath(dir.path))
        #expect(pending.isPending(root + "/blueprints/nav") && pending.isPending(root + "/blueprints"))
        try await restarted.settle()
        #expect(!pending.isPending(root + "/blueprints/nav") && !pending.isPending(root + "/blueprints"))
        #expect(try await restarted.hasEffect(Fixture.deploy()) == false)
        #expect(!pending.isPending(root + "/deployments"))
    }

    @Test(arguments: [ActionKind.backup, .pruneBackups])
    func backupsAreNotThisDriversJob(kind: ActionKind) async throws {
        let root = try TemporaryDirectory()
        let request = Fixture.request(kind, .backupSchedule, "hourly", document: .null)
        let error = try await #require(throws: DriverError.self) { try await LocalDriver(root: root.path).execute(request) }
        #expect(!error.isTransient)
        #expect(error.message.contains(kind.rawValue))
        #expect(Fixture.entries(root.path).isEmpty)
    }

    @Test func anActionForTheWrongKindIsRefused() async throws {
        let root = try TemporaryDirectory()
        let request = Fixture.request(.deploy, .runtimeAdapter, "robotics-main", document: Fixture.adapter)
        await #expect(throws: DriverError.self) { try await LocalDriver(root: root.path).execute(request) }
    }

    @Test func theRootIsCreatedWhenMissing() async throws {
        let parent = try TemporaryDirectory()
        let root = parent.appending("var/fleet/staging").path
        let pending = PendingFolderSyncs()
        _ = try await LocalDriver(root: root, pendingFolders: pending).execute(Fixture.configureAdapter)
        #expect(FileManager.default.fileExists(atPath: root + "/adapters/robotics-main.json"))
        // Each folder made has its entry in its parent made durable when the driver settles.
        for folder in [parent.path, parent.appending("var").path, parent.appending("var/fleet").path, root, root + "/adapters"] {
            #expect(pending.isPending(folder), "\(folder) is not to be synced")
        }
    }

    /// An action renames its file into place and returns; the folders whose entries it changed (the
    /// file's, and the parent of each folder it made) are synced when the driver settles, which the
    /// executor does before it records the outcomes (ExecutorDurabilityTests).
    @Test func foldersAreSyncedWhenTheDriverSettlesNotOnTheActionsWay() async throws {
        let dir = try TemporaryDirectory()
        let pending = PendingFolderSyncs()
        let driver = LocalDriver(root: dir.path, pendingFolders: pending)
        _ = try await driver.execute(Fixture.registerVersion)
        _ = try await driver.execute(Fixture.deploy())
        let root = try #require(LocalFile.realPath(dir.path))
        let touched = [root, root + "/blueprints", root + "/blueprints/nav", root + "/deployments"]
        for folder in touched { #expect(pending.isPending(folder), "\(folder) is not to be synced") }
        try await driver.settle()
        for folder in touched { #expect(!pending.isPending(folder), "\(folder) is still to be synced") }
        // A file that already holds its bytes is not written, and leaves nothing to sync.
        _ = try await driver.execute(Fixture.deploy())
        #expect(!pending.isPending(root + "/deployments"))
        // A new version of the file is synced again.
        _ = try await driver.execute(Fixture.deploy(.promote, version: "1.3.0"))
        #expect(pending.isPending(root + "/deployments"))
        try await driver.settle()
        #expect(!pending.isPending(root + "/deployments"))
    }

    /// A driver lives for one pass: it resolves its root once; the next pass's driver follows a
    /// root pointed elsewhere in between.
    @Test func aDriverResolvesItsRootOnceAndTheNextOneAgain() async throws {
        let dir = try TemporaryDirectory()
        for folder in ["a", "b"] { try FileManager.default.createDirectory(at: dir.appending(folder), withIntermediateDirectories: true) }
        let root = dir.appending("root").path
        try FileManager.default.createSymbolicLink(atPath: root, withDestinationPath: dir.appending("a").path)
        let driver = LocalDriver(root: root)
        _ = try await driver.execute(Fixture.configureAdapter)
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.createSymbolicLink(atPath: root, withDestinationPath: dir.appending("b").path)
        _ = try await driver.execute(Fixture.deploy())
        #expect(Fixture.entries(dir.appending("a").path) == ["adapters", "deployments"])
        _ = try await LocalDriver(root: root).execute(Fixture.registerVersion)
        #expect(Fixture.entries(dir.appending("b").path) == ["blueprints"])
    }

    @Test func aFolderGoneBeforeItsSyncIsNotAFailure() async throws {
        let dir = try TemporaryDirectory()
        let pending = PendingFolderSyncs()
        pending.add(dir.appending("gone").path)
        pending.add(dir.path)
        try await pending.flush()
        #expect(!pending.isPending(dir.path) && !pending.isPending(dir.appending("gone").path))
    }

    /// A folder whose fsync fails stays to be synced (the next settle tries it again) and the flush
    /// throws; the others are synced. Flushes side by side each return with their folders synced.
    @Test func aFolderThatCannotBeSyncedStaysPending() async throws {
        let dir = try TemporaryDirectory()
        let pending = PendingFolderSyncs()
        let plain = dir.appending("plain").path
        #expect(FileManager.default.createFile(atPath: plain, contents: Data("x".utf8)))
        pending.add(plain)
        pending.add(dir.path)
        await #expect(throws: AtomicFileError.self) { try await pending.flush() }
        #expect(pending.isPending(plain) && !pending.isPending(dir.path))
        try FileManager.default.removeItem(atPath: plain)
        let folders = try (0..<64).map { index in
            let folder = dir.appending("f\(index)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return folder.path
        }
        for folder in folders { pending.add(folder) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await pending.flush() } }
            try await group.waitForAll()
        }
        #expect(folders.allSatisfy { !pending.isPending($0) } && !pending.isPending(plain))
    }
}
