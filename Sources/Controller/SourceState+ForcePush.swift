import GitSource
import Manifests

/// Force-push protection (DESIGN §3, §9): a branch that moved to a commit which does not descend
/// from the last applied commit is held, unless `source.allowForcePush: true`.
extension SourceState {
    /// The error that holds `head`, or nil when it may be applied (first commit, fast-forward,
    /// the same commit, or force-pushes allowed).
    func forcePushProblem(_ head: CommitInfo, repository: GitRepository, lastApplied: String?) -> ValidationError? {
        guard settings.config.source.allowForcePush != true, let lastApplied, lastApplied != head.sha else { return nil }
        let detail: String
        do {
            if try repository.isAncestor(lastApplied, of: head.sha) { return nil }
            detail = "the last applied commit is not an ancestor of the new head"
        } catch let error as GitError {
            detail = "the last applied commit cannot be found in the repository any more (\(error.message))"
        } catch {
            detail = "cannot tell whether the last applied commit is an ancestor of the new head (\(error))"
        }
        let branch = settings.config.branch
        let from = String(lastApplied.prefix(12)), to = String(head.sha.prefix(12))
        return ValidationError(
            file: settings.config.sourcePath, position: SourcePosition(line: 1, column: 1),
            message: "branch '\(branch)' moved non-fast-forward from \(from) to \(to) (\(detail)): held at \(from); "
                + "to apply rewritten history set source.allowForcePush: true in controller.yaml "
                + "(or STEWARD_SOURCE_ALLOW_FORCE_PUSH=true), or push a branch that descends from \(from)")
    }
}
