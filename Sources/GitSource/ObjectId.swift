import CLibgit2

/// Conversions between `git_oid` and hex strings.
enum ObjectId {
    /// The full 40-hex form of an oid, formatted with `git_oid_tostr` into a 41-byte buffer.
    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        return buffer.withUnsafeMutableBufferPointer { chars in
            guard let text = git_oid_tostr(chars.baseAddress, chars.count, oid) else { return "" }
            return String(cString: text)
        }
    }

    /// The full 40-hex form of an oid held by value.
    static func hex(_ oid: git_oid) -> String {
        withUnsafePointer(to: oid) { hex($0) }
    }

    /// Parses 4 to 40 hex digits into an oid prefix; returns the oid and how many digits it holds.
    ///
    /// Throws `.notFound` naming `what` when the text is not hex of a plausible length.
    static func parse(_ text: String, what: String) throws(GitError) -> (oid: git_oid, length: Int) {
        let isHex = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
        guard isHex, (4...40).contains(text.utf8.count) else {
            throw GitError(.notFound, "\(what) '\(text)' not found: not a hexadecimal object id")
        }
        var oid = git_oid()
        let length = text.utf8.count
        try LibGit2.call("\(what) '\(text)' is not a valid object id", code: .notFound) {
            git_oid_fromstrn(&oid, text, length)
        }
        return (oid, length)
    }
}
