import Yams

/// libyaml's refusal of an implicit mapping key whose `:` is more than 1,024 characters after the
/// key's start, explained. libyaml says "could not find expected ':'", "mapping values are not
/// allowed in this context" or "did not find expected ',' or '}'" depending on where the key is;
/// each of them points at the `:` (or, for the first, names the key's start as its context).
enum LongKey {
    /// A clearer problem at the key's start when libyaml's error at `mark` is a key too long.
    static func problem(at mark: Mark, context: YamlError.Context?, in bytes: [UInt8]) -> YAMLProblem? {
        guard mark.column > BlockYAMLScanner.maxKeySpan, let line = line(mark.line, of: bytes) else { return nil }
        var colon = mark.column - 1   // 0-based, in characters as libyaml counts them
        while colon < line.count, line[colon] == " " { colon += 1 }
        guard colon < line.count, line[colon] == ":" else { return nil }
        let start: Int
        if let context, context.text == "while scanning a simple key", context.mark.line == mark.line {
            start = context.mark.column - 1
        } else {
            guard let found = keyStart(before: colon, in: line) else { return nil }
            start = found
        }
        let span = colon - start
        guard span > BlockYAMLScanner.maxKeySpan else { return nil }
        return YAMLProblem(position: SourcePosition(line: mark.line, column: start + 1),
                           message: "invalid YAML: this mapping key runs \(span) characters up to its ':', more than the \(BlockYAMLScanner.maxKeySpan) YAML allows for a key without '?'")
    }

    /// The characters (Unicode scalars, as libyaml counts columns) of line `number` (from 1).
    private static func line(_ number: Int, of bytes: [UInt8]) -> [Unicode.Scalar]? {
        var current = 1, start = 0
        for (index, byte) in bytes.enumerated() where byte == YAMLByte.newline {
            if current == number { return Array(String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars) }
            current += 1
            start = index + 1
        }
        return current == number ? Array(String(decoding: bytes[start...], as: UTF8.self).unicodeScalars) : nil
    }

    /// Where the key that ends before `colon` starts: at its opening quote; for a plain key, after
    /// the last flow indicator or `: ` before it, and past blanks and `- `/`? ` indicators. (A
    /// plain block key holding `,` is taken to start after it: the span found is never longer than
    /// libyaml's, so a key is never called too long when it is not.)
    private static func keyStart(before colon: Int, in line: [Unicode.Scalar]) -> Int? {
        var end = colon
        while end > 0, line[end - 1] == " " { end -= 1 }
        guard end > 0 else { return nil }
        let last = line[end - 1]
        if last == "'" || last == "\"" {
            var at = end - 2
            while at >= 0 {
                if line[at] == last {
                    let escaped = at > 0 && line[at - 1] == (last == "'" ? "'" : "\\")
                    if !escaped { return at }
                    at -= 2
                } else {
                    at -= 1
                }
            }
            return nil
        }
        var start = 0
        for index in 0..<end {
            let character = line[index]
            if character == "{" || character == "[" || character == "," { start = index + 1 }
            if character == ":", index + 1 < end, line[index + 1] == " " { start = index + 2 }
        }
        while start < end {
            if line[start] == " " { start += 1; continue }
            if line[start] == "-" || line[start] == "?", start + 1 < end, line[start + 1] == " " { start += 2; continue }
            break
        }
        return start
    }
}
