// libyaml is compiled by Yams as its target CYaml; SwiftPM hands its module map to every target that
// depends on Yams, so the event API is reachable without a new dependency.
internal import CYaml

/// The documents of one file composed straight from libyaml events into flat arrays: the fast path
/// of `ManifestParser`. It accepts only plain YAML (no anchors, aliases, merge keys, non-scalar,
/// tagged or repeated keys; no tags but YAML 1.2 core tags on the kind of node they name) within
/// the limits; anything else returns nil and the file goes through `YAMLDocumentLoader`, which
/// produces the errors and the general semantics.
final class FastYAMLTree {
    enum Kind: UInt8 { case scalar, mapping, sequence }

    struct Node: Equatable {
        var kind: Kind
        /// A plain (unquoted) scalar: untagged, only those resolve by their text.
        var plain: Bool
        var line: Int32
        var column: Int32
        /// Containers: where the children start in `children` and how many (a mapping: key, value, …).
        var first: Int32 = 0
        var count: Int32 = 0
        var text: String = ""
        /// The core tag written on the node (`!!str`, `!`), nil when none.
        var tag: CoreTag? = nil

        /// A scalar as `YAMLScalar` reads it.
        var scalar: YAMLScalar { YAMLScalar(text: text, plain: plain, tag: tag) }

        /// A null scalar: `~`, `null` or empty, untagged and plain, or tagged `!!null`.
        var isNull: Bool { kind == .scalar && scalar.isNull }
    }

    let nodes: [Node]
    let children: [Int32]
    /// The root of each non-empty document, in order.
    let roots: [Int32]

    init(nodes: [Node], children: [Int32], roots: [Int32]) {
        self.nodes = nodes
        self.children = children
        self.roots = roots
    }

    /// Composes `bytes` (UTF-8 without BOM, already pre-scanned and validated) with libyaml, or nil
    /// when the file needs the general loader.
    static func compose(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) -> FastYAMLTree? {
        var composer = Composer(limits: limits, capacity: bytes.count / 12)
        // A result stops the stream: the tree at its end, `.some(nil)` for a document the fast path does not take.
        let composed = YAMLEventStream.read(bytes) { event -> FastYAMLTree?? in
            let line = Int32(truncatingIfNeeded: event.start_mark.line + 1)
            let column = Int32(truncatingIfNeeded: event.start_mark.column + 1)
            let taken: Bool
            switch event.type {
            case YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT:
                return nil
            case YAML_STREAM_END_EVENT:
                return composer.tree()
            case YAML_DOCUMENT_END_EVENT:
                taken = composer.endDocument()
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                if scalar.anchor == nil, let tag = coreTag(scalar.tag, on: .scalar) {
                    taken = composer.scalar(String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self),
                                            plain: scalar.style == YAML_PLAIN_SCALAR_STYLE, tag: tag, line: line, column: column)
                } else {
                    taken = false
                }
            case YAML_SEQUENCE_START_EVENT:
                taken = event.data.sequence_start.anchor == nil && coreTag(event.data.sequence_start.tag, on: .sequence) != nil
                    && composer.open(.sequence, line: line, column: column)
            case YAML_MAPPING_START_EVENT:
                taken = event.data.mapping_start.anchor == nil && coreTag(event.data.mapping_start.tag, on: .mapping) != nil
                    && composer.open(.mapping, line: line, column: column)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                taken = composer.close()
            default:
                taken = false  // aliases
            }
            return taken ? nil : .some(nil)
        }
        return composed ?? nil
    }

    /// The tag of an event on a node of `kind`: `.some(nil)` for none, `.some(tag)` for a core tag
    /// that fits the kind, nil for any other (the general path reports it).
    private static func coreTag(_ name: UnsafeMutablePointer<yaml_char_t>?, on kind: Kind) -> CoreTag?? {
        guard let name else { return .some(nil) }
        guard let tag = CoreTag.named(String(cString: name), on: kind), tag.fits(kind) else { return nil }
        return .some(tag)
    }

    /// The value children of a mapping's keys, and list items: `children[first ..< first + count]`.
    @inline(__always)
    func child(_ node: Node, _ offset: Int) -> Int32 { children[Int(node.first) + offset] }

    /// Builds nodes from events (libyaml's, or `BlockYAMLScanner`'s); containers collect their
    /// children on a stack. Each method returns false when the document is outside the fast path.
    struct Composer {
        let limits: YAMLLimits
        var nodes: [Node] = []
        var children: [Int32] = []
        var open: [(node: Int32, start: Int)] = []
        var pending: [Int32] = []
        var finishedRoot: Int32?
        var roots: [Int32] = []

        init(limits: YAMLLimits, capacity: Int) {
            self.limits = limits
            nodes.reserveCapacity(capacity)
            children.reserveCapacity(capacity)
            open.reserveCapacity(16)
            pending.reserveCapacity(64)
        }

        /// The tree of the documents ended so far.
        func tree() -> FastYAMLTree { FastYAMLTree(nodes: nodes, children: children, roots: roots) }

        mutating func scalar(_ text: String, plain: Bool, tag: CoreTag? = nil, line: Int32, column: Int32) -> Bool {
            guard open.count < limits.maxDepth else { return false }
            return finish(append(Node(kind: .scalar, plain: plain, line: line, column: column, text: text, tag: tag)))
        }

        mutating func open(_ kind: Kind, line: Int32, column: Int32) -> Bool {
            guard open.count < limits.maxDepth else { return false }
            open.append((append(Node(kind: kind, plain: false, line: line, column: column)), pending.count))
            return true
        }

        /// Ends the innermost open mapping or sequence.
        mutating func close() -> Bool {
            guard let (node, start) = open.popLast() else { return false }
            let first = children.count
            children.append(contentsOf: pending[start...])
            pending.removeSubrange(start...)
            nodes[Int(node)].first = Int32(first)
            nodes[Int(node)].count = Int32(children.count - first)
            if nodes[Int(node)].kind == .mapping, !keysArePlain(first: first) { return false }
            return finish(node)
        }

        /// Ends a document: its root joins the roots unless it is null.
        mutating func endDocument() -> Bool {
            guard let root = finishedRoot, open.isEmpty, roots.count < limits.maxDocuments else { return false }
            finishedRoot = nil
            if !nodes[Int(root)].isNull { roots.append(root) }
            return true
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

        /// Keys are untagged scalars, distinct as text, and none is a merge key.
        private func keysArePlain(first: Int) -> Bool {
            let end = children.count
            var seen: Set<String>? = end - first > 32 ? Set(minimumCapacity: (end - first) / 2) : nil
            var index = first
            while index < end {
                let key = nodes[Int(children[index])]
                guard key.kind == .scalar, key.tag == nil, !(key.plain && key.text == "<<") else { return false }
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
