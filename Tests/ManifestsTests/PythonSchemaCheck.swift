import Foundation
import StewardTesting
import Testing

// MARK: - Python jsonschema

/// Runs Python's `jsonschema` (draft 2020-12) over YAML read as YAML 1.2 core, like Steward reads it.
enum PythonSchemaCheck {
    struct DocumentResult: Sendable, CustomStringConvertible {
        struct Problem: Sendable { var path: String, message: String }
        var file: String, index: Int, kind: String?, valid: Bool, validAsManifest: Bool, errors: [Problem]
        var description: String { "\(file)#\(index) \(kind ?? "?") valid=\(valid) \(errors.map { "\($0.path): \($0.message)" })" }
    }

    static func documents(_ files: [String]) throws -> [DocumentResult] {
        let output = try run(["documents", SchemaTests.schemaFolder.path] + files)
        let results = try #require(output["results"] as? [[String: Any]])
        return results.map { result in
            DocumentResult(file: result["file"] as? String ?? "", index: result["index"] as? Int ?? -1, kind: result["kind"] as? String,
                           valid: result["valid"] as? Bool ?? false, validAsManifest: result["validAsManifest"] as? Bool ?? false,
                           errors: (result["errors"] as? [[String: String]] ?? []).map {
                               DocumentResult.Problem(path: $0["path"] ?? "", message: $0["message"] ?? "")
                           })
        }
    }

    /// Runs the script with `arguments`; its stdout is one JSON object.
    static func run(_ arguments: [String]) throws -> [String: Any] {
        let directory = try TemporaryDirectory(prefix: "steward-schema")
        let script = directory.appending("check.py")
        try source.write(to: script, atomically: true, encoding: .utf8)
        let result: Subprocess.Output
        do { result = try Subprocess.run("/usr/bin/env", ["python3", script.path] + arguments) } catch {
            throw ProcessFailure(message: "python3 not found (\(error)); install Python 3, then: pip install jsonschema pyyaml")
        }
        if result.status == 3 {
            throw ProcessFailure(message: "Python modules missing (\(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))): pip install jsonschema pyyaml")
        }
        guard result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ProcessFailure(message: "schema check failed (exit \(result.status)): \(result.stderr)\(result.stdout)")
        }
        return object
    }

    static let source = #"""
        import json, os, re, sys
        try:
            import yaml
            import jsonschema
            from jsonschema import Draft202012Validator
        except ImportError as error:
            print("missing module: %s" % error)
            sys.exit(3)

        class Core12Loader(yaml.SafeLoader):
            """YAML 1.2 core schema, as Steward reads manifests: only true/false are booleans, no timestamps."""

        REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}
        Core12Loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag not in REPLACED]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        Core12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
        Core12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                                           list("-+0123456789"))
        Core12Loader.add_implicit_resolver(
            "tag:yaml.org,2002:float",
            re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
            list("-+0123456789."))

        def construct_int(loader, node):
            text = loader.construct_scalar(node)
            sign = -1 if text.startswith("-") else 1
            body = text.lstrip("+-")
            if body.startswith("0o"):
                return sign * int(body[2:], 8)
            if body.startswith("0x"):
                return sign * int(body[2:], 16)
            return sign * int(body, 10)

        Core12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)

        def load_schema(folder, name):
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                return json.load(handle)

        def path_of(error):
            text = ""
            for part in error.absolute_path:
                text += "[%d]" % part if isinstance(part, int) else ("." if text else "") + str(part)
            return text

        def problems(validator, instance):
            found = []
            def visit(error):
                found.append({"path": path_of(error), "message": error.message})
                for child in error.context or []:
                    visit(child)
            for error in validator.iter_errors(instance):
                visit(error)
            return found

        KINDS = {"RuntimeAdapter": "runtime-adapter", "AgentBlueprint": "agent-blueprint", "Environment": "environment",
                 "Deployment": "deployment", "BackupSchedule": "backup-schedule"}

        def main():
            mode, folder, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
            if mode == "check-schemas":
                checked = []
                for name in sorted(os.listdir(folder)):
                    if name.endswith(".schema.json"):
                        Draft202012Validator.check_schema(load_schema(folder, name))
                        checked.append(name)
                print(json.dumps({"checked": checked}))
                return
            if mode in ("controller", "controller-text"):
                validator = Draft202012Validator(load_schema(folder, "controller.schema.json"))
                results = []
                for item in rest:
                    if mode == "controller-text":
                        text = item
                    else:
                        with open(item, encoding="utf-8") as handle:
                            text = handle.read()
                        document = yaml.load(text, Loader=Core12Loader)
                        if isinstance(document, dict) and document.get("kind") == "ConfigMap":
                            text = document["data"]["controller.yaml"]
                    errors = problems(validator, yaml.load(text, Loader=Core12Loader))
                    results.append({"file": item, "valid": not errors, "errors": errors, "text": text})
                print(json.dumps({"results": results}))
                return
            manifest = Draft202012Validator(load_schema(folder, "manifest.schema.json"))
            validators = {kind: Draft202012Validator(load_schema(folder, stem + ".schema.json")) for kind, stem in KINDS.items()}
            results = []
            for path in rest:
                with open(path, encoding="utf-8") as handle:
                    documents = list(yaml.load_all(handle, Loader=Core12Loader))
                for index, document in enumerate(documents):
                    if document is None:
                        continue
                    kind = document.get("kind") if isinstance(document, dict) else None
                    as_manifest = problems(manifest, document)
                    errors = problems(validators[kind], document) if kind in validators else as_manifest
                    results.append({"file": path, "index": index, "kind": kind if isinstance(kind, str) else None,
                                    "valid": not errors, "validAsManifest": not as_manifest, "errors": errors})
            print(json.dumps({"results": results}))

        main()
        """#
}
