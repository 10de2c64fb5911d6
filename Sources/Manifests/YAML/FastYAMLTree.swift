// libyaml is compiled by Yams as its target CYaml; SwiftPM hands its module map to every target that
// depends on Yams, so the event API is reachable without a new dependency.
internal import CYaml

/// The documents of one file composed straight from libyaml events into flat arrays: the fast path
/// of `ManifestParser`. It accepts only plain YAML (no anchors, aliases, explicit tags, merge keys,
/// non-scalar or repeated keys) within the limits; anything else returns nil and the file goes
/// through `YAMLDocumentLoader`, which produces the errors and the general semantics.
final class FastYAMLTree {
    enum Kind: UInt8 { case scalar, mapping, sequence }

    struct Node {
        var kind: Kind
        /// A plain (unquoted) scalar: only those resolve to null, booleans and numbers.
        var plain: Bool
        var line: Int32
        var column: Int32
        /// Containers: where the children start in `children` and how many (a mapping: key, value, …).
        var first: Int32 = 0
        var count: Int32 = 0
        var text: String = ""
    }

    let nodes: [Node]
    let children: [Int32]
    /// The root of each non-empty document, in order.
    let roots: [Int32]

    private init(nodes: [Node], children: [Int32], roots: [Int32]) {
        self.nodes = nodes
        self.children = children
        self.roots = roots
    }

    /// Composes `bytes` (UTF-8 without BOM, already pre-scanned and validated), or nil when the file
    /// needs the general loader.
    static func compose(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) -> FastYAMLTree? {
        var composer = Composer(maxDepth: limits.maxDepth, capacity: bytes.count / 12)
        var roots: [Int32] = []
        // A result stops the stream: the tree at its end, `.some(nil)` for a document the fast path does not take.
        let composed = YAMLEventStream.read(bytes) { event -> FastYAMLTree?? in
            switch event.type {
            case YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT:
                return nil
            case YAML_STREAM_END_EVENT:
                return FastYAMLTree(nodes: composer.nodes, children: composer.children, roots: roots)
            case YAML_DOCUMENT_END_EVENT:
                guard let root = composer.finishedRoot, roots.count < limits.maxDocuments else { return .some(nil) }
                composer.finishedRoot = nil
                let node = composer.nodes[Int(root)]
                if !(node.kind == .scalar && node.plain && NodeDecoder.isNullText(node.text)) { roots.append(root) }
                return nil
            default:
                return composer.add(event) ? nil : .some(nil)
            }
        }
        return composed ?? nil
    }

    /// The value children of a mapping's keys, and list items: `children[first ..< first + count]`.
    @inline(__always)
    func child(_ node: Node, _ offset: Int) -> Int32 { children[Int(node.first) + offset] }

    /// Builds nodes from events; containers collect their children on a stack.
    private struct Composer {
        let maxDepth: Int
        var nodes: [Node] = []
        var children: [Int32] = []
        var open: [(node: Int32, start: Int)] = []
        var pending: [Int32] = []
        var finishedRoot: Int32?

        init(maxDepth: Int, capacity: Int) {
            self.maxDepth = maxDepth
            nodes.reserveCapacity(capacity)
            children.reserveCapacity(capacity)
            open.reserveCapacity(16)
            pending.reserveCapacity(64)
        }

        /// Adds one node event; false when the document is outside the fast path.
        mutating func add(_ event: yaml_event_t) -> Bool {
            let line = Int32(truncatingIfNeeded: event.start_mark.line + 1)
            let column = Int32(truncatingIfNeeded: event.start_mark.column + 1)
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                guard scalar.anchor == nil, scalar.tag == nil, open.count < maxDepth else { return false }
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                return finish(append(Node(kind: .scalar, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, line: line, column: column, text: text)))
            case YAML_SEQUENCE_START_EVENT:
                let start = event.data.sequence_start
                guard start.anchor == nil, start.tag == nil, open.count < maxDepth else { return false }
                open.append((append(Node(kind: .sequence, plain: false, line: line, column: column)), pending.count))
                return true
            case YAML_MAPPING_START_EVENT:
                let start = event.data.mapping_start
                guard start.anchor == nil, start.tag == nil, open.count < maxDepth else { return false }
                open.append((append(Node(kind: .mapping, plain: false, line: line, column: column)), pending.count))
                return true
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let (node, start) = open.popLast() else { return false }
                let first = children.count
                children.append(contentsOf: pending[start...])
                pending.removeSubrange(start...)
                nodes[Int(node)].first = Int32(first)
                nodes[Int(node)].count = Int32(children.count - first)
                if event.type == YAML_MAPPING_END_EVENT, !keysArePlain(first: first) { return false }
                return finish(node)
            default:
                return false  // aliases
            }
        }

        private mutating func append(_ node: Node) -> Int32 {
            nodes.append(node)
            return Int32(nodes.count - 1)
        }

        /// A completed node becomes a child of the open container, or the document's root.
        private mutating func finish(_ node: Int32) -> Bool {
            if open.isEmpty {
                guard finishedRoot == nil else { return false }
                finishedRoot = node
            } else {
                pending.append(node)
            }
            return true
        }

        /// Keys are scalars, distinct as text, and none is a merge key.
        private func keysArePlain(first: Int) -> Bool {
            let end = children.count
            var seen: Set<String>? = end - first > 32 ? Set(minimumCapacity: (end - first) / 2) : nil
            var index = first
            while index < end {
                let key = nodes[Int(children[index])]
                guard key.kind == .scalar, !(key.plain && key.text == "<<") else { return false }
                if seen != nil {
                    guard seen!.insert(key.text).inserted else { return false }
                } else {
                    var other = first
                    while other < index {
                        if nodes[Int(children[other])].text == key.text { return false }
                        other += 2
                    }
                }
                index += 2
            }
            return true
        }
    }
}
