/// Plain block YAML, the way manifests are written, composed straight into a `FastYAMLTree`
/// without libyaml: block mappings and lists (indentless lists too), one-line plain and quoted
/// scalars, one-line flow lists of scalars, `{}`, literal block scalars (`|`, `|-`), comments and
/// `---`, in printable ASCII.
///
/// Everything else, and everything it is not sure of (tabs, anchors, tags, folded or kept block
/// scalars, escapes, multi-line scalars, empty values), returns nil, and libyaml reads the file.
/// A tree it returns is the one libyaml's events compose, to the node, mark and text: tests check
/// it against libyaml on every shape, on generated fleets and on random edits of them.
struct BlockYAMLScanner {
    private struct Outside: Error {}

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

    private let bytes: UnsafeBufferPointer<UInt8>
    private var composer: FastYAMLTree.Composer
    private var index = 0
    private var lineStart = 0
    /// 1-based number of the line that starts at `lineStart`.
    private var line: Int32 = 0
    private var blocks: [Block] = []
    private var pending: Pending?
    private var documents = 0
    private var inDocument = false

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

    private static func isPrintable(_ byte: UInt8) -> Bool { byte &- 0x20 < 0x5F || byte == YAMLByte.newline }

    // MARK: Lines

    private mutating func run() throws(Outside) {
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

    private mutating func startDocument() throws(Outside) {
        documents += 1
        guard documents < composer.limits.maxDocuments else { throw Outside() }
        inDocument = true
        pending = Pending(indent: -1, mappingValue: false)
    }

    private mutating func endDocument() throws(Outside) {
        guard inDocument else { return }
        guard pending == nil else { throw Outside() }   // an empty value or document
        while !blocks.isEmpty { try close() }
        guard composer.endDocument() else { throw Outside() }
        inDocument = false
    }

    /// A line whose first character is at `column`: its place among the open blocks, then its nodes.
    private mutating func content(at column: Int) throws(Outside) {
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
    private mutating func newBlock(at column: Int) throws(Outside) {
        if isDash(index) { return try item(openingAt: column, indentless: false) }
        guard let key = try keyAhead() else { throw Outside() }   // a scalar on a line of its own
        try open(.mapping, at: column, indentless: false)
        try entry(key, indent: column)
    }

    private mutating func open(_ kind: FastYAMLTree.Kind, at column: Int, indentless: Bool) throws(Outside) {
        blocks.append(Block(mapping: kind == .mapping, indent: column, indentless: indentless))
        guard composer.open(kind, line: line, column: Int32(index - lineStart + 1)) else { throw Outside() }
    }

    private mutating func close() throws(Outside) {
        blocks.removeLast()
        guard composer.close() else { throw Outside() }
    }

    // MARK: Nodes

    private mutating func item(openingAt column: Int, indentless: Bool) throws(Outside) {
        try open(.sequence, at: column, indentless: indentless)
        try item(at: column)
    }

    /// A list item: `index` is at its dash, in the list at `indent`.
    private mutating func item(at indent: Int) throws(Outside) {
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
    private func keyAhead() throws(Outside) -> Key? {
        let first = bytes[index]
        if first == YAMLByte.dquote || first == YAMLByte.squote {
            let (text, end) = try quoted(at: index)
            var at = end
            while at < bytes.count, bytes[at] == YAMLByte.space { at += 1 }
            guard at < bytes.count, bytes[at] == YAMLByte.colon, endsToken(at + 1) else { return nil }
            return Key(text: text, plain: false, end: at + 1)
        }
        guard startsPlain(index) else { return nil }
        var at = index
        while at < bytes.count, at - index < 1000 {
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
    private mutating func value(owner: Int) throws(Outside) {
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

    private mutating func scalar(_ text: String, plain: Bool) throws(Outside) {
        guard composer.scalar(text, plain: plain, line: line, column: Int32(index - lineStart + 1)) else { throw Outside() }
    }

    /// A quoted scalar on one line starting at `start`: its text and the index after its closing quote.
    private func quoted(at start: Int) throws(Outside) -> (String, Int) {
        let quote = bytes[start]
        var at = start + 1, doubled = false
        while at < bytes.count {
            let byte = bytes[at]
            if byte == YAMLByte.newline || (quote == YAMLByte.dquote && byte == YAMLByte.backslash) { throw Outside() }
            if byte == quote {
                if quote == YAMLByte.squote, at + 1 < bytes.count, bytes[at + 1] == YAMLByte.squote {
                    doubled = true
                    at += 2
                    continue
                }
                let text = text(start + 1, at)
                return (doubled ? text.replacing("''", with: "'") : text, at + 1)
            }
            at += 1
        }
        throw Outside()
    }

    /// A flow list or mapping on one line (`[a, "b", [c]]`, `{k: v, l: [m]}`): scalars are plain
    /// without `:` or `#`, or quoted; every mapping key has a value.
    private mutating func flowCollection() throws(Outside) {
        let mapping = bytes[index] == YAMLByte.lbrace, close = mapping ? YAMLByte.rbrace : YAMLByte.rbracket
        guard composer.open(mapping ? .mapping : .sequence, line: line, column: Int32(index - lineStart + 1)) else { throw Outside() }
        index += 1
        skipSpaces()
        if index < bytes.count, bytes[index] == close {
            index += 1
            guard composer.close() else { throw Outside() }
            return
        }
        while true {
            if mapping {
                try flowNode(key: true)
                guard index < bytes.count, bytes[index] == YAMLByte.colon, endsToken(index + 1) else { throw Outside() }
                index += 1
                skipSpaces()
            }
            try flowNode(key: false)
            skipSpaces()
            guard index < bytes.count else { throw Outside() }
            if bytes[index] == close { index += 1; break }
            guard bytes[index] == YAMLByte.comma else { throw Outside() }
            index += 1
            skipSpaces()
        }
        guard composer.close() else { throw Outside() }
    }

    /// A node inside a flow collection; a key stops before its `:` (after any blanks).
    private mutating func flowNode(key: Bool) throws(Outside) {
        guard index < bytes.count else { throw Outside() }
        switch bytes[index] {
        case YAMLByte.lbracket, YAMLByte.lbrace:
            guard !key else { throw Outside() }
            try flowCollection()
        case YAMLByte.dquote, YAMLByte.squote:
            let (text, end) = try quoted(at: index)
            try scalar(text, plain: false)
            index = end
            if key { skipSpaces() }
        default:
            guard startsPlain(index), !(bytes[index] == YAMLByte.dash && YAMLByte.isFlowIndicator(bytes[index + 1])) else { throw Outside() }
            var at = index
            scan: while at < bytes.count {
                switch bytes[at] {
                case YAMLByte.comma, YAMLByte.rbracket, YAMLByte.rbrace:
                    guard !key else { throw Outside() }
                    break scan
                case YAMLByte.colon:
                    guard key, endsToken(at + 1) else { throw Outside() }
                    break scan
                case YAMLByte.newline, YAMLByte.hash, YAMLByte.lbracket, YAMLByte.lbrace: throw Outside()
                default: at += 1
                }
            }
            var end = at
            while bytes[end - 1] == YAMLByte.space { end -= 1 }
            try scalar(text(index, end), plain: true)
            index = at
        }
    }
    /// A literal block scalar (`|` or `|-`) whose lines are indented deeper than `owner`. It
    /// consumes its lines; `index` ends at the start of the first line after it.
    private mutating func literal(owner: Int) throws(Outside) {
        let column = Int32(index - lineStart + 1), headerLine = line
        index += 1
        let strip = index < bytes.count && bytes[index] == YAMLByte.dash
        if strip { index += 1 }
        guard endsToken(index) else { throw Outside() }   // `|+`, indentation indicators
        try finishLine()
        var content: [UInt8] = []
        var indent = -1, emptyLines = 0, broken = true
        while index < bytes.count {
            var at = index
            while at < bytes.count, bytes[at] == YAMLByte.space { at += 1 }
            let spaces = at - index
            if at == bytes.count || bytes[at] == YAMLByte.newline {   // an empty line
                guard indent >= 0, spaces <= indent else { throw Outside() }
                if at == bytes.count { break }
                emptyLines += 1
            } else {
                if indent < 0 {
                    guard spaces > owner else { throw Outside() }   // an empty scalar
                    indent = spaces
                } else {
                    guard spaces >= indent else { break }
                    content.append(YAMLByte.newline)
                }
                content.append(contentsOf: repeatElement(YAMLByte.newline, count: emptyLines))
                emptyLines = 0
                while at < bytes.count, bytes[at] != YAMLByte.newline { at += 1 }
                content.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(index + indent)..<at]))
                if at == bytes.count { broken = false }
            }
            line += 1
            index = min(at + 1, bytes.count)
        }
        guard indent >= 0, strip || broken else { throw Outside() }
        if !strip { content.append(YAMLByte.newline) }
        guard composer.scalar(String(decoding: content, as: UTF8.self), plain: false, line: headerLine, column: column) else {
            throw Outside()
        }
    }

    // MARK: Bytes

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == YAMLByte.space { index += 1 }
    }

    /// At the end of the line's content: its end, or a comment.
    private func atLineEnd() -> Bool {
        index == bytes.count || bytes[index] == YAMLByte.newline || (bytes[index] == YAMLByte.hash && bytes[index - 1] == YAMLByte.space)
    }

    /// Consumes blanks, a comment and the line break; anything else is outside.
    private mutating func finishLine() throws(Outside) {
        skipSpaces()
        if index < bytes.count, bytes[index] == YAMLByte.hash {
            guard index == lineStart || bytes[index - 1] == YAMLByte.space else { throw Outside() }
            while index < bytes.count, bytes[index] != YAMLByte.newline { index += 1 }
        }
        guard index == bytes.count || bytes[index] == YAMLByte.newline else { throw Outside() }
        if index < bytes.count { index += 1 }
    }

    /// Whether `at` is past the end, a blank or a line break.
    private func endsToken(_ at: Int) -> Bool {
        at >= bytes.count || bytes[at] == YAMLByte.space || bytes[at] == YAMLByte.newline
    }

    private func isDash(_ at: Int) -> Bool { bytes[at] == YAMLByte.dash && endsToken(at + 1) }

    /// Whether a plain scalar may start at `at` (conservatively: no indicator, `-` only before a non-blank).
    private func startsPlain(_ at: Int) -> Bool {
        switch bytes[at] {
        case YAMLByte.dash: return !endsToken(at + 1)
        case YAMLByte.question, YAMLByte.colon, YAMLByte.comma, YAMLByte.lbracket, YAMLByte.rbracket, YAMLByte.lbrace, YAMLByte.rbrace, YAMLByte.hash,
             YAMLByte.amp, YAMLByte.star, YAMLByte.bang, YAMLByte.pipe, YAMLByte.greater, YAMLByte.squote, YAMLByte.dquote, YAMLByte.percent, YAMLByte.at,
             YAMLByte.backtick, YAMLByte.space, YAMLByte.newline:
            return false
        default: return true
        }
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
