import Manifests
import Reconcile

/// Parsed `spec` columns from the last full read of the resources, by spec hash: a row whose spec
/// is unchanged since then reuses the parsed value instead of parsing ~1 KB of JSON again, and
/// every read shares one copy of it in memory. Holds only what the last read saw.
///
/// A spec is kept only when its hash is the SHA-256 of its exact text (what every writer stores:
/// `spec_hash` is the hash of the canonical JSON in `spec`), so a later row with that hash and
/// text length has that text; rows without a hash (blocked or failed records) are always parsed.
final class SpecCache: Sendable {
    private struct Entry: Sendable {
        var length: Int
        var spec: JSONValue
    }

    private let entries = LockedBox<[String: Entry]>([:])

    /// Maps rows with `body`, which looks specs up by (hash, text, key); afterwards the cache holds
    /// exactly the specs this read returned (a failed read leaves it as it was).
    func reading<T>(_ body: (_ spec: (String, String, ResourceKey) throws -> JSONValue) throws -> T) rethrows -> T {
        let previous = entries.withLock { $0 }
        var current: [String: Entry] = [:]
        current.reserveCapacity(previous.count)
        let result = try body { hash, text, key in
            if !hash.isEmpty, let known = current[hash] ?? previous[hash], known.length == text.utf8.count {
                current[hash] = known
                return known.spec
            }
            let parsed = try JSONParser.parse(text, what: "spec of \(key)")
            if !hash.isEmpty, ContentHash.sha256Hex(text) == hash {
                current[hash] = Entry(length: text.utf8.count, spec: parsed)
            }
            return parsed
        }
        entries.withLock { $0 = current }
        return result
    }

    /// Keeps a spec just written with `text` (its canonical JSON), when reading that text back
    /// gives an equal value of the same shape: no integral or non-finite doubles, which would read
    /// back as integers or null. Later reads then share this value instead of parsing their own.
    func remember(hash: String, text: String, spec: JSONValue) {
        guard !hash.isEmpty, Self.readsBackTheSame(spec), ContentHash.sha256Hex(text) == hash else { return }
        let entry = Entry(length: text.utf8.count, spec: spec)
        entries.withLock { $0[hash] = entry }
    }

    /// Whether parsing the canonical JSON of `value` gives `value` again, structure included.
    static func readsBackTheSame(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .int, .string: return true
        case .double(let number): return number.isFinite && number.rounded(.towardZero) != number
        case .array(let items): return items.allSatisfy(readsBackTheSame)
        case .object(let members): return members.values.allSatisfy(readsBackTheSame)
        }
    }
}
