/// Resource name syntax: a DNS label, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
public enum NameRules {
    public static let maxLength = 63

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard alnum(bytes[0]), alnum(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// The message for an invalid name, or nil when it is valid.
    public static func problem(_ name: String) -> String? {
        guard !isValid(name) else { return nil }
        if name.isEmpty { return "name must not be empty" }
        if name.utf8.count > maxLength { return "name '\(name.prefix(70))…' is longer than \(maxLength) characters" }
        return "invalid name '\(name)': use lowercase letters, digits and '-', starting and ending with a letter or digit"
    }
}
