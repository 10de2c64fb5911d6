import Yams

/// Keyed access to a mapping; records which keys the model used.
struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let tracker: KeyTracker

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] {
        tracker.mapping.keys.compactMap { name in
            tracker.used.insert(name)
            return Key(stringValue: name)
        }
    }

    func contains(_ key: Key) -> Bool {
        tracker.used.insert(key.stringValue)
        return tracker.mapping[key.stringValue] != nil
    }

    private func entry(_ key: Key) throws -> EffectiveMapping.Entry {
        tracker.used.insert(key.stringValue)
        guard let entry = tracker.mapping[key.stringValue] else {
            throw FieldProblem(path: FieldPath.render(codingPath + [key]), position: tracker.mapping.position,
                               message: "required field '\(key.stringValue)' is missing")
        }
        return entry
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let entry = tracker.mapping[key.stringValue] else { return true }
        tracker.used.insert(key.stringValue)
        if case .scalar(let scalar) = entry.value { return NodeDecoder.isNull(scalar) }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(type, node: try entry(key).value, key: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if try decodeNil(forKey: key) { return nil }
        return try decode(type, forKey: key)
    }


    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(node: try entry(key).value, codingPath: codingPath + [key], state: decoder.state).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(node: try entry(key).value, codingPath: codingPath + [key], state: decoder.state).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        NodeDecoder(node: try entry(key).value, codingPath: codingPath + [key], state: decoder.state)
    }
}

/// Sequential access to a list.
struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let decoder: NodeDecoder
    let items: [Node]
    var currentIndex = 0

    init(decoder: NodeDecoder, items: [Node]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> (Node, IndexKey) {
        guard !isAtEnd else {
            throw FieldProblem(path: FieldPath.render(codingPath), position: decoder.position, message: "list has too few items")
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .scalar(let scalar) = items[currentIndex], NodeDecoder.isNull(scalar) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, key) = try next()
        return try decoder.decode(type, node: node, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, key) = try next()
        return try NodeDecoder(node: node, codingPath: codingPath + [key], state: decoder.state).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (node, key) = try next()
        return try NodeDecoder(node: node, codingPath: codingPath + [key], state: decoder.state).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (node, key) = try next()
        return NodeDecoder(node: node, codingPath: codingPath + [key], state: decoder.state)
    }
}

/// A single scalar (or a whole value handed to a custom `init(from:)`).
struct SingleNodeContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNullNode }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeSelf(type) }
}
