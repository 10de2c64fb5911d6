/// The scalars, flow collections, literal block scalars and byte tests of `BlockYAMLScanner`.
extension BlockYAMLScanner {
    // MARK: Scalars and flow collections

    mutating func scalar(_ text: String, plain: Bool) throws(Outside) {
        guard composer.scalar(text, plain: plain, line: line, column: Int32(index - lineStart + 1)) else { throw Outside() }
    }

    /// A quoted scalar on one line starting at `start`: its text and the index after its closing quote.
    func quoted(at start: Int) throws(Outside) -> (String, Int) {
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
    /// without `:` or `#`, or quoted; every mapping key has a value, its `:` within `maxKeySpan`.
    mutating func flowCollection() throws(Outside) {
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
                let keyStart = index
                try flowNode(key: true)
                guard index < bytes.count, bytes[index] == YAMLByte.colon, endsToken(index + 1),
                      index - keyStart <= Self.maxKeySpan else { throw Outside() }
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
    mutating func flowNode(key: Bool) throws(Outside) {
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
    mutating func literal(owner: Int) throws(Outside) {
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

    mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == YAMLByte.space { index += 1 }
    }

    /// At the end of the line's content: its end, or a comment.
    func atLineEnd() -> Bool {
        index == bytes.count || bytes[index] == YAMLByte.newline || (bytes[index] == YAMLByte.hash && bytes[index - 1] == YAMLByte.space)
    }

    /// Consumes blanks, a comment and the line break; anything else is outside.
    mutating func finishLine() throws(Outside) {
        skipSpaces()
        if index < bytes.count, bytes[index] == YAMLByte.hash {
            guard index == lineStart || bytes[index - 1] == YAMLByte.space else { throw Outside() }
            while index < bytes.count, bytes[index] != YAMLByte.newline { index += 1 }
        }
        guard index == bytes.count || bytes[index] == YAMLByte.newline else { throw Outside() }
        if index < bytes.count { index += 1 }
    }

    /// Whether `at` is past the end, a blank or a line break.
    func endsToken(_ at: Int) -> Bool {
        at >= bytes.count || bytes[at] == YAMLByte.space || bytes[at] == YAMLByte.newline
    }

    func isDash(_ at: Int) -> Bool { bytes[at] == YAMLByte.dash && endsToken(at + 1) }

    /// Whether a plain scalar may start at `at` (conservatively: no indicator, `-` only before a non-blank).
    func startsPlain(_ at: Int) -> Bool {
        switch bytes[at] {
        case YAMLByte.dash: return !endsToken(at + 1)
        case YAMLByte.question, YAMLByte.colon, YAMLByte.comma, YAMLByte.lbracket, YAMLByte.rbracket, YAMLByte.lbrace, YAMLByte.rbrace, YAMLByte.hash,
             YAMLByte.amp, YAMLByte.star, YAMLByte.bang, YAMLByte.pipe, YAMLByte.greater, YAMLByte.squote, YAMLByte.dquote, YAMLByte.percent, YAMLByte.at,
             YAMLByte.backtick, YAMLByte.space, YAMLByte.newline:
            return false
        default: return true
        }
    }

    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
