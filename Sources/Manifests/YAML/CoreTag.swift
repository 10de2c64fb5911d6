/// A YAML 1.2 core schema tag written on a node: `!!str`, `!<tag:yaml.org,2002:int>`, or the
/// non-specific `!` (the node kind's own tag).
enum CoreTag: UInt8, Sendable, Hashable, CaseIterable {
    case str, int, float, bool, null, map, seq

    /// The prefix libyaml expands `!!` to.
    static let prefix = "tag:yaml.org,2002:"

    /// The core tag that `name` (a tag as libyaml resolves it) denotes on a node of `kind`; nil
    /// when it is not a core tag. The non-specific `!` is the kind's own tag.
    static func named(_ name: String, on kind: FastYAMLTree.Kind) -> CoreTag? {
        if name == "!" {
            switch kind {
            case .scalar: return .str
            case .mapping: return .map
            case .sequence: return .seq
            }
        }
        guard name.hasPrefix(prefix) else { return nil }
        switch name.dropFirst(prefix.count) {
        case "str": return .str
        case "int": return .int
        case "float": return .float
        case "bool": return .bool
        case "null": return .null
        case "map": return .map
        case "seq": return .seq
        default: return nil
        }
    }

    /// The short form, as written in manifests (`!!int`).
    var shorthand: String {
        switch self {
        case .str: return "!!str"
        case .int: return "!!int"
        case .float: return "!!float"
        case .bool: return "!!bool"
        case .null: return "!!null"
        case .map: return "!!map"
        case .seq: return "!!seq"
        }
    }

    /// What a scalar with this tag must be, for messages.
    var expectation: String {
        switch self {
        case .str: return "a string"
        case .int: return "an integer"
        case .float: return "a finite number"
        case .bool: return "true or false"
        case .null: return "~, null or nothing"
        case .map: return "a mapping"
        case .seq: return "a list"
        }
    }

    /// Whether this tag may stand on a node of `kind` (`!!map` on a mapping, a scalar tag on a scalar).
    func fits(_ kind: FastYAMLTree.Kind) -> Bool {
        switch self {
        case .map: return kind == .mapping
        case .seq: return kind == .sequence
        default: return kind == .scalar
        }
    }

    /// The node kind's name, for "a mapping cannot be tagged !!seq".
    static func nodeName(_ kind: FastYAMLTree.Kind) -> String {
        switch kind {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
