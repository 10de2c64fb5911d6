/// Checks of one Target on its own (DESIGN §10); those against its environment are in `CrossResourceRules`.
enum TargetRules {
    static func check(_ target: Target, _ resource: Resource) -> [ValidationError] {
        var errors = ResourceRules.reference(target.spec.environment, "spec.environment", resource)
        for (label, value) in (target.metadata.labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let problem = labelProblem(label, value) { errors.append(resource.error("metadata.labels.\(label)", problem)) }
        }
        if let slot = target.metadata.labels?["slot"], slot != "blue", slot != "green" {
            errors.append(resource.error("metadata.labels.slot", "slot is blue or green (blue-green rollouts), got '\(slot)'"))
        }
        guard let driver = target.spec.driver else { return errors }
        if let root = driver.root, root.isEmpty { errors.append(resource.error("spec.driver.root", "must not be empty")) }
        if let url = driver.url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.count < 9 {
            errors.append(resource.error("spec.driver.url", "must be an http:// or https:// URL, got '\(url)'"))
        }
        for name in (driver.env ?? [:]).keys.sorted() where name.hasPrefix("STEWARD_") {
            errors.append(resource.error("spec.driver.env.\(name)", "STEWARD_* variables are set by Steward"))
        }
        return errors
    }

    /// A label is a name-like key and a value of at most 63 characters: letters, digits, `-`, `_`, `.`.
    static func labelProblem(_ label: String, _ value: String) -> String? {
        func plain(_ text: String) -> Bool {
            text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
        }
        if label.isEmpty || label.count > 63 || !plain(label) { return "a label name is 1 to 63 letters, digits, '-', '_' or '.', got '\(label)'" }
        if value.count > 63 || !plain(value) { return "a label value is at most 63 letters, digits, '-', '_' or '.', got '\(value)'" }
        return nil
    }
}
