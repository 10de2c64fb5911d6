import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

extension Reconciler {
    /// Writes the revert commit of an auto-rollback (DESIGN §6) and re-anchors its hold on the reverted
    /// spec; when the commit cannot be written the hold stays on the failed spec and status says why.
    func commitRevert(_ revert: PendingRevert, fleet: Fleet, repository: GitRepository) async {
        let name = revert.key.name, environment = revert.key.environment ?? ""
        var batch = StoreBatch()
        do {
            guard let file = fleet.deployments[name]?.resource.file else {
                throw ControllerError("Deployment \(name) is not in the applied commit")
            }
            let body = """
                Steward rolled back Deployment \(name) in \(environment) from \(revert.failedVersion) to \(revert.version): \
                \(revert.reason) (event seq \(revert.seq)).
                Steward holds \(revert.failedVersion) and will not apply it again until a commit not written by Steward \
                changes this Deployment.
                """
            let message = VersionCommit.message(subject: "Roll back \(name) to \(revert.version) (\(revert.failedVersion) failed in \(environment))",
                                                body: body, action: "auto-rollback", event: revert.seq, reverts: revert.reverts)
            let author = settings.config.git?.author.map { CommitAuthor(name: $0.name, email: $0.email) }
                ?? CommitAuthor(name: "steward", email: "steward@localhost")
            let commit = try VersionCommit(changes: [.init(deployment: name, file: file, to: revert.version)], message: message, author: author,
                                           settings: settings)
                .write(to: repository, branch: settings.config.branch, push: settings.config.git?.push ?? false)
            var anchored = revert.hold
            anchored.specHash = revert.rolledBackSpecHash
            batch.releaseHolds.append(name)
            batch.holds.append(anchored)
            batch.events.append(NewEvent(commit: commit, resource: revert.key.resource, environment: environment, type: .rollback,
                                         reason: "RevertCommitted",
                                         message: "wrote commit \(commit.prefix(12)) setting spec.version back to \(revert.version)",
                                         data: .object(["commit": .string(commit), "seq": .int(Int(revert.seq))])))
        } catch {
            let why = "\(error)"
            batch.events.append(NewEvent(commit: revert.reverts, resource: revert.key.resource, environment: environment, type: .warning,
                                         reason: "RevertCommitFailed",
                                         message: "could not write the revert commit for \(revert.failedVersion): \(why); Git is ahead of the fleet"))
            logger.warning("revert commit failed", metadata: ["deployment": "\(name)", "error": "\(why)"])
        }
        do {
            _ = try await store.commit(batch)
        } catch {
            logger.error("cannot record the revert commit", metadata: ["deployment": "\(name)", "error": "\(error)"])
        }
    }
}
