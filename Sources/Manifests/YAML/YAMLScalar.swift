/// One scalar as written: its text, whether it was plain (unquoted), and the core tag written on
/// it. Both decoders read scalars through it, so the YAML 1.2 core schema is applied once: an
/// untagged plain scalar resolves by its text, a tag decides the type and its text must fit it.
struct YAMLScalar {
    let text: String
    let plain: Bool
    let tag: CoreTag?

    /// The value of a scalar under the core schema.
    enum Value: Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
    }

    /// Why a scalar is not what the model asked for.
    enum Mismatch: Error, Equatable {
        /// Another type: `expected` names the one asked for ("a boolean (true or false)").
        case type(expected: String)
        /// Text that does not fit the tag written on it (`!!int abc`), or a collection tag on a scalar.
        case tag(CoreTag)
        /// A number JSON cannot carry exactly.
        case inexact(CoreNumber.Inexact)
    }

    /// Resolved from its text alone: plain, with no tag.
    var isImplicit: Bool { plain && tag == nil }

    /// `~`, `null`, empty (plain, untagged), or tagged `!!null` with such text.
    var isNull: Bool {
        (tag == nil ? plain : tag == .null) && NodeDecoder.isNullText(text)
    }

    /// The scalar's value: a tag its text does not fit, or a number JSON cannot carry, throws.
    func value() throws(Mismatch) -> Value {
        switch tag {
        case nil:
            guard plain else { return .string(text) }
            if NodeDecoder.isNullText(text) { return .null }
            if let flag = NodeDecoder.coreBool(text) { return .bool(flag) }
            if let number = try Self.integer(text) { return .int(number) }
            if let number = try Self.float(text) { return .float(number) }
            return .string(text)
        case .str?:
            return .string(text)
        case .null?:
            guard NodeDecoder.isNullText(text) else { throw .tag(.null) }
            return .null
        case .bool?:
            guard let flag = NodeDecoder.coreBool(text) else { throw .tag(.bool) }
            return .bool(flag)
        case .int?:
            guard let number = try Self.integer(text) else { throw .tag(.int) }
            return .int(number)
        case .float?:
            guard let number = try Self.float(text) else { throw .tag(.float) }
            return .float(number)
        case let collection?:
            throw .tag(collection)
        }
    }

    private static func integer(_ text: String) throws(Mismatch) -> Int? {
        do { return try CoreNumber.integer(text) } catch { throw .inexact(error) }
    }

    private static func float(_ text: String) throws(Mismatch) -> Double? {
        do { return try CoreNumber.float(text) } catch { throw .inexact(error) }
    }

    /// A string field: any non-null scalar untagged or tagged `!!str` (a string field reads a
    /// plain `12` as "12"); a scalar tagged as another type is refused.
    func string() throws(Mismatch) -> String {
        if tag == nil || tag == .str {
            guard !isNull else { throw .type(expected: "a string") }
            return text
        }
        _ = try value()
        throw .type(expected: "a string")
    }

    func bool() throws(Mismatch) -> Bool {
        if isImplicit || tag == .bool, let flag = NodeDecoder.coreBool(text) { return flag }
        if tag != nil { _ = try value() }
        throw .type(expected: "a boolean (true or false)")
    }

    /// A whole number within ±2^53. A float written for it is "expected a whole number"; text
    /// beyond a double's range (`1e400`) is not a number the field can take at all.
    func int() throws(Mismatch) -> Int {
        if isImplicit || tag == .int {
            do {
                if let number = try CoreNumber.integer(text) { return number }
            } catch {
                throw .inexact(CoreNumber.Inexact(message: "expected a whole number: \(error.message)"))
            }
        }
        if tag != nil { _ = try value() }
        if tag == .float || (isImplicit && (try? CoreNumber.float(text)) != nil) {
            throw .type(expected: "a whole number")
        }
        throw .type(expected: "an integer")
    }

    /// Any number (an integer or a float) JSON carries exactly.
    func double() throws(Mismatch) -> Double {
        if isImplicit || tag == .int || tag == .float {
            switch try value() {
            case .int(let number): return Double(number)
            case .float(let number): return number
            default: break
            }
        } else if tag != nil {
            _ = try value()
        }
        throw .type(expected: "a number")
    }

    /// Free-form YAML (`config`, rule `parameters`) as JSON.
    func json() throws(Mismatch) -> JSONValue {
        switch try value() {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .float(let number): return .double(number)
        case .string(let text): return .string(text)
        }
    }

    /// How the scalar is named in messages: `'yes'`, `the string '12'`, `'7' (tagged !!int)`, `null`.
    var description: String {
        if isNull { return "null" }
        let shown = "'\(NodeDecoder.truncated(text))'"
        switch tag {
        case nil: return plain ? shown : "the string \(shown)"
        case .str?: return "the string \(shown)"
        case let other?: return "\(shown) (tagged \(other.shorthand))"
        }
    }

    /// The message of a mismatch of this scalar.
    func message(_ mismatch: Mismatch) -> String {
        switch mismatch {
        case .type(let expected):
            return "expected \(expected), got \(description)"
        case .tag(let tag) where tag == .map || tag == .seq:
            return "a scalar cannot be tagged \(tag.shorthand)"
        case .tag(let tag):
            return "'\(NodeDecoder.truncated(text))' does not fit its tag \(tag.shorthand) (expected \(tag.expectation))"
        case .inexact(let inexact):
            return inexact.message
        }
    }
}
