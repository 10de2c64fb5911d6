/// The forms a secret takes in output: as is, and as a JSON string's contents.
extension Redactor {
    /// `secret` and its JSON-escaped forms as common encoders write them: RFC 8785 / Swift
    /// (`"`, `\` and control characters escaped), Foundation's default (also `\/`), Python's
    /// `ensure_ascii` (non-ASCII as `\uXXXX`, surrogate pairs above U+FFFF) and Go's HTML-safe
    /// escapes (`<`, `>`, `&`, U+2028, U+2029 as `\u003c` …), each in every combination.
    /// Hex digits are lower case, as all of those write them.
    static func forms(of secret: String) -> [String] {
        var forms: Set<String> = [secret]
        for slash in [false, true] {
            for ascii in [false, true] {
                for html in [false, true] {
                    forms.insert(jsonEscaped(secret, slash: slash, ascii: ascii, html: html))
                }
            }
        }
        return Array(forms)
    }

    /// What Go's `encoding/json` escapes by default, besides what every encoder does.
    private static let htmlEscaped: Set<Unicode.Scalar> = ["<", ">", "&", "\u{2028}", "\u{2029}"]

    static func jsonEscaped(_ text: String, slash: Bool, ascii: Bool, html: Bool) -> String {
        func unicode(_ value: UInt32) -> String {
            let hex = String(value, radix: 16)
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where slash: out += "\\/"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where html && Self.htmlEscaped.contains(scalar): out += unicode(scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += unicode(scalar.value)
                } else if ascii, scalar.value > 0x7F {
                    if scalar.value > 0xFFFF {
                        let value = scalar.value - 0x10000
                        out += unicode(0xD800 + (value >> 10)) + unicode(0xDC00 + (value & 0x3FF))
                    } else {
                        out += unicode(scalar.value)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
