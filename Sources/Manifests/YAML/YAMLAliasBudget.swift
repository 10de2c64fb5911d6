internal import CYaml

/// Counts what aliases would expand to from libyaml's events, before anything is composed.
/// Yams composes a document whole (and hashes mapping keys to find duplicates, an alias key
/// included) before `YAMLStructureCheck` can look at it: a "billion laughs" alias used as a key
/// would take forever there. Found by scripts/fuzz.
enum YAMLAliasBudget {
    /// The first alias that takes the expansion past `limits.maxAliasExpansion` nodes, or nil.
    /// Syntax errors are left to the composer, which names them.
    static func check(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) -> YAMLProblem? {
        // Node counts of anchored nodes (an anchor may be redefined), and of the open collections.
        var anchors: [String: Int] = [:]
        var open: [(size: Int, anchor: String?)] = []
        var expanded = 0
        return YAMLEventStream.read(bytes) { event -> YAMLProblem? in
            var completed: (size: Int, anchor: String?)?
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                anchors.removeAll(keepingCapacity: true)
                expanded = 0
            case YAML_SCALAR_EVENT:
                completed = (1, name(event.data.scalar.anchor))
            case YAML_SEQUENCE_START_EVENT:
                open.append((1, name(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                open.append((1, name(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                completed = open.popLast()
            case YAML_ALIAS_EVENT:
                let size = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                expanded += size
                if expanded > limits.maxAliasExpansion {
                    return YAMLProblem(position: SourcePosition(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1),
                                       message: "alias expansion exceeds \(limits.maxAliasExpansion) nodes")
                }
                completed = (size, nil)
            default:
                break
            }
            guard let (size, anchor) = completed else { return nil }
            if let anchor { anchors[anchor] = size }
            if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + size, Int.max / 2) }
            return nil
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}
