import Foundation
import Manifests
import Reconcile

/// The JSON object a command may print on stdout: `{status, deploymentId, message, version}`.
struct ExecReply {
    /// The parsed object, secrets redacted; nil when stdout held no JSON object.
    var object: JSONValue?

    /// One resource's answer in a batched status reply (already redacted with the whole reply).
    init(object: JSONValue) { self.object = object }

    /// Parses the whole stdout as a JSON object, or else its last non-empty line (so a script may
    /// log before it answers); for a stdout too large to keep whole, the last line of its tail.
    init(_ result: ExecRunResult, redactor: Redactor) {
        let text = String(decoding: result.stdout ?? result.stdoutTail, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return }
        let lastLine = text.split(whereSeparator: \.isNewline).last.map { [String($0)] } ?? []
        let candidates = result.stdout == nil ? lastLine : [text] + lastLine
        for candidate in candidates {
            if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(candidate.utf8)), case .object = value {
                object = Self.redacted(value, redactor)
                return
            }
        }
    }

    var status: String? { object?["status"]?.string?.lowercased() }
    var message: String? { object?["message"]?.string }
    var version: String? { object?["version"]?.string }
    /// A number member (`errorRate`, `responseTime` for the health gate).
    func number(_ name: String) -> Double? {
        switch object?[name] {
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        default: return nil
        }
    }
    var deploymentId: String? {
        switch object?["deploymentId"] {
        case .string(let id)?: return id
        case .int(let id)?: return String(id)
        default: return nil
        }
    }

    /// `value` with secrets redacted from its strings, its member names and its numbers (a
    /// number that holds a secret, `{"pin": 123456}`, becomes the string `[redacted]`).
    static func redacted(_ value: JSONValue, _ redactor: Redactor) -> JSONValue {
        guard !redactor.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redactor.redact(text))
        case .array(let items): return .array(items.map { redacted($0, redactor) })
        case .object(let members):
            return .object(Dictionary(members.map { (redactor.redact($0.key), redacted($0.value, redactor)) }) { first, _ in first })
        case .int, .double:
            let text = String(decoding: value.canonicalBytes, as: UTF8.self)
            return redactor.redact(text) == text ? value : .string(Redactor.marker)
        case .null, .bool: return value
        }
    }
}

/// Probing (DESIGN §4): a `status` action per applied resource.
extension ExecDriver {
    /// How many status commands run at once.
    static let probeConcurrency = 4

    public func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] {
        let targets = applied.filter { $0.key.environment == nil || $0.key.environment == environment }
            .map { ExecTarget($0, environment: environment) }
        if let statusBatch, statusBatch > 1, targets.count > 1 { return try await batchedProbe(targets, size: statusBatch) }
        var results: [ResourceKey: ProbeResult] = [:]
        try await withThrowingTaskGroup(of: (ResourceKey, ProbeResult).self) { group in
            var next = 0
            func startNext() {
                guard next < targets.count else { return }
                let target = targets[next]
                next += 1
                group.addTask { (target.key, try await status(of: target)) }
            }
            for _ in 0..<Self.probeConcurrency { startNext() }
            while let (key, result) = try await group.next() {
                results[key] = result
                startNext()
            }
        }
        return results
    }

    /// Runs `STEWARD_ACTION=status` for one resource and maps its answer. A command that fails
    /// says nothing about drift: state and health `unknown`, with the reason.
    func status(of target: ExecTarget) async throws -> ProbeResult {
        let result: ExecRunResult
        do {
            result = try await run(actionName: "status", invocationFor: target)
        } catch let error as DriverError {
            return ProbeResult(state: .unknown, health: .unknown, message: "status check failed: \(error)")
        }
        do {
            try checkExit(result, what: "status \(target.key.resource)")
        } catch {
            return ProbeResult(state: .unknown, health: .unknown, message: "status check failed: \(error)")
        }
        let reply = ExecReply(result, redactor: redactor)
        return Self.probeResult(reply, expectedVersion: target.version)
    }

    /// Maps a status reply: no JSON or a healthy status → in sync and healthy; `degraded` →
    /// in sync, degraded; `drifted` → drifted; `missing` → missing. A reported `version` other
    /// than the applied one is drift.
    static func probeResult(_ reply: ExecReply, expectedVersion: String?) -> ProbeResult {
        let message = reply.message
        var result: ProbeResult
        switch reply.status {
        case nil, "healthy", "insync", "in-sync", "synced", "ok", "running", "deployed", "succeeded", "success":
            result = ProbeResult(state: .inSync, health: .healthy, message: message)
        case "degraded", "failed", "unhealthy":
            result = ProbeResult(state: .inSync, health: .degraded, message: message)
        case "progressing", "pending", "deploying":
            result = ProbeResult(state: .inSync, health: .progressing, message: message)
        case "drifted":
            result = ProbeResult(state: .drifted, health: .healthy, message: message ?? "the target reports drift")
        case "missing", "absent", "notfound", "not-found":
            result = ProbeResult(state: .missing, health: .missing, message: message ?? "the target reports it missing")
        case let other?:
            result = ProbeResult(state: .unknown, health: .unknown, message: message ?? "unknown status \(other)")
        }
        result.errorRate = reply.number("errorRate")
        result.responseTimeMs = reply.number("responseTime")
        if result.state == .inSync, let reported = reply.version, let expectedVersion, reported != expectedVersion {
            result = ProbeResult(state: .drifted, health: result.health,
                                 message: message ?? "the target runs version \(reported), applied \(expectedVersion)")
        }
        return result
    }
}
