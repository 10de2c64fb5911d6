/// Replaces every occurrence of known secret values with `***` before text leaves the process
/// (event log, errors, status).
public struct Redactor: Sendable, Hashable {
    /// The secrets as UTF-8, longest first so a secret containing another is replaced whole.
    private let needles: [[UInt8]]

    public init(secrets: [String]) {
        needles = Set(secrets.filter { !$0.isEmpty }).map { Array($0.utf8) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    /// The length in bytes of the longest secret: how much extra a tail must keep to redact whole.
    public var longestSecretBytes: Int { needles.first?.count ?? 0 }

    /// `text` with every secret replaced by `***`.
    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        return String(decoding: redact(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// `bytes` with every secret replaced by `***`. With `cutAtStart` (the bytes are the tail of a
    /// longer output), bytes near the start that could be the end of a secret cut off by the
    /// tail are dropped too, so no fragment of a secret survives.
    public func redact(bytes: [UInt8], cutAtStart: Bool = false) -> [UInt8] {
        guard !needles.isEmpty else { return bytes }
        let unsafePrefix = cutAtStart ? longestSecretBytes - 1 : 0
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        outer: while index < bytes.count {
            for needle in needles where matches(needle, in: bytes, at: index) {
                out.append(contentsOf: "***".utf8)
                index += needle.count
                continue outer
            }
            if index >= unsafePrefix { out.append(bytes[index]) }
            index += 1
        }
        return out
    }

    /// Whether `needle` occurs in `bytes` at `index`.
    private func matches(_ needle: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard bytes[index] == needle[0], index + needle.count <= bytes.count else { return false }
        return bytes[index..<(index + needle.count)].elementsEqual(needle)
    }
}
