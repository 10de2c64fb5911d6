@testable import Actions
import Foundation
import Reconcile
import StewardTesting
import Testing

/// The local driver as the controller runs it (`stagingWrites`): an action's file is written under
/// its staging name and put in place, fsynced, when the driver settles — and whatever reads or
/// removes the files first puts in place what is staged, so each action sees those before it done.
@Suite struct PendingWritesTests {
    private func driver(_ root: TemporaryDirectory, folders: PendingFolderSyncs = PendingFolderSyncs()) -> LocalDriver {
        LocalDriver(root: root.path, pendingFolders: folders, pendingWrites: PendingWrites())
    }

    @Test func aStagedFileIsInPlaceAndDurableOnceTheDriverSettles() async throws {
        let root = try TemporaryDirectory()
        let folders = PendingFolderSyncs()
        let driver = driver(root, folders: folders)
        let deploy = Fixture.deploy()
        let outcome = try await driver.execute(deploy)
        #expect(outcome.message == "wrote deployments/nav-staging.json")
        #expect(!Fixture.exists(root, "deployments/nav-staging.json"), "not in place before the settle")
        #expect(Fixture.exists(root, "deployments/.nav-staging.json.staged"))
        #expect(driver.pendingWrites?.isEmpty == false)

        try await driver.settle()
        let written = try Fixture.read(root, "deployments/nav-staging.json")
        #expect(Array(written.utf8) == (try LocalDriver.expectedContent(for: deploy)))
        #expect(Fixture.entries(root.appending("deployments").path) == ["nav-staging.json"], "no staged file left")
        #expect(!folders.isPending(root.appending("deployments").path), "the rename was made durable")
        #expect(driver.pendingWrites?.isEmpty == true)

        // The same bytes again: nothing is staged, as without staging.
        let again = try await driver.execute(deploy)
        #expect(again.message == "deployments/nav-staging.json already up to date")
        #expect(driver.pendingWrites?.isEmpty == true)
    }

    @Test func readersWritersAndRemovalsSeeTheActionsBeforeThemDone() async throws {
        let root = try TemporaryDirectory()
        let driver = driver(root)
        let first = Fixture.deploy(version: "1.2.0")
        _ = try await driver.execute(first)
        // A probe, hasEffect and a smoke test each put the staged file in place before they read.
        let probed = try await driver.probe(environment: Fixture.environment, applied: [Fixture.applied(first)])
        #expect(probed[first.action.key]?.state == .inSync)
        #expect(try await driver.hasEffect(first))

        // A second write of the same file puts the first in place, then stages its own.
        _ = try await driver.execute(Fixture.deploy(version: "1.2.5"))
        let second = Fixture.deploy(version: "1.3.0")
        _ = try await driver.execute(second)
        #expect(try Fixture.read(root, "deployments/nav-staging.json").contains("\"1.2.5\""))
        var smoke = second
        smoke.action.kind = .smokeTest
        let passed = try await driver.execute(smoke)
        #expect(passed.message.hasPrefix("smoke test passed"), "\(passed.message)")
        #expect(try Fixture.read(root, "deployments/nav-staging.json").contains("\"1.3.0\""))

        // A removal after a staged write: the file ends up absent, as if the write had been in place.
        _ = try await driver.execute(Fixture.deploy(version: "1.4.0"))
        var undeploy = Fixture.deploy(version: "1.4.0")
        undeploy.action.kind = .undeploy
        let removed = try await driver.execute(undeploy)
        #expect(removed.message == "deleted deployments/nav-staging.json")
        try await driver.settle()
        #expect(Fixture.entries(root.appending("deployments").path).isEmpty)
    }

    @Test func aStagedFileADeadWriterLeftIsReplaced() async throws {
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root.appending("deployments").path, withIntermediateDirectories: true)
        try "half a file".write(toFile: root.appending("deployments/.nav-staging.json.staged").path, atomically: false, encoding: .utf8)
        let driver = driver(root)
        let deploy = Fixture.deploy()
        _ = try await driver.execute(deploy)
        try await driver.settle()
        #expect(Array(try Fixture.read(root, "deployments/nav-staging.json").utf8) == (try LocalDriver.expectedContent(for: deploy)))
        #expect(Fixture.entries(root.appending("deployments").path) == ["nav-staging.json"])
    }

    @Test func aFolderInTheFilesPlaceFailsTheActionAndStagesNothing() async throws {
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root.appending("deployments/nav-staging.json").path, withIntermediateDirectories: true)
        let driver = driver(root)
        await #expect {
            try await driver.execute(Fixture.deploy())
        } throws: { error in
            let failure = error as? DriverError
            return failure?.isTransient == false && failure?.message.contains("deployments/nav-staging.json") == true
        }
        #expect(driver.pendingWrites?.isEmpty == true)
        #expect(Fixture.entries(root.appending("deployments").path) == ["nav-staging.json"])
    }

    /// A rename that fails when the driver settles (a folder made in the file's place after the
    /// action ran): the settle fails, the staged files of that group not in place are removed, and
    /// the next write of them works.
    @Test func aRenameThatFailsAtTheSettleLeavesNoStagedFileBehind() async throws {
        let root = try TemporaryDirectory()
        let driver = driver(root)
        _ = try await driver.execute(Fixture.configureAdapter)
        _ = try await driver.execute(Fixture.deploy())
        try FileManager.default.createDirectory(atPath: root.appending("adapters/robotics-main.json/x").path, withIntermediateDirectories: true)
        await #expect(throws: DriverError.self) { try await driver.settle() }
        #expect(Fixture.entries(root.appending("adapters").path) == ["robotics-main.json"])
        #expect(Fixture.entries(root.appending("deployments").path).isEmpty, "the later file was not put in place either")
        #expect(driver.pendingWrites?.isEmpty == true)

        _ = try await driver.execute(Fixture.deploy())
        try await driver.settle()
        #expect(Fixture.entries(root.appending("deployments").path) == ["nav-staging.json"])
    }

    /// Each driver (one per environment and pass in the controller) commits only what it staged.
    @Test func aFailedCommitFailsOnlyTheDriverWhoseFilesItHolds() async throws {
        let (one, two) = (try TemporaryDirectory(), try TemporaryDirectory())
        let failing = LocalDriver(root: one.path, stagingWrites: true)
        let fine = LocalDriver(root: two.path, stagingWrites: true)
        _ = try await failing.execute(Fixture.deploy())
        _ = try await fine.execute(Fixture.deploy())
        try FileManager.default.createDirectory(atPath: one.appending("deployments/nav-staging.json/x").path, withIntermediateDirectories: true)
        await #expect(throws: DriverError.self) { try await failing.settle() }
        #expect(Fixture.exists(two, "deployments/.nav-staging.json.staged"), "the other driver's file was left to it")
        try await fine.settle()
        #expect(Fixture.entries(two.appending("deployments").path) == ["nav-staging.json"])
    }
}
