/// The bytes YAML's syntax turns on, for the scanners that read UTF-8 directly.
enum YAMLByte {
    static let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    static let dot = UInt8(ascii: "."), percent = UInt8(ascii: "%"), question = UInt8(ascii: "?")
    static let colon = UInt8(ascii: ":"), comma = UInt8(ascii: ","), star = UInt8(ascii: "*")
    static let amp = UInt8(ascii: "&"), bang = UInt8(ascii: "!"), pipe = UInt8(ascii: "|")
    static let greater = UInt8(ascii: ">"), dquote = UInt8(ascii: "\""), squote = UInt8(ascii: "'")
    static let at = UInt8(ascii: "@"), backtick = UInt8(ascii: "`"), backslash = UInt8(ascii: "\\")
    static let lbracket = UInt8(ascii: "["), rbracket = UInt8(ascii: "]")
    static let lbrace = UInt8(ascii: "{"), rbrace = UInt8(ascii: "}")

    static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }
    static func isBreak(_ c: UInt8) -> Bool { c == newline || c == cr }
    static func isAnchorChar(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == dash || c == 0x5F
    }
    static func isFlowIndicator(_ c: UInt8) -> Bool {
        c == comma || c == lbracket || c == rbracket || c == lbrace || c == rbrace
    }
}
