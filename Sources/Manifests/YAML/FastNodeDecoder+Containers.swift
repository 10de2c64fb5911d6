/// Keyed access to a mapping of the fast tree; marks the keys the model asks for.
struct FastKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: FastNodeDecoder
    let mapping: FastYAMLTree.Node

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        var keys: [Key] = []
        var offset = 0
        while offset < Int(mapping.count) {
            let keyNode = decoder.state.tree.child(mapping, offset)
            decoder.state.used[Int(keyNode)] = true
            if let key = Key(stringValue: decoder.state.tree.nodes[Int(keyNode)].text) { keys.append(key) }
            offset += 2
        }
        return keys
    }

    /// The value node at `key` (its key marked used), or nil when absent.
    private func find(_ key: Key) -> Int32? {
        let name = key.stringValue
        let tree = decoder.state.tree
        var offset = 0
        while offset < Int(mapping.count) {
            let keyNode = tree.child(mapping, offset)
            if tree.nodes[Int(keyNode)].text == name {
                decoder.state.used[Int(keyNode)] = true
                return tree.child(mapping, offset + 1)
            }
            offset += 2
        }
        return nil
    }

    /// The decoder of the value at `key`; a missing key is an error.
    private func child(_ key: Key) throws -> FastNodeDecoder {
        guard let node = find(key) else { throw FastPathMiss() }
        return decoder.child(node, name: key.stringValue)
    }

    /// The decoder of the value at `key`, nil when absent or null (nothing recorded then).
    private func optionalChild(_ key: Key) -> FastNodeDecoder? {
        guard let node = find(key) else { return nil }
        if decoder.state.tree.nodes[Int(node)].isNull { return nil }
        return decoder.child(node, name: key.stringValue)
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let node = find(key) else { return true }
        return decoder.state.tree.nodes[Int(node)].isNull
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).string() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).bool() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).int() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).double() }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeSelf(type) }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optionalChild(key)?.string() }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optionalChild(key)?.bool() }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optionalChild(key)?.int() }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optionalChild(key)?.double() }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optionalChild(key)?.decodeSelf(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

/// Sequential access to a list of the fast tree.
struct FastUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: FastNodeDecoder
    let list: FastYAMLTree.Node
    var currentIndex = 0

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { Int(list.count) }
    var isAtEnd: Bool { currentIndex >= Int(list.count) }

    private mutating func next() throws -> FastNodeDecoder {
        guard !isAtEnd else { throw FastPathMiss() }
        defer { currentIndex += 1 }
        return decoder.child(decoder.state.tree.child(list, currentIndex), index: Int32(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        guard decoder.state.tree.nodes[Int(decoder.state.tree.child(list, currentIndex))].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: String.Type) throws -> String { try next().string() }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().bool() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().int() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().double() }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeSelf(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

/// A single value of the fast tree (or a whole node handed to a custom `init(from:)`).
struct FastSingleContainer: SingleValueDecodingContainer {
    let decoder: FastNodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }
    func decode(_ type: String.Type) throws -> String { try decoder.string() }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool() }
    func decode(_ type: Int.Type) throws -> Int { try decoder.int() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.double() }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeSelf(type) }
}
