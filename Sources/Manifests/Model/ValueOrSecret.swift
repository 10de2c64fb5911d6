/// A plain value or a secret reference: `store.url: postgres://…` or `{env: STEWARD_DATABASE_URL}`
/// in controller.yaml, `CONSOLE_URL: https://…` or `{file: secrets/console-token}` in an exec
/// environment's `driver.env`. Only the reference is ever written down; the value is read when used.
public enum ValueOrSecret: Codable, Sendable, Hashable {
    case value(String)
    case secret(SecretRef)

    public init(from decoder: any Decoder) throws {
        if let fast = decoder as? FastNodeDecoder {
            switch fast.value.kind {
            case .mapping: self = .secret(try fast.decodeSelf(SecretRef.self))
            case .scalar: self = .value(try fast.string())
            case .sequence: throw FastPathMiss()
            }
            return
        }
        if let nodeDecoder = decoder as? NodeDecoder {
            switch nodeDecoder.node {
            case .mapping: self = .secret(try nodeDecoder.decodeSelf(SecretRef.self))
            case .scalar: self = .value(try nodeDecoder.string())
            default:
                throw nodeDecoder.problem("expected a string or a secret reference {env: NAME} or {file: PATH}, got \(NodeDecoder.describe(nodeDecoder.node))")
            }
            return
        }
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .value(text) }
        else { self = .secret(try container.decode(SecretRef.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .value(let text): try container.encode(text)
        case .secret(let ref): try container.encode(ref)
        }
    }

    /// The reference, when this is one.
    public var reference: SecretRef? {
        if case .secret(let ref) = self { return ref }
        return nil
    }
}
