/// Replaces every occurrence of known secret values with `[redacted]` before text leaves the
/// process (event log, errors, status, logs).
///
/// Caught, for every secret:
/// - the value itself, and its JSON string forms as common encoders write them (`Redactor.forms`:
///   quotes, backslashes and control characters escaped; optionally `\/`, non-ASCII as `\uXXXX`,
///   and Go's `\u003c`-style escapes of `<`, `>`, `&`);
/// - any of those with line breaks inserted anywhere between its bytes — LF, CR, CRLF, and the
///   JSON escapes `\n` / `\r` — as a script prints it when it wraps a value (`fold`, `base64 -w`),
///   echoes it in two parts, or puts a newline into a JSON string; the whole span becomes one
///   `[redacted]`;
/// - with `cutAtStart` (the bytes are the tail of a longer output), the end of a secret whose
///   beginning was cut off by the tail, split across lines or not: bytes at the start that could
///   belong to one are dropped.
///
/// Not caught: a fragment printed on its own (half a token, the last four characters), a value
/// transformed (base64, hex, URL-encoded, upper-cased, reversed), split by anything but line
/// breaks (spaces, indentation or a prefix on each line), spread over stdout and stderr, or escaped
/// with upper-case hex digits. A secret of a character or two is redacted wherever it occurs.
public struct Redactor: Sendable, Hashable {
    /// What a secret is replaced with.
    public static let marker = "[redacted]"

    /// Every form of every secret as UTF-8, longest first so a secret containing another is replaced whole.
    private let needles: [[UInt8]]
    /// The same with line breaks taken out (`Redactor.folded`), longest first, none empty.
    private let foldedNeedles: [[UInt8]]

    public init(secrets: [String]) {
        let forms = Set(secrets.filter { !$0.isEmpty }.flatMap(Self.forms))
        needles = Self.longestFirst(forms.map { Array($0.utf8) })
        foldedNeedles = Self.longestFirst(Set(needles.map { Self.folded($0[...]).bytes }).filter { !$0.isEmpty })
    }

    private static func longestFirst(_ needles: some Collection<[UInt8]>) -> [[UInt8]] {
        needles.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
    }

    /// Whether there is anything to redact.
    public var isEmpty: Bool { needles.isEmpty }

    /// The length in bytes of the longest secret form: how much extra a tail must keep to redact whole.
    public var longestSecretBytes: Int { needles.first?.count ?? 0 }

    /// `text` with every secret replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        guard !needles.isEmpty else { return text }
        return String(decoding: redact(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// `bytes` with every secret replaced by `[redacted]`. With `cutAtStart` (the bytes are the
    /// tail of a longer output), bytes near the start that could be the end of a secret cut off by
    /// the tail are dropped too, so no fragment of a secret survives.
    public func redact(bytes: [UInt8], cutAtStart: Bool = false) -> [UInt8] {
        guard !needles.isEmpty else { return bytes }
        let exact = Self.spans(of: needles, in: bytes, within: 0..<bytes.count)
        var spans = exact
        var gapStart = 0
        for span in exact + [bytes.count..<bytes.count] {
            spans += foldedSpans(in: bytes, within: gapStart..<span.lowerBound)
            gapStart = span.upperBound
        }
        spans.sort { $0.lowerBound < $1.lowerBound }
        let unsafePrefix = cutAtStart ? Self.prefix(of: bytes, holding: foldedNeedles.first?.count ?? 0) : 0
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var next = spans.makeIterator()
        var span = next.next()
        while index < bytes.count {
            if let current = span, current.lowerBound == index {
                out.append(contentsOf: Self.marker.utf8)
                index = current.upperBound
                span = next.next()
                continue
            }
            if index >= unsafePrefix { out.append(bytes[index]) }
            index += 1
        }
        return out
    }

    /// Where `needles` occur in `bytes[range]`, left to right, the longest at each place.
    private static func spans(of needles: [[UInt8]], in bytes: [UInt8], within range: Range<Int>) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = range.lowerBound
        outer: while index < range.upperBound {
            for needle in needles where matches(needle, in: bytes, at: index, end: range.upperBound) {
                spans.append(index..<(index + needle.count))
                index += needle.count
                continue outer
            }
            index += 1
        }
        return spans
    }

    /// Where secrets occur in `bytes[range]` once line breaks are taken out of both, as ranges of `bytes`.
    private func foldedSpans(in bytes: [UInt8], within range: Range<Int>) -> [Range<Int>] {
        guard !range.isEmpty else { return [] }
        let folded = Self.folded(bytes[range])
        return Self.spans(of: foldedNeedles, in: folded.bytes, within: 0..<folded.bytes.count).map {
            folded.origins[$0.lowerBound]..<(folded.origins[$0.upperBound - 1] + 1)
        }
    }

    /// Whether `needle` occurs in `bytes` at `index`, before `end`.
    private static func matches(_ needle: [UInt8], in bytes: [UInt8], at index: Int, end: Int) -> Bool {
        guard bytes[index] == needle[0], index + needle.count <= end else { return false }
        return bytes[index..<(index + needle.count)].elementsEqual(needle)
    }

    /// `bytes` without line breaks (LF, CR, and the two-character escapes `\n`, `\r`), with the
    /// index in `bytes` of each byte kept.
    static func folded(_ bytes: ArraySlice<UInt8>) -> (bytes: [UInt8], origins: [Int]) {
        var out: [UInt8] = []
        var origins: [Int] = []
        out.reserveCapacity(bytes.count)
        origins.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let width = breakWidth(bytes, at: index)
            if width > 0 {
                index += width
                continue
            }
            out.append(bytes[index])
            origins.append(index)
            index += 1
        }
        return (out, origins)
    }

    /// 1 for LF or CR, 2 for a `\n` or `\r` escape, else 0.
    private static func breakWidth(_ bytes: ArraySlice<UInt8>, at index: Int) -> Int {
        switch bytes[index] {
        case 0x0A, 0x0D: return 1
        case 0x5C where index + 1 < bytes.endIndex && (bytes[index + 1] == 0x6E || bytes[index + 1] == 0x72): return 2
        default: return 0
        }
    }

    /// How many bytes at the start of `bytes` hold `count` bytes that are not line breaks: the part
    /// of a cut tail that could be the end of a secret (at most `count` bytes of it, however split).
    private static func prefix(of bytes: [UInt8], holding count: Int) -> Int {
        var seen = 0
        var index = 0
        let all = bytes[...]
        while index < bytes.count, seen < count {
            let width = breakWidth(all, at: index)
            if width == 0 { seen += 1 }
            index += max(width, 1)
        }
        return index
    }
}
