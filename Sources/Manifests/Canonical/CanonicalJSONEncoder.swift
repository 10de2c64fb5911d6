import Foundation

/// Turns `Encodable` values into `JSONValue` for canonical hashing.
public enum CanonicalJSON {
    /// The `JSONValue` that `value` encodes to; `nil` optionals are omitted, dates become
    /// RFC 3339 UTC strings with milliseconds, URLs their absolute string, data Base64.
    public static func value<T: Encodable>(of value: T) throws -> JSONValue {
        try TreeEncoder(codingPath: []).box(value)
    }
}

/// A container that encoders and their containers fill in place. Values arrive finished, except
/// nested containers (custom `encode(to:)` only), finished at the end.
final class TreeNode {
    enum Slot { case leaf(JSONValue), node(TreeNode) }

    var single: JSONValue?
    var elements: [JSONValue]?
    /// Members in the order written (a later write of a key wins); the object is built once, at
    /// its final size, when the value is asked for.
    var members: [(key: String, slot: Slot)]?
    /// Nested containers still being filled, by element position.
    var nestedElements: [Int: TreeNode] = [:]
    /// Where this node is, for error paths (built only when an error needs it).
    let parent: TreeNode?
    let key: (any CodingKey)?

    init(parent: TreeNode?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: TreeNode? = self
        while let current = node {
            if let key = current.key { path.append(key) }
            node = current.parent
        }
        return path.reversed()
    }

    /// The finished value; a node nothing was written to is an empty object.
    var value: JSONValue {
        if let single { return single }
        if var elements {
            for (index, node) in nestedElements { elements[index] = node.value }
            return .array(elements)
        }
        guard let members else { return .object([:]) }
        var object = [String: JSONValue](minimumCapacity: members.count)
        for member in members {
            switch member.slot {
            case .leaf(let value): object[member.key] = value
            case .node(let node): object[member.key] = node.value
            }
        }
        return .object(object)
    }
}

/// A coding key for array positions and `super`.
struct TreeKey: CodingKey {
    let name: String?, intValue: Int?
    var stringValue: String { name ?? String(intValue ?? 0) }
    init(intValue: Int) { (name, self.intValue) = (nil, intValue) }
    init(stringValue: String) { (name, intValue) = (stringValue, nil) }
}

/// The `Encoder` that builds a `TreeNode`.
struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey] { node.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey]) { node = TreeNode(parent: nil, key: nil) }
    init(parent: TreeNode, key: (any CodingKey)?) { node = TreeNode(parent: parent, key: key) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.members == nil { node.members = []; node.members!.reserveCapacity(8) }
        return KeyedEncodingContainer(KeyedSink<Key>(encoder: self))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.elements == nil { node.elements = [] }
        return UnkeyedSink(encoder: self)
    }
    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSink(encoder: self) }

    /// Encodes `value` found at `key` below this encoder's path.
    func box<T: Encodable>(_ value: T, at key: (any CodingKey)? = nil) throws -> JSONValue {
        // Metatype checks first: cheaper than a dynamic cast on every value.
        // (Checked metatypes, so the bit casts are identity conversions, cheaper than `as!`.)
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == JSONValue.self { return unsafeBitCast(value, to: JSONValue.self) }
        // What `Array` and `Dictionary` encode through their containers, built directly.
        if T.self == [String].self { return .array(unsafeBitCast(value, to: [String].self).map(JSONValue.string)) }
        if T.self == [String: String].self { return .object(unsafeBitCast(value, to: [String: String].self).mapValues(JSONValue.string)) }
        if T.self == [String: Bool].self { return .object(unsafeBitCast(value, to: [String: Bool].self).mapValues(JSONValue.bool)) }
        if T.self == Date.self { return .string(CanonicalJSON.timestamp(value as! Date)) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        let child = TreeEncoder(parent: node, key: key)
        try value.encode(to: child)
        return child.node.value
    }
    /// A fresh node for a nested container at `key`, with its encoder.
    func nested(at key: any CodingKey) -> TreeEncoder { TreeEncoder(parent: node, key: key) }

    /// A finite double, or an error like `JSONEncoder`'s for NaN and infinities.
    func number(_ value: Double, at key: (any CodingKey)?) throws -> JSONValue {
        if value.isFinite { return .double(value) }
        let path = key.map { codingPath + [$0] } ?? codingPath
        throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not valid JSON"))
    }
    /// An integer within ±2^53, which every JSON reader reads as written; any other is an error
    /// (JSON, and so the spec hash, cannot carry it exactly).
    func integer<I: BinaryInteger>(_ value: I, at key: (any CodingKey)?) throws -> JSONValue {
        if value.magnitude <= CoreNumber.maxSafeInteger, let exact = Int(exactly: value) { return .int(exact) }
        let path = key.map { codingPath + [$0] } ?? codingPath
        throw EncodingError.invalidValue(value, .init(
            codingPath: path, debugDescription: "integer \(value) is outside ±2^53 (\(CoreNumber.maxSafeInteger)), which JSON cannot carry exactly"))
    }
    /// A float widened through its shortest text, so 0.1 stays 0.1.
    func float(_ value: Float, at key: (any CodingKey)?) throws -> JSONValue {
        try number(value.isFinite ? Double(value.description) ?? Double(value) : Double(value), at: key)
    }
}
