import Foundation
import Manifests
import Reconcile

/// Batched probes (`driver.statusBatch: N`, DESIGN §4/§5): one `status` run answers for up to N
/// resources — stdin `{action: "status", environment, resources: [{resource, version, commit, document}]}`,
/// `STEWARD_BATCH` set to their count and no `STEWARD_RESOURCE`; stdout `{resources: [{resource,
/// status, message, version, errorRate, responseTime}]}`. A resource the reply does not name, or a
/// run that fails, is Unknown with the reason — never drift. `timeoutSeconds` holds for each run.
extension ExecDriver {
    func batchedProbe(_ targets: [ExecTarget], size: Int) async throws -> [ResourceKey: ProbeResult] {
        let chunks = stride(from: 0, to: targets.count, by: size).map { Array(targets[$0..<min($0 + size, targets.count)]) }
        var results: [ResourceKey: ProbeResult] = [:]
        try await withThrowingTaskGroup(of: [ResourceKey: ProbeResult].self) { group in
            var next = chunks.makeIterator()
            for _ in 0..<Self.probeConcurrency { if let chunk = next.next() { group.addTask { await status(ofBatch: chunk) } } }
            while let answered = try await group.next() {
                results.merge(answered) { $1 }
                if let chunk = next.next() { group.addTask { await status(ofBatch: chunk) } }
            }
        }
        return results
    }

    /// One `status` run for `batch` (resources of one placement, distinct by resource name).
    func status(ofBatch batch: [ExecTarget]) async -> [ResourceKey: ProbeResult] {
        func all(_ message: String) -> [ResourceKey: ProbeResult] {
            Dictionary(batch.map { ($0.key, ProbeResult(state: .unknown, health: .unknown, message: message)) }) { a, _ in a }
        }
        let result: ExecRunResult
        do {
            var environment = childEnvironment(action: "status", target: batch[0])
            environment["STEWARD_RESOURCE"] = nil
            environment["STEWARD_VERSION"] = nil
            environment["STEWARD_IDEMPOTENCY_KEY"] = nil
            environment["STEWARD_SLOT"] = nil
            environment["STEWARD_BATCH"] = String(batch.count)
            let items: [JSONValue] = batch.map { target in
                .object(["resource": .string(target.key.resource), "version": target.version.map(JSONValue.string) ?? .null,
                         "commit": .string(target.commit), "document": target.document])
            }
            let stdin = JSONValue.object(["action": .string("status"), "environment": .string(batch[0].environment),
                                          "resources": .array(items)]).canonicalBytes + [0x0A]
            result = try await ExecRunner.run(ExecInvocation(
                executable: try resolveExecutable(), arguments: Array(command.dropFirst()), environment: environment,
                workingDirectory: workingDirectory, stdin: stdin, timeoutSeconds: timeoutSeconds,
                tailBytes: Self.tailBytes + redactor.longestSecretBytes))
            if result.cancelled { return all("status check cancelled") }
            try checkExit(result, what: "status of \(batch.count) resources")
        } catch {
            return all("status check failed: \(error)")
        }
        // Matched by resource name before redaction (a name that holds a secret still finds its answer);
        // each answer is redacted on its own.
        let reply = ExecReply(result, redactor: Redactor(secrets: []))
        guard case .array(let answers)? = reply.object?["resources"] else {
            return all("status check failed: the reply to a batch of \(batch.count) is not {\"resources\": [...]}")
        }
        var byResource: [String: JSONValue] = [:]
        for answer in answers {
            if let name = answer["resource"]?.string { byResource[name] = answer }
        }
        var results: [ResourceKey: ProbeResult] = [:]
        for target in batch {
            guard let answer = byResource[target.key.resource] else {
                results[target.key] = ProbeResult(state: .unknown, health: .unknown,
                                                  message: "status check failed: the batch reply does not name \(target.key.resource)")
                continue
            }
            results[target.key] = Self.probeResult(ExecReply(object: ExecReply.redacted(answer, redactor)), expectedVersion: target.version)
        }
        return results
    }
}
