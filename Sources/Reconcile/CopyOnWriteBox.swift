/// Copy-on-write storage for a record's fields: copying the record (into dictionaries, diffs,
/// plans) is one reference count instead of one per field; a write copies the fields only when
/// the box is shared, as `Array` does.
final class CopyOnWriteBox<Fields: Sendable>: @unchecked Sendable {
    var fields: Fields

    init(_ fields: Fields) { self.fields = fields }
}
