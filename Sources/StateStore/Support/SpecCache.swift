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

    /// One row's spec column: its hash, its text and the resource it belongs to (for errors).
    struct Column: Sendable {
        var hash: String
        var text: String
        var key: ResourceKey
    }

    /// The specs of `columns`, in order: unchanged ones from the cache, the others parsed (on every
    /// core when there are many, as on a cold start). Afterwards the cache holds exactly the specs
    /// this read returned; a failed read leaves it as it was.
    func specs(_ columns: [Column]) throws -> [JSONValue] {
        let previous = entries.withLock { $0 }
        var current: [String: Entry] = [:]
        current.reserveCapacity(previous.count)
        var specs = [JSONValue?](repeating: nil, count: columns.count)
        var missing: [Int] = []
        for (index, column) in columns.enumerated() {
            if !column.hash.isEmpty, let known = current[column.hash] ?? previous[column.hash], known.length == column.text.utf8.count {
                current[column.hash] = known
                specs[index] = known.spec
            } else {
                missing.append(index)
            }
        }
        let parsed = try ConcurrentMap.map(missing) { index throws(StoreError) -> (JSONValue, keep: Bool) in
            let column = columns[index]
            let spec = try JSONParser.parse(column.text, what: "spec of \(column.key)")
            return (spec, !column.hash.isEmpty && ContentHash.sha256Hex(column.text) == column.hash)
        }
        for (index, (spec, keep)) in zip(missing, parsed) {
            specs[index] = spec
            if keep { current[columns[index].hash] = Entry(length: columns[index].text.utf8.count, spec: spec) }
        }
        entries.withLock { $0 = current }
        return specs.map { $0! }
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
