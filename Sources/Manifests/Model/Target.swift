/// `kind: Target` — one machine or device an environment spans (DESIGN §10).
public typealias Target = Manifest<TargetSpec>

public struct TargetSpec: Codable, Sendable, Hashable {
    public var environment: String
    /// Overrides of the environment's driver for this target: local `root`; http `url`, `tokenFrom`;
    /// exec `env` (added to the environment's, with `STEWARD_TARGET` always set).
    public var driver: TargetDriver?
    /// true: keep the target as it is (maintenance); it counts as not updated.
    public var suspend: Bool?

    public init(environment: String, driver: TargetDriver? = nil, suspend: Bool? = nil) {
        self.environment = environment
        self.driver = driver
        self.suspend = suspend
    }
}

/// The fields of an environment's driver a target may override.
public struct TargetDriver: Codable, Sendable, Hashable {
    /// local: the folder this target is materialised under.
    public var root: String?
    /// http: this target's console base URL and bearer token reference.
    public var url: String?
    public var tokenFrom: SecretRef?
    /// exec: variables added to the environment's `driver.env`.
    public var env: [String: ValueOrSecret]?

    public init(root: String? = nil, url: String? = nil, tokenFrom: SecretRef? = nil, env: [String: ValueOrSecret]? = nil) {
        self.root = root
        self.url = url
        self.tokenFrom = tokenFrom
        self.env = env
    }

    /// The fields each driver type lets a target override.
    public static func allowed(for type: DriverSpec.DriverType) -> [String] {
        switch type {
        case .local: return ["root"]
        case .http: return ["url", "tokenFrom"]
        case .exec: return ["env"]
        }
    }

    /// The fields this override sets.
    public var fieldsSet: [String] {
        [root.map { _ in "root" }, url.map { _ in "url" }, tokenFrom.map { _ in "tokenFrom" }, env.map { _ in "env" }].compactMap { $0 }
    }

    /// The environment's driver with this target's overrides applied.
    public func applied(to base: DriverSpec) -> DriverSpec {
        var spec = base
        if let root { spec.root = root }
        if let url { spec.url = url }
        if let tokenFrom { spec.tokenFrom = tokenFrom }
        if let env { spec.env = (spec.env ?? [:]).merging(env) { _, target in target } }
        return spec
    }
}

/// `targetSelector: {matchLabels: {...}}` of a Deployment: the targets whose labels include all of these.
public struct TargetSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?

    public init(matchLabels: [String: String]? = nil) { self.matchLabels = matchLabels }

    public func matches(_ labels: [String: String]?) -> Bool {
        (matchLabels ?? [:]).allSatisfy { labels?[$0.key] == $0.value }
    }
}

/// How many targets: a count (`1`) or a percentage of them (`"25%"`), rounded up, at least one.
public enum TargetCount: Codable, Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    public init(from decoder: any Decoder) throws {
        // YAML scalars read as text (`1`, `25%`); JSON has numbers too.
        let container = try decoder.singleValueContainer()
        let text: String
        if let number = try? container.decode(Int.self), number >= 1 { text = String(number) } else { text = try container.decode(String.self) }
        guard let parsed = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "expected a count of targets (1) or a percentage (\"25%\"), got \"\(text)\""))
        }
        self = parsed
    }

    public init?(_ text: String) {
        if text.hasSuffix("%"), let value = Int(text.dropLast()), (1...100).contains(value) {
            self = .percent(value)
        } else if let value = Int(text), value >= 1 {
            self = .count(value)
        } else {
            return nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .count(let value): try container.encode(value)
        case .percent(let value): try container.encode("\(value)%")
        }
    }

    /// How many of `total` targets this is: rounded up, at least one, at most all.
    public func of(_ total: Int) -> Int {
        guard total > 0 else { return 0 }
        switch self {
        case .count(let value): return min(max(value, 1), total)
        case .percent(let value): return min(max((total * value + 99) / 100, 1), total)
        }
    }

    public var description: String {
        switch self {
        case .count(let value): return "\(value)"
        case .percent(let value): return "\(value)%"
        }
    }
}
