/// Numbers as ECMAScript prints them (RFC 8785 §3.2.2.3).
extension CanonicalWriter {
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
