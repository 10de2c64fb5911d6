import Yams

/// A decoding failure tied to a field path and a position in the file.
struct FieldProblem: Error {
    var path: String
    var position: SourcePosition
    var message: String
}

/// A string enum decoded from YAML with a message listing the allowed values.
protocol ManifestEnum: RawRepresentable, CaseIterable, Sendable where RawValue == String {}

extension ManifestEnum {
    static func parse(_ text: String) -> Self? { Self(rawValue: text) }
    static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Shared state of one document's decoding: positions seen and mappings whose keys must all be used.
final class DecodingState {
    var positions: [String: SourcePosition] = [:]
    var keyTrackers: [KeyTracker] = []
}

/// The keys of one mapping and which of them the model asked for.
final class KeyTracker {
    let path: [any CodingKey]
    let mapping: EffectiveMapping
    var used = Set<String>()

    init(path: [any CodingKey], mapping: EffectiveMapping) {
        self.path = path
        self.mapping = mapping
    }
}

/// A strict `Decoder` over a Yams node: YAML 1.2 core scalars, typed errors with positions.
struct NodeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    let state: DecodingState
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node, codingPath: [any CodingKey], state: DecodingState) {
        self.node = node
        self.codingPath = codingPath
        self.state = state
        state.positions[FieldPath.render(codingPath)] = YAMLDocumentLoader.position(of: node)
    }

    var position: SourcePosition { YAMLDocumentLoader.position(of: node) }

    func problem(_ message: String) -> FieldProblem {
        FieldProblem(path: FieldPath.render(codingPath), position: position, message: message)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else { throw problem("expected a mapping, got \(Self.describe(node))") }
        try checkTag(of: node, path: codingPath)
        let effective = try EffectiveMapping(mapping, path: codingPath)
        let tracker = KeyTracker(path: codingPath, mapping: effective)
        state.keyTrackers.append(tracker)
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(decoder: self, tracker: tracker))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else { throw problem("expected a list, got \(Self.describe(node))") }
        try checkTag(of: node, path: codingPath)
        return UnkeyedNodeContainer(decoder: self, items: Array(sequence))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleNodeContainer(decoder: self) }

    /// Decodes a child node, handling the types that need YAML-aware treatment.
    func decode<T: Decodable>(_ type: T.Type, node child: Node, key: any CodingKey) throws -> T {
        let decoder = NodeDecoder(node: child, codingPath: codingPath + [key], state: state)
        return try decoder.decodeSelf(type)
    }

    func decodeSelf<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return try string() as! T }
        if T.self == Bool.self { return try bool() as! T }
        if T.self == Int.self { return try int() as! T }
        if T.self == Double.self { return try double() as! T }
        if T.self == JSONValue.self { return try jsonValue(node, path: codingPath) as! T }
        if let enumType = T.self as? any ManifestEnum.Type { return try decodeEnum(enumType) as! T }
        return try T(from: self)
    }

    private func decodeEnum<E: ManifestEnum>(_ type: E.Type) throws -> E {
        let text = try string()
        guard let value = E.parse(text) else {
            throw problem("unknown value '\(text)', expected one of: \(E.allowedValues)")
        }
        return value
    }
}

/// Rendering of coding paths as `spec.toolAdapters[0].adapterId`.
enum FieldPath {
    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key is IndexKey {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }
}

/// A coding key for list positions.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// A coding key for arbitrary mapping keys.
struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
