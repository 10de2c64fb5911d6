import Yams

extension NodeDecoder {
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && isNullText(scalar.string)
    }

    /// Whether a plain scalar's text is a YAML 1.2 core null.
    static func isNullText(_ text: String) -> Bool {
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// Whether a plain scalar's text is a YAML 1.2 core boolean, and which.
    static func coreBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(scalar) { return "null" }
            if scalar.style != .plain { return "the string '\(truncated(scalar.string))'" }
            return "'\(truncated(scalar.string))'"
        }
    }

    static func truncated(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    var isNullNode: Bool {
        if case .scalar(let scalar) = node { return Self.isNull(scalar) }
        return false
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            throw problem("expected a string, got \(Self.describe(node))")
        }
        return scalar.string
    }

    func bool() throws -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        throw problem("expected a boolean (true or false), got \(Self.describe(node))")
    }

    func int() throws -> Int {
        if case .scalar(let scalar) = node, scalar.style == .plain, let value = Self.coreInt(scalar.string) {
            return value
        }
        if case .scalar(let scalar) = node, scalar.style == .plain, Self.coreFloat(scalar.string) != nil {
            throw problem("expected a whole number, got \(Self.describe(node))")
        }
        throw problem("expected an integer, got \(Self.describe(node))")
    }

    func double() throws -> Double {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            if let value = Self.coreInt(scalar.string) { return Double(value) }
            if let value = Self.coreFloat(scalar.string) { return value }
        }
        throw problem("expected a number, got \(Self.describe(node))")
    }

    /// YAML 1.2 core integers: decimal, `0o` octal, `0x` hex; nil when not one or out of range.
    static func coreInt(_ text: String) -> Int? {
        var utf8 = Substring(text)
        var negative = false
        if let first = utf8.first, first == "-" || first == "+" {
            negative = first == "-"
            utf8 = utf8.dropFirst()
        }
        var radix = 10
        if utf8.hasPrefix("0x") { radix = 16; utf8 = utf8.dropFirst(2) }
        else if utf8.hasPrefix("0o") { radix = 8; utf8 = utf8.dropFirst(2) }
        guard !utf8.isEmpty, utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        if radix == 10, !utf8.allSatisfy(\.isASCII) || !utf8.allSatisfy({ $0.isNumber }) { return nil }
        guard let magnitude = Int(utf8, radix: radix) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// YAML 1.2 core floats (no `.inf`/`.nan`: not meaningful in manifests).
    static func coreFloat(_ text: String) -> Double? {
        var sawDigit = false
        var index = text.startIndex
        if index < text.endIndex, text[index] == "-" || text[index] == "+" { index = text.index(after: index) }
        var rest = text[index...]
        while let c = rest.first, c.isASCII, c.isNumber { sawDigit = true; rest = rest.dropFirst() }
        if rest.first == "." {
            rest = rest.dropFirst()
            while let c = rest.first, c.isASCII, c.isNumber { sawDigit = true; rest = rest.dropFirst() }
        }
        guard sawDigit else { return nil }
        if let c = rest.first, c == "e" || c == "E" {
            rest = rest.dropFirst()
            if let sign = rest.first, sign == "-" || sign == "+" { rest = rest.dropFirst() }
            guard let c = rest.first, c.isASCII, c.isNumber else { return nil }
            while let c = rest.first, c.isASCII, c.isNumber { rest = rest.dropFirst() }
        }
        guard rest.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Free-form YAML as JSON, with YAML 1.2 core scalar resolution for plain scalars.
    func jsonValue(_ node: Node, path: [any CodingKey]) throws -> JSONValue {
        state.positions[FieldPath.render(path)] = YAMLDocumentLoader.position(of: node)
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if Self.isNull(scalar) { return .null }
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let value = Self.coreInt(scalar.string) { return .int(value) }
            if let value = Self.coreFloat(scalar.string) { return .double(value) }
            return .string(scalar.string)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            items.reserveCapacity(sequence.count)
            for (index, item) in sequence.enumerated() {
                items.append(try jsonValue(item, path: path + [IndexKey(index)]))
            }
            return .array(items)
        case .mapping(let mapping):
            let effective = try EffectiveMapping(mapping, path: path)
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(effective.entries.count)
            for entry in effective.entries {
                members[entry.key] = try jsonValue(entry.value, path: path + [NameKey(entry.key)])
            }
            return .object(members)
        case .alias:
            return .null
        }
    }
}
