/// Plain block YAML, the way manifests are written, composed straight into a `FastYAMLTree`
/// without libyaml: block mappings and lists (indentless lists too), one-line plain and quoted
/// scalars, one-line flow lists of scalars, `{}`, literal block scalars (`|`, `|-`), comments and
/// `---`, in printable ASCII.
///
/// Everything else, and everything it is not sure of (tabs, anchors, tags, folded or kept block
/// scalars, escapes, multi-line scalars, empty values, keys longer than libyaml takes), returns
/// nil, and libyaml reads the file.
/// A tree it returns is the one libyaml's events compose, to the node, mark and text: tests check
/// it against libyaml on every shape, on generated fleets and on random edits of them.
struct BlockYAMLScanner {
    // Its state is internal, not private: scalars and flow collections are read in BlockYAMLScanner+Scalars.swift.
    struct Outside: Error {}

    /// libyaml's limit on an implicit key: its `:` at most 1,024 characters after the key's first
    /// (`yaml_parser_stale_simple_keys`: quotes and blanks before the `:` count). libyaml refuses
    /// longer keys, so the scanner leaves them to it (`LongKey` explains the refusal).
    static let maxKeySpan = 1024

    /// An open block mapping or list, by the column of its keys or dashes.
    private struct Block {
        var mapping: Bool
        var indent: Int
        /// A list at the indent of the mapping whose value it is (`key:` then `- item`).
        var indentless: Bool
    }

    /// A key or a dash whose value starts on a later line; `indent` is its mapping's or list's
    /// (-1 for a document's root).
    private struct Pending {
        var indent: Int
        var mappingValue: Bool
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var composer: FastYAMLTree.Composer
    var index = 0
    var lineStart = 0
    /// 1-based number of the line that starts at `lineStart`.
    var line: Int32 = 0
    private var blocks: [Block] = []
    private var pending: Pending?
    var documents = 0
    var inDocument = false

    private init(bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) {
        self.bytes = bytes
        composer = FastYAMLTree.Composer(limits: limits, capacity: bytes.count / 12)
        blocks.reserveCapacity(16)
    }

    /// The documents of `bytes`, or nil when the file is outside this scanner's YAML.
    static func compose(_ bytes: UnsafeBufferPointer<UInt8>, limits: YAMLLimits) -> FastYAMLTree? {
        guard isPrintableASCII(bytes) else { return nil }
        var scanner = BlockYAMLScanner(bytes: bytes, limits: limits)
        do {
            try scanner.run()
        } catch {
            return nil
        }
        return scanner.composer.tree()
    }

    /// Only 0x20–0x7E and line feeds: no tabs, carriage returns, controls or non-ASCII, whose
    /// rules (YAML 1.1 line breaks among them) are left to libyaml.
    static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        // Eight bytes at a time: a word with no high bit, no byte below 0x20 and no 0x7F passes at
        // once; one with any (line feeds, mostly) is checked byte by byte.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs = ones &* 0x80
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let belowSpace = (word &- ones &* 0x20) & ~word & highs
            let delete = word ^ (ones &* 0x7F)
            if word & highs != 0 || belowSpace != 0 || (delete &- ones) & ~delete & highs != 0 {
                for offset in 0..<8 where !isPrintable(bytes[index + offset]) { return false }
            }
            index += 8
        }
        while index < bytes.count {
            guard isPrintable(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    static func isPrintable(_ byte: UInt8) -> Bool { byte &- 0x20 < 0x5F || byte == YAMLByte.newline }

    // MARK: Lines

    mutating func run() throws(Outside) {
        while index < bytes.count {
            lineStart = index
            line += 1
            skipSpaces()
            guard index < bytes.count, bytes[index] != YAMLByte.newline else { try finishLine(); continue }
            let first = bytes[index], column = index - lineStart
            if first == YAMLByte.hash { try finishLine(); continue }
            if column == 0, first == YAMLByte.dash || first == YAMLByte.dot, index + 2 < bytes.count,
               bytes[index + 1] == first, bytes[index + 2] == first, endsToken(index + 3) {
                guard first == YAMLByte.dash else { throw Outside() }   // `...`
                try endDocument()
                try startDocument()
                index += 3
                try finishLine()
                continue
            }
            if column == 0, first == YAMLByte.percent { throw Outside() }   // directives
            if !inDocument { try startDocument() }
            try content(at: column)
        }
        try endDocument()
    }

    mutating func startDocument() throws(Outside) {
        documents += 1
        guard documents < composer.limits.maxDocuments else { throw Outside() }
        inDocument = true
        pending = Pending(indent: -1, mappingValue: false)
    }

    mutating func endDocument() throws(Outside) {
        guard inDocument else { return }
        guard pending == nil else { throw Outside() }   // an empty value or document
        while !blocks.isEmpty { try close() }
        guard composer.endDocument() else { throw Outside() }
        inDocument = false
    }

    /// A line whose first character is at `column`: its place among the open blocks, then its nodes.
    mutating func content(at column: Int) throws(Outside) {
        if let waiting = pending {
            pending = nil
            if column > waiting.indent { return try newBlock(at: column) }
            guard waiting.mappingValue, column == waiting.indent, isDash(index) else { throw Outside() }
            return try item(openingAt: column, indentless: true)
        }
        while let top = blocks.last, top.indent > column || (top.indentless && top.indent == column && !isDash(index)) {
            try close()
        }
        guard let top = blocks.last, top.indent == column else { throw Outside() }
        if top.mapping {
            guard !isDash(index), let key = try keyAhead() else { throw Outside() }
            try entry(key, indent: column)
        } else {
            guard isDash(index) else { throw Outside() }
            try item(at: column)
        }
    }

    /// A mapping or list that starts at `column` (the value of a key or dash on an earlier line).
    mutating func newBlock(at column: Int) throws(Outside) {
        if isDash(index) { return try item(openingAt: column, indentless: false) }
        guard let key = try keyAhead() else { throw Outside() }   // a scalar on a line of its own
        try open(.mapping, at: column, indentless: false)
        try entry(key, indent: column)
    }

    mutating func open(_ kind: FastYAMLTree.Kind, at column: Int, indentless: Bool) throws(Outside) {
        blocks.append(Block(mapping: kind == .mapping, indent: column, indentless: indentless))
        guard composer.open(kind, line: line, column: Int32(index - lineStart + 1)) else { throw Outside() }
    }

    mutating func close() throws(Outside) {
        blocks.removeLast()
        guard composer.close() else { throw Outside() }
    }

    // MARK: Nodes

    mutating func item(openingAt column: Int, indentless: Bool) throws(Outside) {
        try open(.sequence, at: column, indentless: indentless)
        try item(at: column)
    }

    /// A list item: `index` is at its dash, in the list at `indent`.
    mutating func item(at indent: Int) throws(Outside) {
        index += 1
        skipSpaces()
        if atLineEnd() {
            pending = Pending(indent: indent, mappingValue: false)
            return try finishLine()
        }
        let column = index - lineStart
        if isDash(index) { return try item(openingAt: column, indentless: false) }
        if let key = try keyAhead() {
            try open(.mapping, at: column, indentless: false)
            return try entry(key, indent: column)
        }
        try value(owner: indent)
    }

    /// A key found ahead of `index`: its text and style, and where its `:` ends.
    private struct Key {
        var text: String
        var plain: Bool
        var end: Int
    }

    /// The mapping key that starts at `index` (`key:` followed by a blank or the line's end), if any.
    /// A key whose `:` is more than `maxKeySpan` characters after its start is left to libyaml,
    /// which refuses it.
    private func keyAhead() throws(Outside) -> Key? {
        let first = bytes[index]
        if first == YAMLByte.dquote || first == YAMLByte.squote {
            let (text, end) = try quoted(at: index)
            var at = end
            while at < bytes.count, bytes[at] == YAMLByte.space { at += 1 }
            guard at < bytes.count, bytes[at] == YAMLByte.colon, endsToken(at + 1) else { return nil }
            guard at - index <= Self.maxKeySpan else { throw Outside() }
            return Key(text: text, plain: false, end: at + 1)
        }
        guard startsPlain(index) else { return nil }
        var at = index
        while at < bytes.count, at - index <= Self.maxKeySpan {
            let byte = bytes[at]
            if byte == YAMLByte.newline { return nil }
            if byte == YAMLByte.colon, endsToken(at + 1) {
                var end = at
                while bytes[end - 1] == YAMLByte.space { end -= 1 }
                return Key(text: text(index, end), plain: true, end: at + 1)
            }
            if byte == YAMLByte.hash, bytes[at - 1] == YAMLByte.space { return nil }
            at += 1
        }
        return nil
    }

    /// A mapping entry at `index` in the mapping at `indent`: the key, then its value.
    private mutating func entry(_ key: Key, indent: Int) throws(Outside) {
        try scalar(key.text, plain: key.plain)
        index = key.end
        skipSpaces()
        if atLineEnd() {
            pending = Pending(indent: indent, mappingValue: true)
            return try finishLine()
        }
        try value(owner: indent)
    }

    /// The value at `index`, on the line of its key or dash; `owner` is that mapping's or list's indent.
    mutating func value(owner: Int) throws(Outside) {
        switch bytes[index] {
        case YAMLByte.dquote, YAMLByte.squote:
            let (text, end) = try quoted(at: index)
            try scalar(text, plain: false)
            index = end
        case YAMLByte.lbracket, YAMLByte.lbrace:
            try flowCollection()
        case YAMLByte.pipe:
            return try literal(owner: owner)
        default:
            guard startsPlain(index) else { throw Outside() }
            var at = index
            while at < bytes.count, bytes[at] != YAMLByte.newline {
                if bytes[at] == YAMLByte.colon, endsToken(at + 1) { throw Outside() }   // `a: b: c`
                if bytes[at] == YAMLByte.hash, bytes[at - 1] == YAMLByte.space { break }
                at += 1
            }
            var end = at
            while bytes[end - 1] == YAMLByte.space { end -= 1 }
            try scalar(text(index, end), plain: true)
            index = at
        }
        try finishLine()
    }
}
