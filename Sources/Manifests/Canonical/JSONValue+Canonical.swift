/// RFC 8785 (JSON Canonicalization Scheme) serialization of `JSONValue`.
extension JSONValue {
    /// The RFC 8785 canonical JSON text of this value.
    public var canonicalJSON: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    /// The RFC 8785 canonical JSON of this value as UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        CanonicalWriter.write(self, into: &out)
        return out
    }
}

extension JSONValue {
    /// The RFC 8785 canonical JSON of an object whose members come already in canonical key order
    /// (the caller's fixed keys): written without building and sorting a dictionary, for records
    /// written many times a second (event log records).
    public static func canonicalObject(_ members: [(key: String, value: JSONValue)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(UInt8(ascii: "{"))
        var previous: String?
        for (index, member) in members.enumerated() {
            assert(previous.map { CanonicalWriter.keyPrecedes($0, member.key) } ?? true, "canonicalObject: \(member.key) is out of order")
            previous = member.key
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalWriter.writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalWriter.write(member.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Whether the key `a` comes before `b` in canonical JSON (RFC 8785: by UTF-16 code units).
    public static func canonicalKeyPrecedes(_ a: String, _ b: String) -> Bool { CanonicalWriter.keyPrecedes(a, b) }
}

/// Appends RFC 8785 canonical JSON to a byte buffer.
enum CanonicalWriter {
    /// Writes `value` (NaN and infinities as `null`).
    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .int(let number): writeInt(number, into: &out)
        case .double(let number): writeDouble(number, into: &out)
        case .string(let text): writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Members sorted by key, with their values: no key is hashed again to look its value up.
            for (index, member) in members.sorted(by: { keyPrecedes($0.key, $1.key) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a` sorts before `b` by UTF-16 code units (RFC 8785 §3.2.3), compared on UTF-8.
    /// UTF-8 byte order is code point order; UTF-16 only moves U+E000–U+FFFF (lead bytes
    /// 0xEE, 0xEF) after the supplementary planes (lead bytes 0xF0–0xF4).
    static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                let count = min(x.count, y.count)
                var index = 0
                while index < count {
                    let p = x[index], q = y[index]
                    if p != q { return rank(p) < rank(q) }
                    index += 1
                }
                return x.count < y.count
            }
        }
        if let fast, let fast { return fast }
        return a.utf8.lexicographicallyPrecedes(b.utf8) { rank($0) < rank($1) }
    }

    /// The byte's weight for UTF-16 ordering: 0xEE/0xEF move above 0xF4.
    @inline(__always)
    static func rank(_ byte: UInt8) -> UInt8 {
        byte == 0xEE || byte == 0xEF ? byte &+ 7 : byte
    }

    /// Writes a quoted string with the ECMAScript `JSON.stringify` escapes.
    static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                if byte >= 0x20 && byte != 0x22 && byte != 0x5C { continue }
                if start < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index])) }
                writeEscape(byte, into: &out)
                start = index + 1
            }
            if start < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes the escape sequence of a quote, backslash or control character.
    static func writeEscape(_ byte: UInt8, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: out.append(UInt8(ascii: "\""))
        case 0x5C: out.append(UInt8(ascii: "\\"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: "u00".utf8)
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0F))
        }
    }

    /// The lowercase hex digit for a nibble.
    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble
    }
}
