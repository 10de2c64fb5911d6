import Yams

/// One YAML document of a file, composed and checked against the limits.
struct YAMLDocument {
    let root: Node
    let position: SourcePosition
}

/// A problem with the YAML text itself, with where it is.
struct YAMLProblem: Error, Equatable {
    var position: SourcePosition
    var message: String
}

/// Turns the bytes of a file into composed documents, refusing hostile input first.
enum YAMLDocumentLoader {
    static func load(_ input: [UInt8], limits: YAMLLimits = .standard) throws(YAMLProblem) -> [YAMLDocument] {
        // A UTF-8 byte order mark is allowed and ignored.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        let origin = SourcePosition(line: 1, column: 1)
        guard bytes.count <= limits.maxFileBytes else {
            throw YAMLProblem(position: origin, message: "file is \(bytes.count) bytes, above the \(limits.maxFileBytes)-byte limit")
        }
        if let problem = bytes.withUnsafeBufferPointer({ YAMLPreScanner(limits: limits).scan($0) }) {
            throw YAMLProblem(position: problem.position, message: problem.message)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw YAMLProblem(position: invalidUTF8Position(bytes), message: "file is not valid UTF-8")
        }
        if bytes.contains(UInt8(ascii: "*")),
           let problem = bytes.withUnsafeBufferPointer({ YAMLAliasBudget.check($0, limits: limits) }) {
            throw problem
        }
        do {
            // An explicit encoding: `Parser.Encoding.default` reads the whole process environment on every call.
            let parser = try Parser(yaml: text, resolver: .basic, encoding: .utf8)
            var documents: [YAMLDocument] = []
            while let root = try parser.nextRoot() {
                if documents.count == limits.maxDocuments {
                    throw YAMLProblem(position: position(of: root), message: "more than \(limits.maxDocuments) documents in one file")
                }
                if isEmptyDocument(root) { continue }
                // Anchors are weak in Yams: check while the parser still owns them.
                try YAMLStructureCheck(limits: limits).check(root)
                documents.append(YAMLDocument(root: root, position: position(of: root)))
            }
            return documents
        } catch let problem as YAMLProblem {
            throw problem
        } catch let error as YamlError {
            throw problemFrom(error, bytes)
        } catch {
            throw YAMLProblem(position: origin, message: "invalid YAML: \(error)")
        }
    }

    static func position(of node: Node) -> SourcePosition {
        node.mark.map { SourcePosition(line: $0.line, column: $0.column) } ?? SourcePosition(line: 1, column: 1)
    }

    private static func isEmptyDocument(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, NodeDecoder.isNull(scalar) { return true }
        return false
    }

    private static func problemFrom(_ error: YamlError, _ bytes: [UInt8]) -> YAMLProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if let long = LongKey.problem(at: mark, context: context, in: bytes) { return long }
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return YAMLProblem(position: SourcePosition(line: mark.line, column: mark.column), message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return YAMLProblem(
                position: SourcePosition(line: context.mark.line, column: context.mark.column),
                message: "duplicate key \(names) in a mapping")
        case .reader(let problem, let offset, let value, _):
            // libyaml's reader counts bytes of the UTF-8 text; name the character by its code.
            let hex = String(value, radix: 16, uppercase: true)
            let character = value >= 0 ? " (U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex))" : ""
            return YAMLProblem(position: offset.map { position(ofByte: $0, in: bytes) } ?? SourcePosition(line: 1, column: 1),
                               message: "invalid YAML: \(problem)\(character)")
        default:
            return YAMLProblem(position: SourcePosition(line: 1, column: 1), message: "invalid YAML: \(error)")
        }
    }

    /// Line and column of the first byte that breaks UTF-8.
    private static func invalidUTF8Position(_ bytes: [UInt8]) -> SourcePosition {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var consumed = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): consumed += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        return position(ofByte: consumed, in: bytes)
    }

    /// Line and column (in bytes, from 1) of the byte at `offset`.
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> SourcePosition {
        let end = min(max(offset, 0), bytes.count)
        var line = 1, lineStart = 0
        for index in 0..<end where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return SourcePosition(line: line, column: end - lineStart + 1)
    }
}

/// Checks a composed document without recursion: depth, alias expansion and tags.
struct YAMLStructureCheck {
    let limits: YAMLLimits

    private static let coreTags: Set<String> = Set([Tag.Name.implicit, .nonSpecific, .str, .seq, .map, .bool, .int, .float, .null].map(\.rawValue))

    func check(_ root: Node) throws(YAMLProblem) {
        var stack: [(node: Node, depth: Int, expanded: Bool)] = [(root, 1, false)]
        var seenAnchors = Set<ObjectIdentifier>()
        var expandedNodes = 0
        while let (node, depth, inAlias) = stack.popLast() {
            var expanded = inAlias
            if let anchor = node.anchor, !inAlias {
                expanded = !seenAnchors.insert(ObjectIdentifier(anchor)).inserted
            }
            if expanded {
                expandedNodes += 1
                if expandedNodes > limits.maxAliasExpansion {
                    throw YAMLProblem(position: YAMLDocumentLoader.position(of: node),
                                      message: "alias expansion exceeds \(limits.maxAliasExpansion) nodes")
                }
            }
            if depth > limits.maxDepth {
                throw YAMLProblem(position: YAMLDocumentLoader.position(of: node),
                                  message: "nesting deeper than \(limits.maxDepth) levels")
            }
            let tag = Self.writtenTag(node)
            if !Self.coreTags.contains(tag) {
                throw YAMLProblem(position: YAMLDocumentLoader.position(of: node),
                                  message: "tag '\(Self.display(tag))' is not allowed: only YAML 1.2 core types are accepted")
            }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping.reversed() {
                    stack.append((value, depth + 1, expanded))
                    stack.append((key, depth + 1, expanded))
                }
            case .sequence(let sequence):
                for item in sequence.reversed() { stack.append((item, depth + 1, expanded)) }
            case .scalar, .alias:
                break
            }
        }
    }

    /// The tag as written ("" when none). `Node.tag` would resolve it, and Yams keeps the
    /// resolved name in the node: a plain `12` would then read as if tagged `!!str`.
    static func writtenTag(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.tag.rawValue
        case .mapping(let mapping): return mapping.tag.rawValue
        case .sequence(let sequence): return sequence.tag.rawValue
        case .alias: return ""
        }
    }

    private static func display(_ name: String) -> String {
        let prefix = "tag:yaml.org,2002:"
        return name.hasPrefix(prefix) ? "!!" + name.dropFirst(prefix.count) : name
    }
}
