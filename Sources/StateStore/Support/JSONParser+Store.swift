import Manifests

extension JSONParser {
    /// Parses one stored JSON document; throws `StoreError(.corrupt)` naming `what` when it is not JSON.
    static func parse(_ text: String, what: @autoclosure () -> String) throws(StoreError) -> JSONValue {
        let parsed = parse(text)
        guard let value = parsed.value else {
            throw StoreError(.corrupt, "stored \(what()) is not valid JSON (at byte \(parsed.index))")
        }
        return value
    }
}
