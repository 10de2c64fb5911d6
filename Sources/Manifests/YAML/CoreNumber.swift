/// YAML 1.2 core numbers, kept to what JSON and the spec hash carry exactly: integers within
/// ±2^53 (every JSON reader, JavaScript's among them, reads those as written) and decimals that
/// are exactly the shortest form of the 64-bit double they read as.
enum CoreNumber {
    /// 2^53: the largest magnitude below which every integer is a double.
    static let maxSafeInteger = 9_007_199_254_740_992

    /// A number the core schema reads but JSON cannot carry exactly; the message says why.
    struct Inexact: Error, Equatable {
        var message: String
    }

    // MARK: Integers

    /// The integer `text` names when it is a core integer (decimal, `0o` octal, `0x` hex, with an
    /// optional sign); nil when it is not one; `Inexact` when its magnitude is beyond 2^53.
    static func integer(_ text: String) throws(Inexact) -> Int? {
        guard let (negative, digits, radix) = integerParts(text) else { return nil }
        guard let magnitude = Int(digits, radix: radix), magnitude <= maxSafeInteger else {
            throw Inexact(message: "integer \(NodeDecoder.truncated(text)) is outside ±2^53 (\(maxSafeInteger)), which JSON cannot carry exactly")
        }
        return negative ? -magnitude : magnitude
    }

    /// Whether YAML 1.2 core reads `text` (plain) as a number, whatever its size.
    static func isNumber(_ text: String) -> Bool { integerParts(text) != nil || isFloat(text) }

    /// The sign, digits and radix of a core integer's text.
    private static func integerParts(_ text: String) -> (negative: Bool, digits: Substring, radix: Int)? {
        var digits = Substring(text)
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        if digits.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ isDigit($0, radix: radix) }) else { return nil }
        return (negative, digits, radix)
    }

    private static func isDigit(_ byte: UInt8, radix: Int) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "7"): return true
        case UInt8(ascii: "8"), UInt8(ascii: "9"): return radix >= 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return radix == 16
        default: return false
        }
    }

    // MARK: Floats

    /// Whether `text` has the core schema's float form `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    /// (`.inf` and `.nan` are left out: JSON has no such numbers).
    static func isFloat(_ text: String) -> Bool { parse(Substring(text)) != nil }

    /// The double `text` names when it has the core float form; nil when it does not; `Inexact`
    /// when the double is not exactly the decimal written (beyond its range, or more digits than it holds).
    static func float(_ text: String) throws(Inexact) -> Double? {
        guard let written = parse(Substring(text)) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw Inexact(message: "number \(NodeDecoder.truncated(text)) is beyond the range of a 64-bit double, which JSON cannot carry")
        }
        guard parse(Substring(value.description)) == written else {
            throw Inexact(message: "number \(NodeDecoder.truncated(text)) cannot be carried exactly by JSON: it reads as \(shortest(value)) (a 64-bit double); write that, or quote the text")
        }
        return value
    }

    /// How a double reads back, as people write it (`2`, `0.1`, `1e+30`).
    static func shortest(_ value: Double) -> String {
        var out: [UInt8] = []
        CanonicalWriter.writeDouble(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A decimal as sign, significant digits (no leading or trailing zeros) and exponent, so that
    /// the value is 0.d₁d₂… × 10^exponent; zero is `(false, [], 0)` whatever its sign.
    struct Decimal: Equatable {
        var negative: Bool
        var digits: [UInt8]
        var exponent: Int
    }

    /// The decimal `text` writes, when it has the core float form (or Swift's `description` of a
    /// finite double, which has it too, with `e+`/`e-` exponents).
    static func parse(_ text: Substring) -> Decimal? {
        let utf8 = Array(text.utf8)
        var index = 0
        var negative = false
        if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
            negative = utf8[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits: [UInt8] = []
        var pointShift = 0, sawDigit = false, sawPoint = false
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                sawDigit = true
                if digits.isEmpty, byte == UInt8(ascii: "0") {
                    if sawPoint { pointShift -= 1 }   // 0.00d: each zero after the point lowers the exponent
                } else {
                    digits.append(byte)
                    if !sawPoint { pointShift += 1 }
                }
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < utf8.count, utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E") {
            index += 1
            var negativeExponent = false
            if index < utf8.count, utf8[index] == UInt8(ascii: "-") || utf8[index] == UInt8(ascii: "+") {
                negativeExponent = utf8[index] == UInt8(ascii: "-")
                index += 1
            }
            let start = index
            while index < utf8.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(utf8[index]) {
                // Beyond any double's range either way; saturate instead of overflowing.
                exponent = min(exponent * 10 + Int(utf8[index] - UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            guard index > start else { return nil }
            if negativeExponent { exponent = -exponent }
        }
        guard index == utf8.count else { return nil }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { return Decimal(negative: false, digits: [], exponent: 0) }
        return Decimal(negative: negative, digits: digits, exponent: pointShift + exponent)
    }
}
