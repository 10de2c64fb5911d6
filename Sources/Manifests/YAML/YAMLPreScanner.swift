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

private enum Byte {
    static let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    static let dot = UInt8(ascii: "."), percent = UInt8(ascii: "%"), question = UInt8(ascii: "?")
    static let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ","), star = UInt8(ascii: "*")
    static let amp = UInt8(ascii: "&"), bang = UInt8(ascii: "!"), pipe = UInt8(ascii: "|")
    static let greater = UInt8(ascii: ">"), dquote = UInt8(ascii: "\""), squote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")
    static let lbracket = UInt8(ascii: "["), rbracket = UInt8(ascii: "]")
    static let lbrace = UInt8(ascii: "{"), rbrace = UInt8(ascii: "}")

    static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }
    static func isBreak(_ c: UInt8) -> Bool { c == newline || c == cr }
    static func isAnchorChar(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == dash || c == 0x5F
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
        return Byte.isBlank(c) || Byte.isBreak(c)
    }

    mutating func newline() {
        if peek() == Byte.cr, peek(1) == Byte.newline { index += 1 }
        index += 1
        line += 1
        lineStart = index
    }

    mutating func skipBlanks() { while let c = peek(), Byte.isBlank(c) { index += 1 } }
    mutating func skipToLineEnd() { while let c = peek(), !Byte.isBreak(c) { index += 1 } }

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
        guard let first = peek(), !Byte.isBreak(first) else { return nil }
        if let parent = blockScalarParent {
            if indent > parent { skipToLineEnd(); return nil }
            blockScalarParent = nil
        }
        if indent == 0, first == Byte.percent { skipToLineEnd(); return nil }
        if indent == 0, (first == Byte.dash || first == Byte.dot), peek(1) == first, peek(2) == first, endsToken(3) {
            if first == Byte.dash {
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
            guard let c = peek(), !Byte.isBreak(c) else { return nil }
            switch c {
            case Byte.hash:
                skipToLineEnd(); return nil
            case Byte.dash where endsToken(1):
                parentColumn = column; index += 1
            case Byte.question where endsToken(1):
                return .init(position: position, message: "complex mapping keys ('?') are not supported")
            case Byte.lbracket, Byte.lbrace:
                if let problem = scanFlow(limits: limits) { return problem }
                if let problem = refuseCollectionKey() { return problem }
            case Byte.dquote, Byte.squote:
                let start = column
                scanQuoted(c)
                skipBlanks()
                if peek() == Byte.colon, endsToken(1) { parentColumn = start; index += 1; continue }
            case Byte.pipe, Byte.greater:
                blockScalarParent = parentColumn
                skipToLineEnd(); return nil
            case Byte.star:
                let at = position
                index += 1
                while let n = peek(), Byte.isAnchorChar(n) { index += 1 }
                skipBlanks()
                if peek() == Byte.colon, endsToken(1) {
                    return .init(position: at, message: "an alias cannot be used as a mapping key")
                }
            case Byte.amp, Byte.bang:
                while let n = peek(), !Byte.isBlank(n), !Byte.isBreak(n) { index += 1 }
            default:
                let start = column
                if scanPlain() { parentColumn = start; continue }
                return nil
            }
        }
    }

    /// Scans a plain scalar; returns true when it ended as a mapping key (`key: `).
    mutating func scanPlain() -> Bool {
        while let c = peek(), !Byte.isBreak(c) {
            if c == Byte.colon, endsToken(1) { index += 1; return true }
            if Byte.isBlank(c), peek(1) == Byte.hash { skipToLineEnd(); return false }
            index += 1
        }
        return false
    }

    /// Scans a quoted scalar, across lines, honouring escapes.
    mutating func scanQuoted(_ quote: UInt8) {
        index += 1
        while let c = peek() {
            if Byte.isBreak(c) { newline(); continue }
            if quote == Byte.dquote, c == Byte.backslash { index += 2; continue }
            if c == quote {
                if quote == Byte.squote, peek(1) == Byte.squote { index += 2; continue }
                index += 1
                return
            }
            index += 1
        }
    }

    /// After a flow collection closed, a following `:` would make it a mapping key.
    mutating func refuseCollectionKey() -> YAMLPreScanner.Problem? {
        skipBlanks()
        if peek() == Byte.colon {
            return .init(position: position, message: "a list or mapping cannot be used as a mapping key")
        }
        return nil
    }

    /// Scans a flow collection from its opening bracket to the matching close, counting depth.
    mutating func scanFlow(limits: YAMLLimits) -> YAMLPreScanner.Problem? {
        var entryStart = true
        while let c = peek() {
            switch c {
            case Byte.newline, Byte.cr:
                newline(); continue
            case Byte.lbracket, Byte.lbrace:
                flowDepth += 1
                if flowDepth > limits.maxDepth {
                    return .init(position: position, message: "nesting deeper than \(limits.maxDepth) levels")
                }
                index += 1; entryStart = true; continue
            case Byte.rbracket, Byte.rbrace:
                flowDepth = max(0, flowDepth - 1)
                index += 1
                if flowDepth == 0 { return nil }
                if let problem = refuseCollectionKey() { return problem }
                entryStart = false; continue
            case Byte.comma:
                index += 1; entryStart = true; continue
            case Byte.dquote, Byte.squote:
                scanQuoted(c); entryStart = false; continue
            case Byte.hash where index == lineStart || Byte.isBlank(bytes[index - 1]):
                skipToLineEnd(); continue
            case Byte.question where entryStart && endsToken(1):
                return .init(position: position, message: "complex mapping keys ('?') are not supported")
            case Byte.star:
                let at = position
                index += 1
                while let n = peek(), Byte.isAnchorChar(n) { index += 1 }
                skipBlanks()
                if peek() == Byte.colon {
                    return .init(position: at, message: "an alias cannot be used as a mapping key")
                }
                entryStart = false; continue
            default:
                if !Byte.isBlank(c) { entryStart = false }
                index += 1
            }
        }
        return nil
    }
}
