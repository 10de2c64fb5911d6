/// Copy-on-write storage for a record's fields: copying the record (into dictionaries, diffs,
/// plans) is one reference count instead of one per field; a write copies the fields only when
/// they are shared, as `Array` does.
@propertyWrapper
struct CopyOnWrite<Value: Sendable>: Sendable {
    private final class Box: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(wrappedValue: Value) { box = Box(wrappedValue) }

    var wrappedValue: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    /// Whether both hold one shared copy (their values are then equal).
    func shares(with other: Self) -> Bool { box === other.box }
}
