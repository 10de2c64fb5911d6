/// A linear lexical pass that refuses hostile YAML before libyaml and Yams see it.
///
/// libyaml is quadratic on deep flow nesting and Yams composes recursively without limits, so the
/// scanner counts flow depth (brackets outside quotes, comments and block scalars), document
/// markers, and refuses non-scalar mapping keys (explicit `?` keys, aliases or collections used as
/// keys), whose hashing by the composer could explode through aliases. It never recurses.
struct YAMLPreScanner {
    struct Problem: Error, Equatable {
        var position: SourcePosition
        var message: String
    }

    let limits: YAMLLimits

    func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Problem? {
        var cursor = Cursor(bytes: bytes)
        return cursor.run(limits: limits)
    }
}

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var line = 1
    var lineStart = 0
    var flowDepth = 0
    var documentMarkers = 0
    /// While set, lines indented more than this belong to a block scalar and are skipped.
    var blockScalarParent: Int?

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    func peek(_ offset: Int = 0) -> UInt8? {
        let at = index + offset
        return at < bytes.count ? bytes[at] : nil
    }
    var position: SourcePosition { SourcePosition(line: line, column: index - lineStart + 1) }
    var column: Int { index - lineStart }

    /// Whether the byte at `offset` ends a token (blank, line break or end of input).
    func endsToken(_ offset: Int) -> Bool {
        guard let c = peek(offset) else { return true }
        return YAMLByte.isBlank(c) || YAMLByte.isBreak(c)
    }

    mutating func newline() {
        if peek() == YAMLByte.cr, peek(1) == YAMLByte.newline { index += 1 }
        index += 1
        line += 1
        lineStart = index
    }

    mutating func skipBlanks() { while let c = peek(), YAMLByte.isBlank(c) { index += 1 } }
    mutating func skipToLineEnd() { while let c = peek(), !YAMLByte.isBreak(c) { index += 1 } }

    mutating func run(limits: YAMLLimits) -> YAMLPreScanner.Problem? {
        while !atEnd {
            if let problem = scanLine(limits: limits) { return problem }
            if !atEnd { newline() }
        }
        return nil
    }

    /// Scans one physical line in block context (flow collections may carry it over several lines).
    mutating func scanLine(limits: YAMLLimits) -> YAMLPreScanner.Problem? {
        skipBlanks()
        let indent = column
        guard let first = peek(), !YAMLByte.isBreak(first) else { return nil }
        if let parent = blockScalarParent {
            if indent > parent { skipToLineEnd(); return nil }
            blockScalarParent = nil
        }
        if indent == 0, first == YAMLByte.percent { skipToLineEnd(); return nil }
        if indent == 0, (first == YAMLByte.dash || first == YAMLByte.dot), peek(1) == first, peek(2) == first, endsToken(3) {
            if first == YAMLByte.dash {
                documentMarkers += 1
                if documentMarkers > limits.maxDocuments {
                    return .init(position: position, message: "more than \(limits.maxDocuments) documents in one file")
                }
            }
            index += 3
        }
        return scanValues(limits: limits, parent: indent)
    }

    /// Scans node starts, keys and values on the rest of the line.
    mutating func scanValues(limits: YAMLLimits, parent: Int) -> YAMLPreScanner.Problem? {
        var parentColumn = parent
        while true {
            skipBlanks()
            guard let c = peek(), !YAMLByte.isBreak(c) else { return nil }
            switch c {
            case YAMLByte.hash:
                skipToLineEnd(); return nil
            case YAMLByte.dash where endsToken(1):
                parentColumn = column; index += 1
            case YAMLByte.question where endsToken(1):
                return .init(position: position, message: "complex mapping keys ('?') are not supported")
            case YAMLByte.lbracket, YAMLByte.lbrace:
                if let problem = scanFlow(limits: limits) { return problem }
                if let problem = refuseCollectionKey() { return problem }
            case YAMLByte.dquote, YAMLByte.squote:
                let start = column
                scanQuoted(c)
                skipBlanks()
                if peek() == YAMLByte.colon, endsToken(1) { parentColumn = start; index += 1; continue }
            case YAMLByte.pipe, YAMLByte.greater:
                blockScalarParent = parentColumn
                skipToLineEnd(); return nil
            case YAMLByte.star:
                let at = position
                index += 1
                while let n = peek(), YAMLByte.isAnchorChar(n) { index += 1 }
                skipBlanks()
                if peek() == YAMLByte.colon, endsToken(1) {
                    return .init(position: at, message: "an alias cannot be used as a mapping key")
                }
            case YAMLByte.amp, YAMLByte.bang:
                while let n = peek(), !YAMLByte.isBlank(n), !YAMLByte.isBreak(n) { index += 1 }
            default:
                let start = column
                if scanPlain() { parentColumn = start; continue }
                return nil
            }
        }
    }

    /// Scans a plain scalar; returns true when it ended as a mapping key (`key: `).
    mutating func scanPlain() -> Bool {
        while let c = peek(), !YAMLByte.isBreak(c) {
            if c == YAMLByte.colon, endsToken(1) { index += 1; return true }
            if YAMLByte.isBlank(c), peek(1) == YAMLByte.hash { skipToLineEnd(); return false }
            index += 1
        }
        return false
    }

    /// Scans a quoted scalar, across lines, honouring escapes.
    mutating func scanQuoted(_ quote: UInt8) {
        index += 1
        while let c = peek() {
            if YAMLByte.isBreak(c) { newline(); continue }
            if quote == YAMLByte.dquote, c == YAMLByte.backslash { index += 2; continue }
            if c == quote {
                if quote == YAMLByte.squote, peek(1) == YAMLByte.squote { index += 2; continue }
                index += 1
                return
            }
            index += 1
        }
    }

    /// After a flow collection closed, a following `:` would make it a mapping key.
    mutating func refuseCollectionKey() -> YAMLPreScanner.Problem? {
        skipBlanks()
        if peek() == YAMLByte.colon {
            return .init(position: position, message: "a list or mapping cannot be used as a mapping key")
        }
        return nil
    }

    /// Scans a flow collection from its opening bracket to the matching close, counting depth.
    mutating func scanFlow(limits: YAMLLimits) -> YAMLPreScanner.Problem? {
        var entryStart = true
        while let c = peek() {
            switch c {
            case YAMLByte.newline, YAMLByte.cr:
                newline(); continue
            case YAMLByte.lbracket, YAMLByte.lbrace:
                flowDepth += 1
                if flowDepth > limits.maxDepth {
                    return .init(position: position, message: "nesting deeper than \(limits.maxDepth) levels")
                }
                index += 1; entryStart = true; continue
            case YAMLByte.rbracket, YAMLByte.rbrace:
                flowDepth = max(0, flowDepth - 1)
                index += 1
                if flowDepth == 0 { return nil }
                if let problem = refuseCollectionKey() { return problem }
                entryStart = false; continue
            case YAMLByte.comma:
                index += 1; entryStart = true; continue
            case YAMLByte.dquote, YAMLByte.squote:
                scanQuoted(c); entryStart = false; continue
            case YAMLByte.hash where index == lineStart || YAMLByte.isBlank(bytes[index - 1]):
                skipToLineEnd(); continue
            case YAMLByte.question where entryStart && endsToken(1):
                return .init(position: position, message: "complex mapping keys ('?') are not supported")
            case YAMLByte.star:
                let at = position
                index += 1
                while let n = peek(), YAMLByte.isAnchorChar(n) { index += 1 }
                skipBlanks()
                if peek() == YAMLByte.colon {
                    return .init(position: at, message: "an alias cannot be used as a mapping key")
                }
                entryStart = false; continue
            default:
                if !YAMLByte.isBlank(c) { entryStart = false }
                index += 1
            }
        }
        return nil
    }
}
