/// Shape checks of `spec.config` for the runtime types Steward knows (DESIGN §2 RuntimeAdapter).
enum RuntimeConfigRules {
    static func check(_ runtime: RuntimeType, _ config: JSONValue?, _ resource: Resource) -> [ValidationError] {
        guard let config else { return [] }
        guard runtime != .cloud else { return [] }
        guard let members = config.object else {
            return [resource.error("spec.config", "expected a mapping, got \(config.typeDescription)")]
        }
        var checker = Checker(resource: resource)
        switch runtime {
        case .robotics:
            for key in ["ros2", "perception", "emergencyStop", "watchdog"] { checker.mapping(members[key], "spec.config.\(key)") }
            if let watchdog = members["watchdog"]?.object {
                for (key, value) in watchdog where value.number != nil { checker.positive(value, "spec.config.watchdog.\(key)") }
            }
            if let envelope = members["safetyEnvelope"] {
                checker.mapping(envelope, "spec.config.safetyEnvelope")
                if let limits = envelope["limits"] { checker.limits(limits) }
            }
        case .mobile, .desktop:
            if let sandbox = members["sandbox"], sandbox.object == nil, !(sandbox == .bool(true) || sandbox == .bool(false)) {
                checker.fail("spec.config.sandbox", "expected a mapping or a boolean, got \(sandbox.typeDescription)")
            }
            if let tools = members["toolAdapters"], tools.array == nil {
                checker.fail("spec.config.toolAdapters", "expected a list, got \(tools.typeDescription)")
            }
            if let limits = members["resourceLimits"] {
                checker.mapping(limits, "spec.config.resourceLimits")
                for (key, value) in limits.object ?? [:] { checker.positive(value, "spec.config.resourceLimits.\(key)") }
            }
        case .smartGlasses:
            for key in ["perception", "output", "performance"] { checker.mapping(members[key], "spec.config.\(key)") }
            for (key, value) in members["output"]?.object ?? [:] where key.lowercased().contains("latency") {
                checker.positive(value, "spec.config.output.\(key)")
            }
        case .cloud:
            break
        }
        return checker.errors
    }

    private struct Checker {
        let resource: Resource
        var errors: [ValidationError] = []

        mutating func fail(_ field: String, _ message: String) { errors.append(resource.error(field, message)) }

        mutating func mapping(_ value: JSONValue?, _ field: String) {
            guard let value, value.object == nil else { return }
            fail(field, "expected a mapping, got \(value.typeDescription)")
        }

        mutating func positive(_ value: JSONValue, _ field: String) {
            guard let number = value.number else { return fail(field, "expected a positive number, got \(value.typeDescription)") }
            if number <= 0 { fail(field, "must be a positive number, got \(Self.format(number))") }
        }

        mutating func limits(_ limits: JSONValue) {
            let base = "spec.config.safetyEnvelope.limits"
            guard let members = limits.object else { return fail(base, "expected a mapping, got \(limits.typeDescription)") }
            if let position = members["position"] {
                if let numbers = Self.numbers(position), numbers.count == 6 {
                    for axis in 0..<3 where numbers[2 * axis] >= numbers[2 * axis + 1] {
                        fail("\(base).position", "pair \(axis + 1) must be min < max, got [\(Self.format(numbers[2 * axis])), \(Self.format(numbers[2 * axis + 1]))]")
                    }
                } else {
                    fail("\(base).position", "expected 6 numbers (min, max for x, y, z), got \(Self.describe(position))")
                }
            }
            for key in ["velocity", "acceleration"] {
                guard let value = members[key] else { continue }
                if let numbers = Self.numbers(value), numbers.count == 2 {
                    if numbers.contains(where: { $0 <= 0 }) {
                        fail("\(base).\(key)", "expected 2 positive numbers, got [\(numbers.map(Self.format).joined(separator: ", "))]")
                    }
                } else {
                    fail("\(base).\(key)", "expected 2 positive numbers, got \(Self.describe(value))")
                }
            }
            for key in ["force", "torque"] { if let value = members[key] { positive(value, "\(base).\(key)") } }
        }

        static func numbers(_ value: JSONValue) -> [Double]? {
            guard let items = value.array else { return nil }
            let numbers = items.compactMap(\.number)
            return numbers.count == items.count ? numbers : nil
        }

        static func describe(_ value: JSONValue) -> String {
            if let items = value.array { return "a list of \(items.count) item\(items.count == 1 ? "" : "s")" }
            return value.typeDescription
        }

        static func format(_ number: Double) -> String {
            number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        }
    }
}
