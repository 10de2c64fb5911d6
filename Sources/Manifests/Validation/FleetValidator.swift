/// Validates a whole commit's manifests: per file, per resource, then across resources.
public enum FleetValidator {
    public struct Options: Sendable {
        public var allowEmpty: Bool
        public var limits: YAMLLimits
        /// Blueprint versions already registered, with the hash of their canonical spec.
        public var registeredVersions: [BlueprintRef: String]

        public init(allowEmpty: Bool = false, limits: YAMLLimits = .standard, registeredVersions: [BlueprintRef: String] = [:]) {
            self.allowEmpty = allowEmpty
            self.limits = limits
            self.registeredVersions = registeredVersions
        }
    }

    /// A manifest file's path (relative) and bytes.
    public struct SourceFile: Sendable {
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }
    }

    /// Whether a path names a manifest file (`.yaml` or `.yml`).
    public static func isManifestPath(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    public static func validate(files: [SourceFile], options: Options = Options()) -> ValidationReport {
        var resources: [Resource] = []
        var errors: [ValidationError] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let result = ManifestParser.parse(file: file.path, bytes: file.bytes, limits: options.limits)
            resources += result.resources
            errors += result.errors
        }
        return validate(resources: resources, parseErrors: errors, options: options)
    }

    /// A file's parse with the checks of each resource on its own added to its errors: what a
    /// cache keyed by content can keep, so `validate(…, checkedEach: true)` skips them.
    public static func parseChecked(file: String, bytes: [UInt8], limits: YAMLLimits) -> ManifestParser.FileResult {
        var result = ManifestParser.parse(file: file, bytes: bytes, limits: limits)
        for resource in result.resources { result.errors += ResourceRules.check(resource) }
        return result
    }

    /// The whole commit's report; `checkedEach`: the resources' own checks are already in
    /// `parseErrors` (from `parseChecked`), only the checks across resources run.
    public static func validate(resources: [Resource], parseErrors: [ValidationError] = [], options: Options = Options(),
                                checkedEach: Bool = false) -> ValidationReport {
        var errors = parseErrors
        for resource in resources where !checkedEach { errors += ResourceRules.check(resource) }
        let cross = CrossResourceRules(resources)
        errors += cross.errors
        errors += VersionImmutability.check(resources, registered: options.registeredVersions)
        if resources.isEmpty, parseErrors.isEmpty, !options.allowEmpty {
            errors.append(ValidationError(file: ".", position: SourcePosition(line: 1, column: 1),
                                          message: "no resources found; refusing an empty desired state, which would prune everything (set reconcile.allowEmpty: true to allow it)"))
        }
        return ValidationReport(fleet: cross.fleet, errors: ValidationError.sortedForDisplay(Array(Set(errors))))
    }
}
