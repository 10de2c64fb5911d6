/// Stable, human-readable JSON: two-space indent, keys sorted, one trailing newline.
extension JSONValue {
    /// The same text on every platform (it does not depend on Foundation's `JSONEncoder`), so
    /// generated files can be compared byte for byte.
    public var prettyJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        Self.writePretty(self, indent: 0, into: &out)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func writePretty(_ value: JSONValue, indent: Int, into out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch value {
        case .array(let elements) where !elements.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writePretty(element, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.sorted(by: { CanonicalWriter.keyPrecedes($0.key, $1.key) }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                CanonicalWriter.writeString(member.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                writePretty(member.value, indent: indent + 1, into: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        default:
            CanonicalWriter.write(value, into: &out)
        }
    }
}
