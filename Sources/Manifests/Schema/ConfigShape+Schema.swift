/// The JSON Schema of a `ConfigShape`, so editors and CI check a runtime configuration as
/// `steward validate` does (all but the min < max pairs of a box, which only Steward checks).
extension ConfigShape {
    var schema: JSONSchema {
        switch self {
        case .mapping(let known, let others):
            var members: [String: JSONValue] = ["type": .string("object"), "properties": .object(known.mapValues(\.schema.json))]
            if let others { members["additionalProperties"] = others.schema.json }
            return JSONSchema(.object(members))
        case .mappingOrBoolean(let known):
            return JSONSchema.exactlyOne([.boolean, ConfigShape.mapping(known).schema])
        case .boolean:
            return .boolean
        case .text:
            return .string()
        case .resolution:
            return JSONSchema.string(pattern: Self.resolutionPattern).described("WIDTHxHEIGHT, e.g. 1920x1080.")
        case .texts:
            return JSONSchema.array(.string())
        case .number(let rule):
            switch rule {
            case .positive: return JSONSchema.number(exclusiveMinimum: .int(0))
            case .positiveWhole: return JSONSchema.integer(minimum: 1)
            case .nonNegativeWhole: return JSONSchema.integer(minimum: 0)
            }
        case .positivePair:
            return JSONSchema.array(.number(exclusiveMinimum: .int(0)), minItems: 2)
                .with("maxItems", .int(2)).described("[linear, angular] maxima, both positive.")
        case .box:
            return JSONSchema.array(.number(), minItems: 6).with("maxItems", .int(6))
                .described("[x_min, x_max, y_min, y_max, z_min, z_max]; steward validate checks min < max.")
        }
    }
}
