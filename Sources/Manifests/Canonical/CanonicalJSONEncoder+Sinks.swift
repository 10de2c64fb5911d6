/// The containers of `TreeEncoder`: keyed, unkeyed and single-value sinks into a `TreeNode`.
/// The keyed container of `TreeEncoder`.
struct KeyedSink<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func put(_ value: JSONValue, _ key: Key) { encoder.node.members!.append((key.stringValue, .leaf(value))) }
    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try encoder.number(value, at: key), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try encoder.float(value, at: key), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(try encoder.integer(value, at: key), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { put(try encoder.box(value, at: key), key) }

    /// Stores a fresh node at `key` and returns its encoder.
    private func child(_ key: any CodingKey) -> TreeEncoder {
        let child = encoder.nested(at: key)
        encoder.node.members!.append((key.stringValue, .node(child.node)))
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
protocol PlainSink {
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
    mutating func encode(_ value: Int) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: Int8) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: Int16) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: Int32) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: Int64) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: UInt) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: UInt8) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: UInt16) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: UInt32) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode(_ value: UInt64) throws { store(try encoder.integer(value, at: nextKey)) }
    mutating func encode<T: Encodable>(_ value: T) throws { store(try encoder.box(value, at: nextKey)) }
}

/// The unkeyed container of `TreeEncoder`.
struct UnkeyedSink: UnkeyedEncodingContainer, PlainSink {
    let encoder: TreeEncoder
    var count: Int { encoder.node.elements!.count }
    var nextKey: (any CodingKey)? { TreeKey(intValue: count) }

    func store(_ value: JSONValue) { encoder.node.elements!.append(value) }
    /// Appends a fresh node and returns its encoder.
    private func child() -> TreeEncoder {
        let child = encoder.nested(at: TreeKey(intValue: count))
        encoder.node.nestedElements[count] = child.node
        encoder.node.elements!.append(.null)
        return child
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        child().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { child().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { child() }
}

/// The single-value container of `TreeEncoder`.
struct SingleSink: SingleValueEncodingContainer, PlainSink {
    let encoder: TreeEncoder
    var nextKey: (any CodingKey)? { nil }
    func store(_ value: JSONValue) { encoder.node.single = value }
}
