import Manifests
import Reconcile

/// What the local driver's files hold, and how a file on disk compares with it.
extension LocalDriver {
    /// The bytes an action's file must hold: canonical JSON of the document plus the `steward`
    /// block, then a newline, spliced from the document's text (made once for the action).
    static func expectedContent(for request: ActionRequest) throws(DriverError) -> [UInt8] {
        let action = request.action
        guard case .object = action.document else {
            return try content(document: action.document, key: action.key, commit: action.commit,
                               version: action.version, environment: request.environment)
        }
        return try content(text: action.documentText, document: action.document, key: action.key, commit: action.commit,
                           version: action.version, environment: request.environment)
    }

    /// The bytes the file of an applied resource must hold: from the canonical text the store kept
    /// when it can be (`CanonicalSplice`), without turning it into a value.
    static func expectedContent(for applied: AppliedResource, environment: String) throws(DriverError) -> [UInt8] {
        try content(text: applied.storedSpec.text, document: applied.spec, key: applied.key, commit: applied.commit,
                    version: applied.version, environment: environment)
    }

    /// `content(document:…)`, spliced from `text` (the document's canonical JSON) when the splice
    /// can be made; `document` is asked for only when it cannot.
    private static func content(text: String?, document: @autoclosure () -> JSONValue, key: ResourceKey, commit: String,
                                version: String?, environment: String) throws(DriverError) -> [UInt8] {
        let block = stewardBlock(key: key, commit: commit, version: version, environment: environment)
        if let text, let spliced = CanonicalSplice.appendingLast(to: text, key: "steward", value: block) {
            return spliced + [0x0A]
        }
        return try content(document: document(), key: key, commit: commit, version: version, environment: environment)
    }

    /// The `steward` block of a file: which commit changed it last, the version, the environment.
    static func stewardBlock(key: ResourceKey, commit: String, version: String?, environment: String) -> JSONValue {
        .object([
            "commit": .string(commit),
            "version": stewardVersion(key: key, version: version).map(JSONValue.string) ?? .null,
            "environment": .string(environment),
        ])
    }

    /// Canonical JSON of `{apiVersion, kind, metadata, spec, steward: {commit, version, environment}}` + "\n".
    static func content(document: JSONValue, key: ResourceKey, commit: String, version: String?,
                        environment: String) throws(DriverError) -> [UInt8] {
        guard case .object(var members) = document else {
            throw DriverError("\(key.resource) has no document to write (got \(document.typeDescription))", transient: false)
        }
        members["steward"] = stewardBlock(key: key, commit: commit, version: version, environment: environment)
        return JSONValue.object(members).canonicalBytes + [0x0A]
    }

    /// The `steward.version` of a file: null for adapters, the blueprint version otherwise.
    static func stewardVersion(key: ResourceKey, version: String?) -> String? {
        switch key.kind {
        case .runtimeAdapter, .environment, .backupSchedule, .target:
            return nil
        case .agentBlueprint:
            if let version { return version }
            return key.blueprintRef?.version
        case .deployment:
            return version
        }
    }

    /// How a file on disk compares with what was applied.
    enum Comparison: Equatable {
        case equal
        /// The first differing field path (`spec.config.temperature`), or why the file is unreadable.
        case differs(String)
    }

    /// Compares file bytes with the expected bytes: identical bytes, or the same canonical JSON,
    /// are equal; anything else names the first differing field.
    static func compare(expected: [UInt8], actual: [UInt8]) -> Comparison {
        if expected == actual { return .equal }
        guard let actualValue = parseJSON(actual) else { return .differs("the file is not valid JSON (or names a key twice)") }
        guard let expectedValue = parseJSON(expected) else { return .differs("the expected content is not valid JSON") }
        if actualValue.canonicalBytes == expectedValue.canonicalBytes { return .equal }
        // `steward.commit` says which commit last changed the resource, not what runs: a file written
        // under an earlier commit with the same content (a version registered again after a revert,
        // an action found already done) is not drift.
        if case .object(var left) = expectedValue, case .object(var right) = actualValue,
           case .object(var leftSteward)? = left["steward"], case .object(var rightSteward)? = right["steward"] {
            leftSteward["commit"] = nil
            rightSteward["commit"] = nil
            left["steward"] = .object(leftSteward)
            right["steward"] = .object(rightSteward)
            if JSONValue.object(left).canonicalBytes == JSONValue.object(right).canonicalBytes { return .equal }
        }
        let path = firstDifference(expectedValue, actualValue, path: "") ?? ""
        return .differs(path.isEmpty ? "the document differs" : "\(path) differs")
    }

    /// The path of the first field (in canonical key order) where two values differ; nil when equal.
    static func firstDifference(_ expected: JSONValue?, _ actual: JSONValue?, path: String) -> String? {
        switch (expected, actual) {
        case (.object(let left)?, .object(let right)?):
            let keys = Set(left.keys).union(right.keys).sorted(by: JSONValue.canonicalKeyPrecedes)   // RFC 8785 order: the first difference a reader of the file meets
            for key in keys {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if let found = firstDifference(left[key], right[key], path: child) { return found }
            }
            return nil
        case (.array(let left)?, .array(let right)?):
            for index in 0..<max(left.count, right.count) {
                let child = "\(path)[\(index)]"
                let l = index < left.count ? left[index] : nil, r = index < right.count ? right[index] : nil
                if let found = firstDifference(l, r, path: child) { return found }
            }
            return nil
        default:
            let same = expected.map { $0.canonicalBytes } == actual.map { $0.canonicalBytes }
            return same ? nil : path
        }
    }
}
