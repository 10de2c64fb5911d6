import Manifests

/// Adds one member to an object kept as canonical JSON text (RFC 8785: no whitespace, members in
/// UTF-16 order) without parsing it into a value: when every member's key sorts before the new one,
/// the new member goes last, so the result is the text up to its closing brace, the member, and the
/// brace — the bytes `canonicalBytes` gives for the object with the member added. A probe of 10,000
/// local files builds each file's expected bytes this way (turning each stored spec into a value and
/// writing it out again cost about a third of the probe, and kept the values in memory).
/// Written by hand: no JSON library offers an edit of canonical text.
enum CanonicalSplice {
    /// `text` with `key: value` appended, or nil when that would not be canonical (not an object,
    /// a key that does not sort before `key`, a key with an escape) — then parse and write instead.
    static func appendingLast(to text: String, key: String, value: JSONValue) -> [UInt8]? {
        var bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}"),
              allKeys(of: bytes, precede: key) else { return nil }
        bytes.removeLast()
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes += JSONValue.string(key).canonicalBytes
        bytes.append(UInt8(ascii: ":"))
        bytes += value.canonicalBytes
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// Whether every top-level key of the object `bytes` sorts before `key` (UTF-16 order); false
    /// for a key written with an escape or text that is not a well-formed object.
    static func allKeys(of bytes: [UInt8], precede key: String) -> Bool {
        var depth = 0, index = 0
        var expectKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                // A string: a key when it opens a member of the top-level object.
                let start = index + 1
                var end = start, escaped = false
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") { escaped = true; end += 1 }
                    end += 1
                }
                guard end < bytes.count else { return false }
                if depth == 1, expectKey {
                    guard !escaped, let name = String(validating: bytes[start..<end], as: UTF8.self),
                          JSONValue.canonicalKeyPrecedes(name, key) else { return false }
                    expectKey = false
                }
                index = end + 1
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                guard depth >= 0 else { return false }
            case UInt8(ascii: ","):
                if depth == 1 { expectKey = true }
            default:
                break
            }
            index += 1
        }
        return depth == 0
    }
}
