import Foundation
import Manifests

/// An applied resource's spec: a value, or the canonical JSON text the store holds, read on first
/// use. A pass compares spec hashes; few specs are ever looked at, so a cold read of 10,000 rows
/// does not build 10,000 JSON trees. Shared by copies (and by reads that saw the same row).
public final class AppliedSpec: @unchecked Sendable {
    private let lock = NSLock()
    private var parsed: JSONValue?
    private let stored: (text: String, read: @Sendable (String) -> JSONValue)?

    public init(_ value: JSONValue) {
        parsed = value
        stored = nil
    }

    /// A spec made from `value` that also keeps `text`, its canonical JSON (what the store writes
    /// for it, and what a local file is spliced from, without writing the value out again).
    public init(_ value: JSONValue, text: String) {
        parsed = value
        stored = (text, { _ in value })
    }

    /// A spec kept as `text`, which the store vouches is canonical JSON (its hash matched), turned
    /// into a value by `read` when first asked for.
    public init(text: String, read: @escaping @Sendable (String) -> JSONValue) {
        stored = (text, read)
    }

    /// The spec.
    public var value: JSONValue {
        lock.lock()
        defer { lock.unlock() }
        if let parsed { return parsed }
        let value = stored!.read(stored!.text)
        parsed = value
        return value
    }

    /// The canonical JSON text the spec was read from, nil for a spec made from a value.
    public var text: String? { stored?.text }

    /// Whether the spec was turned into a value (made from one, or read since).
    public var isRead: Bool { lock.withLock { parsed != nil } }
}

extension AppliedSpec: Hashable, Codable {
    public static func == (lhs: AppliedSpec, rhs: AppliedSpec) -> Bool {
        if lhs === rhs { return true }
        if let left = lhs.text, let right = rhs.text, left == right { return true }
        return lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(value) }

    public convenience init(from decoder: any Decoder) throws {
        self.init(try JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
