import Foundation
import Manifests
import StewardTesting
import Testing

// MARK: - Fully populated model samples

/// One fully populated value per schema: every optional set, every list non-empty, so a field
/// added to a model shows up (as nil here, or as missing from the schema).
enum ModelSamples {
    struct Sample: Sendable, CustomTestStringConvertible {
        var document: SchemaDocument
        var json: String
        var testDescription: String { document.rawValue }

        func decode() throws -> Any {
            let data = Data(json.utf8)
            let decoder = JSONDecoder()
            switch document {
            case .runtimeAdapter: return try decoder.decode(RuntimeAdapter.self, from: data)
            case .agentBlueprint: return try decoder.decode(AgentBlueprint.self, from: data)
            case .environment: return try decoder.decode(Environment.self, from: data)
            case .deployment: return try decoder.decode(Deployment.self, from: data)
            case .backupSchedule: return try decoder.decode(BackupSchedule.self, from: data)
            case .target: return try decoder.decode(Target.self, from: data)
            case .controller: return try decoder.decode(ControllerConfig.self, from: data)
            case .manifest: throw ProcessFailure(message: "no model for manifest.schema.json")
            }
        }
    }

    static let metadata = #""metadata": {"name": "x", "labels": {"a": "b"}, "annotations": {"c": "d"}}"#
    static let secret = #"{"env": "E", "file": "/f"}"#

    static let all: [Sample] = [
        Sample(document: .runtimeAdapter, json: """
            {"apiVersion": "steward/v1", "kind": "RuntimeAdapter", \(metadata), "spec": {
              "runtimeType": "robotics", "displayName": "n", "description": "d", "enabled": true, "capabilities": {"realTime": true},
              "provides": ["camera"], "config": {"ros2": {}}}}
            """),
        Sample(document: .agentBlueprint, json: """
            {"apiVersion": "steward/v1", "kind": "AgentBlueprint", \(metadata), "spec": {
              "version": "1.0.0", "displayName": "n", "goal": "g", "deploymentTarget": "robotics", "requiredCapabilities": ["a"],
              "toolAdapters": [{"adapterId": "t", "adapterType": "p", "name": "n", "enabled": true, "requiredCapabilities": ["b"], "config": {}}],
              "config": {"temperature": 0.5},
              "policies": [{"policyId": "p", "name": "n", "enabled": true, "rules": [{"type": "velocity_limit", "parameters": {"max": 1}}]}]}}
            """),
        Sample(document: .environment, json: """
            {"apiVersion": "steward/v1", "kind": "Environment", \(metadata), "spec": {
              "promotesFrom": "staging",
              "driver": {"type": "http", "root": "r", "command": ["c"], "timeoutSeconds": 1, "env": {"A": "b"}, "statusBatch": 10, "url": "https://x",
                         "tokenFrom": \(secret)},
              "adapters": ["a"], "strategy": {"type": "canary", "steps": [100], "maxUnavailable": 1, "pauseSeconds": 5, "approveSteps": true},
              "gates": {"smokeTests": [{"name": "n", "endpoint": "/h", "expectedStatus": 200, "workflowId": "w", "expectedOutcome": "ok",
                                        "timeoutSeconds": 5}],
                        "requireApproval": true, "health": {"maxErrorRate": 0.1, "maxP95LatencyMs": 5, "windowSeconds": 5},
                        "preDeploy": [{"name": "n", "command": ["c"], "endpoint": "/h", "expectedStatus": 200, "timeoutSeconds": 5}],
                        "backupBefore": ["b"]},
              "autoRollback": {"enabled": true, "revertCommit": true, "restoreBackup": true},
              "syncWindows": [{"kind": "deny", "schedule": "0 0 * * 6", "durationMinutes": 5, "timeZone": "UTC"}]}}
            """),
        Sample(document: .deployment, json: """
            {"apiVersion": "steward/v1", "kind": "Deployment", \(metadata), "spec": {
              "blueprint": "b", "version": "1.0.0", "environment": "e", "runtimeAdapter": "r", "suspend": false,
              "targetSelector": {"matchLabels": {"site": "berlin"}},
              "strategy": {"type": "rolling", "steps": [100], "maxUnavailable": "25%", "pauseSeconds": 5, "approveSteps": true}}}
            """),
        Sample(document: .target, json: """
            {"apiVersion": "steward/v1", "kind": "Target", \(metadata), "spec": {
              "environment": "e", "driver": {"root": "r", "url": "https://x", "tokenFrom": \(secret), "env": {"A": "b"}}, "suspend": false}}
            """),
        Sample(document: .backupSchedule, json: """
            {"apiVersion": "steward/v1", "kind": "BackupSchedule", \(metadata), "spec": {
              "schedule": "0 * * * *", "target": "command", "command": ["c"], "restore": ["r"], "destination": "d",
              "retention": {"keepLast": 1, "maxAgeDays": 1}, "verify": true, "timeoutSeconds": 5}}
            """),
        Sample(document: .controller, json: """
            {"source": {"repository": ".", "branch": "main", "path": ".", "interval": "30s",
                        "auth": {"sshKey": \(secret), "knownHosts": \(secret), "username": "git", "password": \(secret)},
                        "allowForcePush": false, "connectTimeout": "15s", "transferTimeout": "1m",
                        "verify": {"mode": "strict", "allowedSigners": {"file": "a"}, "keyring": {"file": "k"}}},
             "store": {"url": "sqlite://x"}, "eventLog": {"directory": "d", "segmentBytes": 1},
             "server": {"listen": "127.0.0.1:9600", "webhookSecret": \(secret), "apiToken": \(secret), "ui": "readOnly"},
             "notifications": [{"name": "n", "type": "github", "url": "https://x", "secret": \(secret), "apiURL": "https://x",
                                "repository": "a/b", "project": "p", "token": \(secret), "events": ["reconcileFinished"],
                                "retry": {"initialSeconds": 1, "maxSeconds": 2}}],
             "reconcile": {"prune": true, "selfHeal": true, "allowEmpty": false, "concurrency": 1,
                           "retry": {"initialSeconds": 1, "maxSeconds": 2}, "fullProbeInterval": "10m", "probeConcurrency": 16},
             "drivers": {"local": {"allowedRoots": ["."]}, "exec": {"allowedCommands": ["/bin/true"]}},
             "leaderElection": {"leaseSeconds": 10}, "git": {"author": {"name": "n", "email": "e"}, "push": false, "signingKey": {"file": "s"}}}
            """),
    ]
}

// MARK: - Model ↔ schema walker

/// Walks a model value with `Mirror` beside its schema: every stored property must be a schema
/// property and every schema property a stored property, level by level.
enum FieldWalker {
    static func walk(_ value: Any, schema: JSONValue, path: String, issues: inout [String]) {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct:
            let properties = self.properties(of: schema)
            var labels = Set<String>()
            for child in mirror.children {
                guard let label = child.label else { continue }
                labels.insert(label)
                let fieldPath = path.isEmpty ? label : "\(path).\(label)"
                guard let fieldSchema = properties[label] else {
                    issues.append("\(fieldPath): a model field missing from the schema")
                    continue
                }
                guard let present = unwrap(child.value) else {
                    issues.append("\(fieldPath): nil in the sample; populate it so its fields are checked too")
                    continue
                }
                walk(present, schema: fieldSchema, path: fieldPath, issues: &issues)
            }
            for name in properties.keys.sorted() where !labels.contains(name) {
                issues.append("\(path.isEmpty ? name : "\(path).\(name)"): in the schema but not a model field")
            }
        case .collection:
            guard let first = mirror.children.first?.value else {
                issues.append("\(path): empty list in the sample")
                return
            }
            guard let items = items(of: schema) else {
                issues.append("\(path): a list in the model but the schema has no items")
                return
            }
            walk(first, schema: items, path: "\(path)[0]", issues: &issues)
        default:
            // Scalars, enums (JSONValue, Capabilities, ValueOrSecret, kinds) and string maps are leaves.
            break
        }
    }

    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrap($0.value) } ?? nil
    }

    /// The properties a schema allows: its own, and those of its `oneOf`/`anyOf` alternatives.
    static func properties(of schema: JSONValue) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for branch in (schema["oneOf"]?.array ?? []) + (schema["anyOf"]?.array ?? []) {
            for (name, value) in properties(of: branch) where value.object != nil { result[name] = value }
        }
        for (name, value) in schema["properties"]?.object ?? [:] where value.object != nil { result[name] = value }
        return result
    }

    private static func items(of schema: JSONValue) -> JSONValue? {
        if let items = schema["items"] { return items }
        for branch in (schema["oneOf"]?.array ?? []) + (schema["anyOf"]?.array ?? []) {
            if let items = items(of: branch) { return items }
        }
        return nil
    }
}
