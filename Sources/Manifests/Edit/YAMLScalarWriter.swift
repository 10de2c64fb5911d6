import Yams

/// Writes a string as a YAML scalar that every YAML reader (1.1 or 1.2) reads back as that string.
enum YAMLScalarWriter {
    /// `value` in the style of the scalar it replaces: plain when that is safe, else quoted.
    static func render(_ value: String, like style: Node.Scalar.Style) -> String {
        switch style {
        case .singleQuoted where value.unicodeScalars.allSatisfy(isPrintable): return singleQuoted(value)
        case .singleQuoted, .doubleQuoted: return doubleQuoted(value)
        case .plain, .any, .literal, .folded: return isSafePlain(value) ? value : doubleQuoted(value)
        }
    }

    /// Whether `value` can be written without quotes and still read as this string.
    ///
    /// Accepts version-like text (`1.3.0`, `2.0.0-rc.1`, `1.0.0+build.5`): letters, digits and
    /// `._+-`, starting with a letter or digit, that no schema reads as a number, boolean or null.
    static func isSafePlain(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, isAlphanumeric(first) else { return false }
        guard value.unicodeScalars.allSatisfy({ isAlphanumeric($0) || "._+-".unicodeScalars.contains($0) }) else { return false }
        let words: Set<String> = ["null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf"]
        if words.contains(value.lowercased()) { return false }
        let digitsOnly = value.replacingUnderscores()
        if CoreNumber.isNumber(digitsOnly) { return false }
        if value.lowercased().hasPrefix("0b") { return false }
        return true
    }

    /// `value` in double quotes, with `\`, `"` and control characters escaped.
    static func doubleQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                }
            }
        }
        return out + "\""
    }

    /// `value` in single quotes, `'` doubled; only for printable text.
    static func singleQuoted(_ value: String) -> String {
        "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Printable on one line: no C0/C1 controls, DEL, line or paragraph separators, or BOM.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF: return false
        default: return true
        }
    }
}

extension String {
    /// This text without `_` (YAML 1.1 allows them inside numbers).
    fileprivate func replacingUnderscores() -> String {
        String(unicodeScalars.filter { $0 != "_" }.map(Character.init))
    }
}
