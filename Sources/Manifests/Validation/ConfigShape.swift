/// The shape of a runtime adapter's `spec.config` values, as an operator guide writes them: what
/// `steward validate` checks and what the JSON Schema says. A mapping lists the keys it knows;
/// other keys are free, since the configuration belongs to the runtime.
indirect enum ConfigShape: Sendable {
    /// A mapping whose `known` keys have these shapes; every other key has the shape `others`, when given.
    case mapping(_ known: [String: ConfigShape], others: ConfigShape? = nil)
    /// A mapping of these keys, or a plain `true`/`false` for the whole section.
    case mappingOrBoolean([String: ConfigShape])
    case boolean
    case text
    /// A display resolution, `WIDTHxHEIGHT` (`1920x1080`).
    case resolution
    /// A list of strings.
    case texts
    case number(NumberRule)
    /// Two positive numbers (linear and angular maxima).
    case positivePair
    /// Six numbers, a min < max pair for each of x, y and z.
    case box

    /// What a number must be.
    enum NumberRule: Sendable {
        case positive
        case positiveWhole
        case nonNegativeWhole

        /// The phrase after "expected" and "must be".
        var phrase: String {
            switch self {
            case .positive: return "a positive number"
            case .positiveWhole: return "a positive whole number"
            case .nonNegativeWhole: return "a whole number from 0"
            }
        }

        func admits(_ number: Double) -> Bool {
            switch self {
            case .positive: return number > 0
            case .positiveWhole: return number > 0 && number == number.rounded()
            case .nonNegativeWhole: return number >= 0 && number == number.rounded()
            }
        }
    }

    static let resolutionPattern = "^[1-9][0-9]*x[1-9][0-9]*$"
}

/// Checks values against a `ConfigShape`, collecting one error per wrong field.
struct ConfigShapeChecker {
    let resource: Resource
    private(set) var errors: [ValidationError] = []

    init(resource: Resource) { self.resource = resource }

    mutating func fail(_ field: String, _ message: String) { errors.append(resource.error(field, message)) }

    mutating func check(_ value: JSONValue, _ shape: ConfigShape, _ field: String) {
        switch shape {
        case .mapping(let known, let others):
            guard let members = value.object else { return fail(field, "expected a mapping, got \(value.typeDescription)") }
            checkMembers(members, known, others, field)
        case .mappingOrBoolean(let known):
            if case .bool = value { return }
            guard let members = value.object else { return fail(field, "expected a mapping or a boolean, got \(value.typeDescription)") }
            checkMembers(members, known, nil, field)
        case .boolean:
            guard case .bool = value else { return fail(field, "expected a boolean (true or false), got \(Self.describe(value))") }
        case .text:
            guard value.string != nil else { return fail(field, "expected a string, got \(Self.describe(value))") }
        case .resolution:
            guard let text = value.string, Self.isResolution(text) else {
                return fail(field, "expected a resolution WIDTHxHEIGHT like 1920x1080, got \(Self.describe(value))")
            }
        case .texts:
            guard let items = value.array else { return fail(field, "expected a list of strings, got \(value.typeDescription)") }
            for (index, item) in items.enumerated() where item.string == nil {
                fail("\(field)[\(index)]", "expected a string, got \(Self.describe(item))")
            }
        case .number(let rule):
            guard let number = value.number else { return fail(field, "expected \(rule.phrase), got \(Self.describe(value))") }
            if !rule.admits(number) { fail(field, "must be \(rule.phrase), got \(Self.format(number))") }
        case .positivePair:
            if let numbers = Self.numbers(value), numbers.count == 2 {
                if numbers.contains(where: { $0 <= 0 }) {
                    fail(field, "expected 2 positive numbers, got [\(numbers.map(Self.format).joined(separator: ", "))]")
                }
            } else {
                fail(field, "expected 2 positive numbers, got \(Self.describeList(value))")
            }
        case .box:
            guard let numbers = Self.numbers(value), numbers.count == 6 else {
                return fail(field, "expected 6 numbers (min, max for x, y, z), got \(Self.describeList(value))")
            }
            for axis in 0..<3 where numbers[2 * axis] >= numbers[2 * axis + 1] {
                fail(field, "pair \(axis + 1) must be min < max, got [\(Self.format(numbers[2 * axis])), \(Self.format(numbers[2 * axis + 1]))]")
            }
        }
    }

    private mutating func checkMembers(_ members: [String: JSONValue], _ known: [String: ConfigShape], _ others: ConfigShape?, _ field: String) {
        for key in members.keys.sorted() {
            guard let shape = known[key] ?? others, let value = members[key] else { continue }
            check(value, shape, "\(field).\(key)")
        }
    }

    static func isResolution(_ text: String) -> Bool {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            part.first != "0" && !part.isEmpty && part.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
    }

    static func numbers(_ value: JSONValue) -> [Double]? {
        guard let items = value.array else { return nil }
        let numbers = items.compactMap(\.number)
        return numbers.count == items.count ? numbers : nil
    }

    /// A value in a message: its text for scalars (`'30'`, `2.5`), its type otherwise.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "the string '\(NodeDecoder.truncated(text))'"
        case .int, .double: return value.number.map(format) ?? value.typeDescription
        default: return value.typeDescription
        }
    }

    static func describeList(_ value: JSONValue) -> String {
        if let items = value.array { return "a list of \(items.count) item\(items.count == 1 ? "" : "s")" }
        return value.typeDescription
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
