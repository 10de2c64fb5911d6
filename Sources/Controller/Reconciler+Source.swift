import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// The source a pass works from: the tip it saw, and the last commit that validated (the tip, or the
/// commit applied before an invalid tip).
struct SourceRead {
    var repository: GitRepository
    var head: CommitInfo
    var errors: [ValidationError]
    var good: SourceState.Good?
    /// The applied resources, read from the store while the source was parsed (nil: in memory).
    var prefetched: Task<[ResourceKey: AppliedResource], any Error>?
}

extension Reconciler {
    /// Fetches (a URL source) and parses the branch tip; records a validation failure once per tip.
    func readSource() async throws -> SourceRead {
        let repository = try await openRepository()
        let head = try repository.resolve(settings.config.branch)
        let registered = try await registeredVersions()
        if !registered.isEmpty { memory.registrationsChecked = true }   // a store that records registrations
        let cursor = try await store.sourceCursor()
        let prefetched = prefetchAppliedResources()
        let refused = try verify(head, repository: repository, lastApplied: cursor?.lastAppliedCommit)
        let seen = try memory.source.load(head, repository: repository, registered: registered, lastApplied: cursor?.lastAppliedCommit,
                                          refused: refused)
        if !seen.errors.isEmpty, cursor?.lastSeenCommit != head.sha || cursor?.errors.isEmpty == true {
            try await recordValidationFailure(head, errors: seen.errors)
        }
        return SourceRead(repository: repository, head: head, errors: seen.errors, good: memory.source.lastGood, prefetched: prefetched)
    }

    /// Why `head` may not be applied under `source.verify` (DESIGN §13), nil when it may (or nothing
    /// is verified). Strict mode checks every commit since the last applied one.
    /// `log: false` for previews (`diff`, `/api/plan`), which report the refusal themselves.
    func verify(_ head: CommitInfo, repository: GitRepository, lastApplied: String?, log: Bool = true) throws -> ValidationError? {
        guard let verifier = try CommitVerifier.configured(settings) else { return nil }
        if let known = memory.verified, known.head == head.sha { return known.failure }
        let result = verifier.check(head: head.sha, base: lastApplied, in: repository)
        if result.firstCheck, log {
            logger.notice("source.verify strict: no applied commit to check from; only the tip \(head.sha.prefix(12)) was checked")
        }
        let failure = result.failure.map { ValidationError.commitProblem($0.message) }
        if let failure, log {
            logger.warning("commit not verified", metadata: ["commit": "\(head.sha.prefix(12))", "reason": "\(failure.message)"])
        } else if failure == nil, log {
            logger.info("commit verified", metadata: ["commit": "\(head.sha.prefix(12))", "commits": "\(result.checked)", "mode": "\(verifier.mode.rawValue)"])
        }
        memory.verified = (head.sha, failure)
        return failure
    }

    /// Starts reading the applied resources, when they are not in memory, so that the store works
    /// while the caller parses (the query runs on the store's own threads, the table is built in the task).
    func prefetchAppliedResources() -> Task<[ResourceKey: AppliedResource], any Error>? {
        guard memory.applied == nil else { return nil }
        let store = store
        return Task { try await store.appliedTable() }
    }

    /// What was applied: kept in memory between passes (the controller is the only writer of
    /// resources), read from the store after a failed pass or on the first one.
    func appliedResources(prefetched: Task<[ResourceKey: AppliedResource], any Error>? = nil) async throws -> [ResourceKey: AppliedResource] {
        if let applied = memory.applied { return applied }
        let applied = if let prefetched { try await prefetched.value } else { try await store.appliedTable() }
        memory.applied = applied
        return applied
    }

    func recordValidationFailure(_ head: CommitInfo, errors: [ValidationError]) async throws {
        var batch = StoreBatch()
        let previous = try await store.sourceCursor()
        batch.cursor = SourceCursor(lastSeenCommit: head.sha, lastAppliedCommit: previous?.lastAppliedCommit, errors: errors, updatedAt: Date())
        let first = errors.first.map { ": \($0)" } ?? ""
        batch.events.append(NewEvent(commit: head.sha, type: .validationFailed, reason: "ValidationFailed",
                                     message: "commit \(head.sha.prefix(12)) not applied: \(errors.count) validation error\(errors.count == 1 ? "" : "s")\(first)",
                                     data: .object(["errors": .array(errors.prefix(100).map { .string($0.description) })])))
        _ = try await store.commit(batch)
    }
}
