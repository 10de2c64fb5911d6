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
            var first = true
            for member in members.sorted(by: { keyPrecedes($0.key, $1.key) }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
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
        a.utf8.lexicographicallyPrecedes(b.utf8) { rank($0) < rank($1) }
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

    /// Writes an integer in plain decimal.
    static func writeInt(_ number: Int, into out: inout [UInt8]) {
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var rest = number.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = 20
            repeat {
                index -= 1
                digits[index] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    /// Writes a double as ECMAScript `Number.prototype.toString` does.
    static func writeDouble(_ number: Double, into out: inout [UInt8]) {
        guard number.isFinite else { out.append(contentsOf: "null".utf8); return }
        if number == 0 { out.append(UInt8(ascii: "0")); return }
        // Below 2^53 every integer is a double and its own shortest representation.
        if number.magnitude < 9_007_199_254_740_992, number.rounded(.towardZero) == number {
            writeInt(Int(number), into: &out)
            return
        }
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var text = number.magnitude.description
        text.withUTF8 { utf8 in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { digits in
                let (count, exponent) = parseShortest(utf8, into: digits)
                writeECMAScript(UnsafeBufferPointer(rebasing: digits[..<count]), exponent, into: &out)
            }
        }
    }

    /// Reads Swift's shortest round-trip text ("1.5e-07", "0.001", "1e+16") into significant
    /// digits and returns their count and `n` with value = 0.d₁d₂… × 10ⁿ.
    static func parseShortest(
        _ utf8: UnsafeBufferPointer<UInt8>, into digits: UnsafeMutableBufferPointer<UInt8>
    ) -> (count: Int, exponent: Int) {
        var count = 0, intDigits = 0, index = 0, seenPoint = false
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte >= 0x30 && byte <= 0x39 {
                if count == 0 && byte == 0x30 {
                    if seenPoint { intDigits -= 1 }  // 0.00ddd: each zero lowers the exponent
                } else if count < digits.count {
                    digits[count] = byte
                    count += 1
                    if !seenPoint { intDigits += 1 }
                }
            } else {
                break
            }
            index += 1
        }
        var exponent = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") {
            index += 1
            var negative = false
            if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
                negative = utf8[index] == UInt8(ascii: "-")
                index += 1
            }
            while index < utf8.count { exponent = exponent * 10 + Int(utf8[index] &- 0x30); index += 1 }
            if negative { exponent = -exponent }
        }
        while count > 1 && digits[count - 1] == 0x30 { count -= 1 }
        return (count, intDigits + exponent)
    }

    /// Formats digits d₁…dₖ with value 0.d₁…dₖ × 10ⁿ per ECMAScript Number::toString.
    static func writeECMAScript(_ digits: UnsafeBufferPointer<UInt8>, _ n: Int, into out: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<n]))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[n...]))
        } else if -6 < n && n <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: digits)
        } else {
            out.append(digits[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[1...]))
            }
            out.append(UInt8(ascii: "e"))
            out.append(n - 1 < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            writeInt(abs(n - 1), into: &out)
        }
    }
}
