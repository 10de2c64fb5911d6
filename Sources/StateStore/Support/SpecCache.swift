import Manifests
import Reconcile

/// The `spec` columns of the last full read of the resources, by spec hash: a row whose spec is
/// unchanged since then reuses its `AppliedSpec` (read or not), and every read shares one copy of
/// it in memory. Holds only what the last read saw.
///
/// A spec whose hash is the SHA-256 of its exact text (what every writer stores: `spec_hash` is
/// the hash of the canonical JSON in `spec`) is kept as text and parsed only when a pass looks at
/// it; a later row with that hash and text length has that text. Any other spec (a row without a
/// hash, or a damaged one) is parsed as it is read, so damage is reported by the read.
final class SpecCache: Sendable {
    private struct Entry: Sendable {
        var length: Int
        var spec: AppliedSpec
    }

    private let entries = LockedBox<[String: Entry]>([:])

    /// One row's spec column: its hash, its text and the resource it belongs to (for errors).
    struct Column: Sendable {
        var hash: String
        var text: String
        var key: ResourceKey
    }

    /// The specs of `columns`, in order: unchanged ones from the cache, the others checked (on
    /// every core when there are many, as on a cold start). Afterwards the cache holds exactly the
    /// specs this read returned; a failed read leaves it as it was.
    func specs(_ columns: [Column]) throws -> [AppliedSpec] {
        let previous = entries.withLock { $0 }
        var current: [String: Entry] = [:]
        current.reserveCapacity(previous.count)
        var specs = [AppliedSpec?](repeating: nil, count: columns.count)
        var missing: [Int] = []
        for (index, column) in columns.enumerated() {
            if !column.hash.isEmpty, let known = current[column.hash] ?? previous[column.hash], known.length == column.text.utf8.count {
                current[column.hash] = known
                specs[index] = known.spec
            } else {
                missing.append(index)
            }
        }
        let made = try ConcurrentMap.map(missing) { index throws(StoreError) -> (AppliedSpec, keep: Bool) in
            let column = columns[index]
            if !column.hash.isEmpty, ContentHash.sha256Hex(column.text) == column.hash {
                return (AppliedSpec(text: column.text, read: Self.read), true)
            }
            return (AppliedSpec(try JSONParser.parse(column.text, what: "spec of \(column.key)")), false)
        }
        for (index, (spec, keep)) in zip(missing, made) {
            specs[index] = spec
            if keep { current[columns[index].hash] = Entry(length: columns[index].text.utf8.count, spec: spec) }
        }
        entries.withLock { $0 = current }
        return specs.map { $0! }
    }

    /// Reads a spec whose text matched its hash: text a writer made from a value, so it parses.
    @Sendable private static func read(_ text: String) -> JSONValue {
        (try? JSONParser.parse(text, what: "spec")) ?? .null
    }

    /// Keeps a spec just written as `text` (its canonical JSON) under `hash`, as a later read of
    /// the row gives it: the text, read into a value when first asked for. (A spec made from a value
    /// is not shared: its text may read back in another shape, 1.0 as 1.) Later reads then share
    /// it instead of keeping their own, and a local probe splices the file's bytes from its text.
    func remember(hash: String, text: String, spec: AppliedSpec) {
        guard !hash.isEmpty, ContentHash.sha256Hex(text) == hash else { return }
        let kept = spec.text == text && !spec.isRead ? spec : AppliedSpec(text: text, read: Self.read)
        let entry = Entry(length: text.utf8.count, spec: kept)
        entries.withLock { $0[hash] = entry }
    }
}
