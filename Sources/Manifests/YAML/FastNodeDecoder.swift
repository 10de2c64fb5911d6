/// The fast path gave up: the document is decoded again by `NodeDecoder`, which says why.
struct FastPathMiss: Error {}

/// Shared state of one document's fast decoding: the position steps and which keys were used.
final class FastDecodingState {
    let tree: FastYAMLTree
    @exclusivity(unchecked) var steps: [FieldPositionTable.Step] = []
    /// Per node of the tree: a mapping key the model asked for.
    @exclusivity(unchecked) var used: [Bool]
    /// Mappings decoded through keyed containers: every key must be used.
    @exclusivity(unchecked) var tracked: [Int32] = []

    init(tree: FastYAMLTree) {
        self.tree = tree
        used = Array(repeating: false, count: tree.nodes.count)
        steps.reserveCapacity(64)
    }

    /// Records that `node` was decoded at `name` (or list `index`) under `parent`; returns its step.
    @inline(__always)
    func record(_ node: Int32, parent: Int32, name: String = "", index: Int32 = -1) -> Int32 {
        let n = tree.nodes[Int(node)]
        steps.append(FieldPositionTable.Step(parent: parent, index: index, name: name, line: n.line, column: n.column))
        return Int32(steps.count - 1)
    }

    /// Whether every key of every tracked mapping was used (else: unknown fields, an error).
    var allKeysUsed: Bool {
        for mapping in tracked {
            let node = tree.nodes[Int(mapping)]
            var offset = 0
            while offset < Int(node.count) {
                if !used[Int(tree.child(node, offset))] { return false }
                offset += 2
            }
        }
        return true
    }

    /// The coding path of a step (only for error values built by synthesized code).
    func codingPath(_ step: Int32) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = step
        while current >= 0 {
            let s = steps[Int(current)]
            if s.parent < 0 { break }
            keys.append(s.index >= 0 ? IndexKey(Int(s.index)) as any CodingKey : NameKey(s.name))
            current = s.parent
        }
        return keys.reversed()
    }
}

/// A strict `Decoder` over a `FastYAMLTree` node, with `NodeDecoder`'s rules for valid input;
/// anything it would report throws `FastPathMiss` instead.
struct FastNodeDecoder: Decoder {
    let state: FastDecodingState
    let node: Int32
    let step: Int32

    var codingPath: [any CodingKey] { state.codingPath(step) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var value: FastYAMLTree.Node { state.tree.nodes[Int(node)] }

    /// The decoder of a child node at `name` (or `index`), its position recorded.
    @inline(__always)
    func child(_ child: Int32, name: String = "", index: Int32 = -1) -> FastNodeDecoder {
        FastNodeDecoder(state: state, node: child, step: state.record(child, parent: step, name: name, index: index))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let mapping = value
        // Large mappings are looked up by scanning: leave them to the indexed general path.
        guard mapping.kind == .mapping, mapping.count <= 128 else { throw FastPathMiss() }
        state.tracked.append(node)
        return KeyedDecodingContainer(FastKeyedContainer<Key>(decoder: self, mapping: mapping))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let list = value
        guard list.kind == .sequence else { throw FastPathMiss() }
        return FastUnkeyedContainer(decoder: self, list: list)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { FastSingleContainer(decoder: self) }

    var isNull: Bool { value.isNull }

    /// This node as a scalar; a collection, or a scalar the model cannot take, misses.
    @inline(__always)
    private func scalar() throws -> YAMLScalar {
        let n = value
        guard n.kind == .scalar else { throw FastPathMiss() }
        return n.scalar
    }

    func string() throws -> String {
        let n = value
        // The common case inline: an untagged scalar that is not null.
        if n.kind == .scalar, n.tag == nil, !(n.plain && NodeDecoder.isNullText(n.text)) { return n.text }
        do { return try scalar().string() } catch { throw FastPathMiss() }
    }

    func bool() throws -> Bool {
        do { return try scalar().bool() } catch { throw FastPathMiss() }
    }

    func int() throws -> Int {
        do { return try scalar().int() } catch { throw FastPathMiss() }
    }

    func double() throws -> Double {
        do { return try scalar().double() } catch { throw FastPathMiss() }
    }

    /// Decodes this node as `T`; the common shapes skip `Codable`'s generic containers (checked
    /// metatypes, so the bit casts are identity conversions).
    func decodeSelf<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return unsafeBitCast(try string(), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try int(), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(try json(), to: T.self) }
        if T.self == [String].self { return unsafeBitCast(try list { try $0.string() }, to: T.self) }
        if T.self == [String: String].self { return unsafeBitCast(try dictionary { try $0.string() }, to: T.self) }
        if T.self == [String: Bool].self { return unsafeBitCast(try dictionary { try $0.bool() }, to: T.self) }
        return try T(from: self)
    }

    /// A list decoded item by item, as `Array.init(from:)` does through an unkeyed container.
    func list<Element>(_ item: (FastNodeDecoder) throws -> Element) throws -> [Element] {
        let n = value
        guard n.kind == .sequence else { throw FastPathMiss() }
        var items: [Element] = []
        items.reserveCapacity(Int(n.count))
        for offset in 0..<Int(n.count) {
            items.append(try item(child(state.tree.child(n, offset), index: Int32(offset))))
        }
        return items
    }

    /// A string-keyed mapping decoded entry by entry, as `Dictionary.init(from:)` does through a
    /// keyed container (every key used).
    func dictionary<Value>(_ entry: (FastNodeDecoder) throws -> Value) throws -> [String: Value] {
        let n = value
        guard n.kind == .mapping, n.count <= 128 else { throw FastPathMiss() }
        var result = [String: Value](minimumCapacity: Int(n.count) / 2)
        var offset = 0
        while offset < Int(n.count) {
            let keyNode = state.tree.child(n, offset)
            state.used[Int(keyNode)] = true
            let key = state.tree.nodes[Int(keyNode)].text
            result[key] = try entry(child(state.tree.child(n, offset + 1), name: key))
            offset += 2
        }
        return result
    }

    /// Free-form YAML as JSON, as `NodeDecoder.jsonValue` resolves it.
    func json() throws -> JSONValue {
        let n = value
        switch n.kind {
        case .scalar:
            do { return try n.scalar.json() } catch { throw FastPathMiss() }
        case .sequence:
            var items: [JSONValue] = []
            items.reserveCapacity(Int(n.count))
            for offset in 0..<Int(n.count) {
                items.append(try child(state.tree.child(n, offset), index: Int32(offset)).json())
            }
            return .array(items)
        case .mapping:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(Int(n.count) / 2)
            var offset = 0
            while offset < Int(n.count) {
                let key = state.tree.nodes[Int(state.tree.child(n, offset))].text
                members[key] = try child(state.tree.child(n, offset + 1), name: key).json()
                offset += 2
            }
            return .object(members)
        }
    }
}
