/// The fast path of `ManifestParser`: libyaml events straight into flat arrays, decoded without
/// a node tree of objects. It returns a result only for files it fully understands and that have
/// nothing to report; every other file takes the general path, which owns all error messages.
extension ManifestParser {
    static func parseFast(file: String, bytes input: [UInt8], limits: YAMLLimits) -> FileResult? {
        input.withUnsafeBufferPointer { whole -> FileResult? in
            // A UTF-8 byte order mark is allowed and ignored.
            let bytes = whole.starts(with: [0xEF, 0xBB, 0xBF]) ? UnsafeBufferPointer(rebasing: whole[3...]) : whole
            guard bytes.count <= limits.maxFileBytes, let tree = compose(bytes, limits: limits) else { return nil }
            let state = FastDecodingState(tree: tree)
            var result = FileResult()
            result.resources.reserveCapacity(tree.roots.count)
            for root in tree.roots {
                guard let resource = decode(root, state: state, file: file) else { return nil }
                result.resources.append(resource)
            }
            return result
        }
    }

    /// The file's documents: scanned directly when they are plain block YAML in ASCII (most
    /// manifests), else composed from libyaml's events once the pre-scan and UTF-8 check pass.
    private static func compose(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) -> FastYAMLTree? {
        if let tree = BlockYAMLScanner.compose(bytes, limits: limits) { return tree }
        guard YAMLPreScanner(limits: limits).scan(bytes) == nil, String(validating: bytes, as: UTF8.self) != nil else { return nil }
        return FastYAMLTree.compose(bytes, limits: limits)
    }

    /// One document as a resource, or nil when it is not a valid manifest.
    private static func decode(_ root: Int32, state: FastDecodingState, file: String) -> Resource? {
        let tree = state.tree
        let top = tree.nodes[Int(root)]
        guard top.kind == .mapping, let kind = kindOf(top, tree) else { return nil }
        state.steps.removeAll(keepingCapacity: true)
        state.tracked.removeAll(keepingCapacity: true)
        let decoder = FastNodeDecoder(state: state, node: root, step: state.record(root, parent: -1))
        let body: ResourceBody
        do {
            body = try ResourceBody.decode(kind, with: decoder)
        } catch {
            return nil
        }
        guard state.allKeysUsed, body.kindApiVersion == stewardAPIVersion else { return nil }
        return Resource(body: body, file: file, position: SourcePosition(line: Int(top.line), column: Int(top.column)),
                        positionTable: FieldPositionTable(steps: state.steps.withUnsafeBufferPointer { Array($0) }))
    }

    /// The kind named by a top-level `kind` scalar.
    private static func kindOf(_ top: FastYAMLTree.Node, _ tree: FastYAMLTree) -> ResourceKind? {
        var offset = 0
        while offset < Int(top.count) {
            if tree.nodes[Int(tree.child(top, offset))].text == "kind" {
                let value = tree.nodes[Int(tree.child(top, offset + 1))]
                return value.kind == .scalar ? ResourceKind(rawValue: value.text) : nil
            }
            offset += 2
        }
        return nil
    }
}
