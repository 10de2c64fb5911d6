import Foundation

/// Turns `Encodable` values into `JSONValue` for canonical hashing.
public enum CanonicalJSON {
    /// The `JSONValue` that `value` encodes to; `nil` optionals are omitted, dates become
    /// RFC 3339 UTC strings with milliseconds, URLs their absolute string, data Base64.
    public static func value<T: Encodable>(of value: T) throws -> JSONValue {
        try TreeEncoder(codingPath: []).box(value)
    }

    /// The RFC 3339 UTC text of `date` with milliseconds, e.g. `2026-11-23T07:18:37.000Z`.
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, msOfDay) = millis.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, ms) = msOfDay < 0 ? (days - 1, msOfDay + 86_400_000) : (days, msOfDay)
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = day + 719_468, era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153
        let dd = doy - (153 * mp + 2) / 5 + 1, mm = mp < 10 ? mp + 3 : mp - 9
        let yyyy = yoe + era * 400 + (mm <= 2 ? 1 : 0)
        var text = ""
        text.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int, _ suffix: String) {
            let digits = String(value)
            text += String(repeating: "0", count: max(0, width - digits.count)) + digits + suffix
        }
        put(yyyy, 4, "-"); put(mm, 2, "-"); put(dd, 2, "T")
        put(ms / 3_600_000, 2, ":"); put(ms / 60_000 % 60, 2, ":"); put(ms / 1000 % 60, 2, ".")
        put(ms % 1000, 3, "Z")
        return text
    }
}

/// A value under construction: a finished leaf or a container still being filled.
private enum TreeSlot {
    case leaf(JSONValue), node(TreeNode)

    /// The finished value.
    var value: JSONValue { switch self { case .leaf(let value): value; case .node(let node): node.value } }
}

/// A container that encoders and their containers fill in place.
private final class TreeNode {
    var single: JSONValue?
    var elements: [TreeSlot]?
    var members: [String: TreeSlot]?

    /// The finished value; a node nothing was written to is an empty object.
    var value: JSONValue {
        if let single { return single }
        if let elements { return .array(elements.map(\.value)) }
        return .object((members ?? [:]).mapValues(\.value))
    }
}

/// A coding key for array positions and `super`.
private struct TreeKey: CodingKey {
    let name: String?, intValue: Int?
    var stringValue: String { name ?? String(intValue ?? 0) }
    init(intValue: Int) { (name, self.intValue) = (nil, intValue) }
    init(stringValue: String) { (name, intValue) = (stringValue, nil) }
}

/// The `Encoder` that builds a `TreeNode`.
private struct TreeEncoder: Encoder {
    let node = TreeNode()
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.members == nil { node.members = [:] }
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
        if T.self == JSONValue.self { return value as! JSONValue }
        if T.self == Date.self { return .string(CanonicalJSON.timestamp(value as! Date)) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        let child = TreeEncoder(codingPath: key.map { codingPath + [$0] } ?? codingPath)
        try value.encode(to: child)
        return child.node.value
    }
    /// A fresh node for a nested container at `key`, with its encoder.
    func nested(at key: any CodingKey) -> TreeEncoder { TreeEncoder(codingPath: codingPath + [key]) }

    /// A finite double, or an error like `JSONEncoder`'s for NaN and infinities.
    func number(_ value: Double, at key: (any CodingKey)?) throws -> JSONValue {
        if value.isFinite { return .double(value) }
        let path = key.map { codingPath + [$0] } ?? codingPath
        throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(value) is not valid JSON"))
    }
    /// An integer that fits `Int`, else the nearest double.
    func integer<I: BinaryInteger>(_ value: I) -> JSONValue { Int(exactly: value).map(JSONValue.int) ?? .double(Double(value)) }
    /// A float widened through its shortest text, so 0.1 stays 0.1.
    func float(_ value: Float, at key: (any CodingKey)?) throws -> JSONValue {
        try number(value.isFinite ? Double(value.description) ?? Double(value) : Double(value), at: key)
    }
}

/// The keyed container of `TreeEncoder`.
private struct KeyedSink<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func put(_ value: JSONValue, _ key: Key) { encoder.node.members![key.stringValue] = .leaf(value) }
    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try encoder.number(value, at: key), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try encoder.float(value, at: key), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.int(Int(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.int(Int(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.int(Int(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(encoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(encoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.int(Int(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(Int(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(encoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(encoder.integer(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { put(try encoder.box(value, at: key), key) }

    /// Stores a fresh node at `key` and returns its encoder.
    private func child(_ key: any CodingKey) -> TreeEncoder {
        let child = encoder.nested(at: key)
        encoder.node.members![key.stringValue] = .node(child.node)
        return child
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey> {
        child(key).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(key).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { child(TreeKey(stringValue: "super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

/// The shared primitive writes of the unkeyed and single-value containers.
private protocol PlainSink {
    var encoder: TreeEncoder { get }
    /// The key of the next value, for error paths.
    var nextKey: (any CodingKey)? { get }
    func store(_ value: JSONValue)
}

extension PlainSink {
    var codingPath: [any CodingKey] { encoder.codingPath }
    mutating func encodeNil() throws { store(.null) }
    mutating func encode(_ value: Bool) throws { store(.bool(value)) }
    mutating func encode(_ value: String) throws { store(.string(value)) }
    mutating func encode(_ value: Double) throws { store(try encoder.number(value, at: nextKey)) }
    mutating func encode(_ value: Float) throws { store(try encoder.float(value, at: nextKey)) }
    mutating func encode(_ value: Int) throws { store(.int(value)) }
    mutating func encode(_ value: Int8) throws { store(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { store(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { store(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { store(encoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { store(encoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { store(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { store(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { store(encoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { store(encoder.integer(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { store(try encoder.box(value, at: nextKey)) }
}

/// The unkeyed container of `TreeEncoder`.
private struct UnkeyedSink: UnkeyedEncodingContainer, PlainSink {
    let encoder: TreeEncoder
    var count: Int { encoder.node.elements!.count }
    var nextKey: (any CodingKey)? { TreeKey(intValue: count) }

    func store(_ value: JSONValue) { encoder.node.elements!.append(.leaf(value)) }
    /// Appends a fresh node and returns its encoder.
    private func child() -> TreeEncoder {
        let child = encoder.nested(at: TreeKey(intValue: count))
        encoder.node.elements!.append(.node(child.node))
        return child
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        child().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { child().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { child() }
}

/// The single-value container of `TreeEncoder`.
private struct SingleSink: SingleValueEncodingContainer, PlainSink {
    let encoder: TreeEncoder
    var nextKey: (any CodingKey)? { nil }
    func store(_ value: JSONValue) { encoder.node.single = value }
}
