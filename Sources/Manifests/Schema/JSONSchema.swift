/// A JSON Schema (draft 2020-12) built from Swift values; `json` is the schema document.
public struct JSONSchema: Sendable, Hashable {
    /// The schema as JSON: an object, or `false` for "never valid".
    public private(set) var json: JSONValue

    public init(_ json: JSONValue) { self.json = json }

    private init(_ members: [String: JSONValue]) { json = .object(members) }

    /// The dialect every Steward schema declares.
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// A string, optionally with a regular expression (ECMA-262) and length bounds.
    public static func string(pattern: String? = nil, minLength: Int? = nil, maxLength: Int? = nil) -> JSONSchema {
        var members: [String: JSONValue] = ["type": .string("string")]
        if let pattern { members["pattern"] = .string(pattern) }
        if let minLength { members["minLength"] = .int(minLength) }
        if let maxLength { members["maxLength"] = .int(maxLength) }
        return JSONSchema(members)
    }

    /// One of the raw values of a Swift string enum, so the schema follows the model.
    public static func oneOf<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> JSONSchema where E.RawValue == String {
        JSONSchema(["type": .string("string"), "enum": .array(type.allCases.map { .string($0.rawValue) })])
    }

    /// Exactly this string.
    public static func constant(_ value: String) -> JSONSchema { JSONSchema(["const": .string(value)]) }

    public static let boolean = JSONSchema(["type": .string("boolean")])

    /// A whole number within optional bounds.
    public static func integer(minimum: Int? = nil, maximum: Int? = nil) -> JSONSchema {
        var members: [String: JSONValue] = ["type": .string("integer")]
        if let minimum { members["minimum"] = .int(minimum) }
        if let maximum { members["maximum"] = .int(maximum) }
        return JSONSchema(members)
    }

    /// Any number within optional bounds; `exclusiveMinimum` for "greater than".
    public static func number(minimum: JSONValue? = nil, maximum: JSONValue? = nil, exclusiveMinimum: JSONValue? = nil) -> JSONSchema {
        var members: [String: JSONValue] = ["type": .string("number")]
        if let minimum { members["minimum"] = minimum }
        if let maximum { members["maximum"] = maximum }
        if let exclusiveMinimum { members["exclusiveMinimum"] = exclusiveMinimum }
        return JSONSchema(members)
    }

    /// A list of `items`.
    public static func array(_ items: JSONSchema, minItems: Int? = nil, uniqueItems: Bool = false) -> JSONSchema {
        var members: [String: JSONValue] = ["type": .string("array"), "items": items.json]
        if let minItems { members["minItems"] = .int(minItems) }
        if uniqueItems { members["uniqueItems"] = .bool(true) }
        return JSONSchema(members)
    }

    /// A mapping with these fields and no others (Steward refuses unknown fields).
    public static func object(_ properties: [String: JSONSchema], required: [String] = []) -> JSONSchema {
        var members: [String: JSONValue] = [
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "properties": .object(properties.mapValues(\.json)),
        ]
        if !required.isEmpty { members["required"] = .array(required.sorted().map(JSONValue.string)) }
        return JSONSchema(members)
    }

    /// A mapping with free keys whose values all match `values` (labels, env, capability flags).
    public static func map(of values: JSONSchema) -> JSONSchema {
        JSONSchema(["type": .string("object"), "additionalProperties": values.json])
    }

    /// A free-form mapping (`config`, rule `parameters`): any keys, any values.
    public static let freeForm = JSONSchema(["type": .string("object")])

    /// Exactly one of these shapes.
    public static func exactlyOne(_ choices: [JSONSchema]) -> JSONSchema {
        JSONSchema(["oneOf": .array(choices.map(\.json))])
    }

    /// The same schema with `key` set.
    public func with(_ key: String, _ value: JSONValue) -> JSONSchema {
        guard case .object(var members) = json else { return self }
        members[key] = value
        return JSONSchema(members)
    }

    /// The same schema with a description editors show on hover.
    public func described(_ text: String) -> JSONSchema { with("description", .string(text)) }

    /// Adds a conditional rule: when `property` equals `value`, `then` must hold too; otherwise `otherwise`.
    public func when(_ property: String, is value: String, then rule: JSONSchema, otherwise: JSONSchema? = nil) -> JSONSchema {
        var members: [String: JSONValue] = [
            "if": .object([
                "properties": .object([property: .object(["const": .string(value)])]),
                "required": .array([.string(property)]),
            ]),
            "then": rule.json,
        ]
        if let otherwise { members["else"] = otherwise.json }
        return adding(rule: .object(members))
    }

    /// Rules for conditionals: these fields are required.
    public static func requiring(_ fields: String...) -> JSONSchema {
        JSONSchema(["required": .array(fields.map(JSONValue.string))])
    }

    /// Rules for conditionals: these fields are not allowed.
    public static func forbidding(_ fields: [String]) -> JSONSchema {
        JSONSchema(["properties": .object(Dictionary(uniqueKeysWithValues: fields.map { ($0, JSONValue.bool(false)) }))])
    }

    /// Adds `rule` to `allOf`.
    public func adding(rule: JSONValue) -> JSONSchema {
        guard case .object(let members) = json else { return self }
        let rules = members["allOf"]?.array ?? []
        return with("allOf", .array(rules + [rule]))
    }

    /// A top-level document: `$schema`, `title` and `description` added.
    public func document(title: String, description: String) -> JSONSchema {
        with("$schema", .string(Self.dialect)).with("title", .string(title)).with("description", .string(description))
    }
}
