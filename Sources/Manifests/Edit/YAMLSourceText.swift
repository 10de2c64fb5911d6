import Yams

/// A YAML text as Unicode scalars, with libyaml's idea of lines, for splicing at node marks.
///
/// libyaml reports 1-based lines and columns counted in Unicode scalars; it breaks lines at
/// `\r\n`, `\r`, `\n`, U+0085, U+2028 and U+2029, so this does the same.
struct YAMLSourceText {
    /// The text's scalars.
    private(set) var scalars: [Unicode.Scalar]
    /// Offset in `scalars` where each line starts (line 1 at index 0).
    private let lineStarts: [Int]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var starts = [0]
        var index = 0
        while index < scalars.count {
            if let width = Self.breakWidth(scalars, at: index) {
                index += width
                starts.append(index)
            } else {
                index += 1
            }
        }
        lineStarts = starts
    }

    /// The text again (unchanged bytes for unchanged scalars).
    var text: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The offset of a libyaml mark, or nil when it lies outside the text.
    func offset(of mark: Mark) -> Int? {
        guard mark.line >= 1, mark.line <= lineStarts.count, mark.column >= 1 else { return nil }
        let offset = lineStarts[mark.line - 1] + mark.column - 1
        return offset <= scalars.count ? offset : nil
    }

    /// The offset where the line holding `offset` starts.
    func lineStart(containing offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return lineStarts[low]
    }

    /// The line break that ends the line holding `offset` and where the next line starts, or nil on the last line.
    func lineBreak(after offset: Int) -> (text: [Unicode.Scalar], next: Int)? {
        var index = offset
        while index < scalars.count {
            if let width = Self.breakWidth(scalars, at: index) {
                return (Array(scalars[index..<index + width]), index + width)
            }
            index += 1
        }
        return nil
    }

    /// The first line break in the text, `\n` when there is none.
    var firstLineBreak: [Unicode.Scalar] {
        lineBreak(after: 0)?.text ?? ["\n"]
    }

    /// Whether `offset` and `other` are on the same line.
    func sameLine(_ offset: Int, _ other: Int) -> Bool {
        lineStart(containing: offset) == lineStart(containing: other)
    }

    /// The end of the scalar that starts at `start` with this style and value, or nil when the source does not match.
    ///
    /// Plain scalars must sit on one line (the source then equals the value); quoted ones end at
    /// their closing quote; block scalars (`|`, `>`) are not located.
    func scalarEnd(at start: Int, style: Node.Scalar.Style, value: String) -> Int? {
        switch style {
        case .plain, .any:
            let expected = Array(value.unicodeScalars)
            let end = start + expected.count
            guard !expected.isEmpty, end <= scalars.count, Array(scalars[start..<end]) == expected else { return nil }
            return end
        case .doubleQuoted:
            guard start < scalars.count, scalars[start] == "\"" else { return nil }
            var index = start + 1
            while index < scalars.count {
                if scalars[index] == "\\" { index += 2; continue }
                if scalars[index] == "\"" { return index + 1 }
                index += 1
            }
            return nil
        case .singleQuoted:
            guard start < scalars.count, scalars[start] == "'" else { return nil }
            var index = start + 1
            while index < scalars.count {
                if scalars[index] == "'" {
                    if index + 1 < scalars.count, scalars[index + 1] == "'" { index += 2; continue }
                    return index + 1
                }
                index += 1
            }
            return nil
        case .literal, .folded:
            return nil
        }
    }

    /// Replaces `range` with `replacement`.
    mutating func replace(_ range: Range<Int>, with replacement: [Unicode.Scalar]) {
        scalars.replaceSubrange(range, with: replacement)
    }

    /// The width of the line break starting at `index`, or nil when there is none.
    private static func breakWidth(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        switch scalars[index] {
        case "\r": return index + 1 < scalars.count && scalars[index + 1] == "\n" ? 2 : 1
        case "\n", "\u{85}", "\u{2028}", "\u{2029}": return 1
        default: return nil
        }
    }
}
