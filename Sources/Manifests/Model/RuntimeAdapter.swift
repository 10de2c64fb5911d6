/// `kind: RuntimeAdapter` — a runtime platform agents are deployed onto.
public typealias RuntimeAdapter = Manifest<RuntimeAdapterSpec>

public struct RuntimeAdapterSpec: Codable, Sendable, Hashable {
    public var runtimeType: RuntimeType
    /// The adapter's name for people (the guides' `name: 'Main Robotics Runtime'`).
    public var displayName: String?
    public var description: String?
    public var enabled: Bool?
    public var capabilities: Capabilities?
    public var provides: [String]?
    public var config: JSONValue?

    public init(runtimeType: RuntimeType, description: String? = nil, enabled: Bool? = nil,
                capabilities: Capabilities? = nil, provides: [String]? = nil, config: JSONValue? = nil,
                displayName: String? = nil) {
        self.runtimeType = runtimeType
        self.displayName = displayName
        self.description = description
        self.enabled = enabled
        self.capabilities = capabilities
        self.provides = provides
        self.config = config
    }

    /// Adapters are enabled unless they say otherwise.
    public var isEnabled: Bool { enabled ?? true }

    /// Every capability this adapter provides, normalised to kebab-case.
    public var providedCapabilities: Set<String> {
        var names = Set((provides ?? []).map(CapabilityName.normalize))
        switch capabilities {
        case .map(let flags): for (name, on) in flags where on { names.insert(CapabilityName.normalize(name)) }
        case .list(let list): for name in list { names.insert(CapabilityName.normalize(name)) }
        case nil: break
        }
        return names
    }
}

/// Capabilities given as a map of booleans or as a list of names.
public enum Capabilities: Codable, Sendable, Hashable {
    case map([String: Bool])
    case list([String])

    public init(from decoder: any Decoder) throws {
        if let fast = decoder as? FastNodeDecoder {
            switch fast.value.kind {
            case .mapping: self = .map(try fast.decodeSelf([String: Bool].self))
            case .sequence: self = .list(try fast.decodeSelf([String].self))
            case .scalar: throw FastPathMiss()
            }
            return
        }
        if let nodeDecoder = decoder as? NodeDecoder {
            switch nodeDecoder.node {
            case .mapping: self = .map(try nodeDecoder.decodeSelf([String: Bool].self))
            case .sequence: self = .list(try nodeDecoder.decodeSelf([String].self))
            default: throw nodeDecoder.problem("expected a mapping of booleans or a list of names, got \(NodeDecoder.describe(nodeDecoder.node))")
            }
            return
        }
        let container = try decoder.singleValueContainer()
        if let flags = try? container.decode([String: Bool].self) { self = .map(flags) }
        else { self = .list(try container.decode([String].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .map(let flags): try container.encode(flags)
        case .list(let names): try container.encode(names)
        }
    }
}

/// Capability name normalisation: `realTime`, `real_time` and `real-time` are the same capability.
public enum CapabilityName {
    public static func normalize(_ name: String) -> String {
        if let ascii = name.utf8.withContiguousStorageIfAvailable({ normalizeASCII($0) }), let ascii { return ascii }
        var result = ""
        result.reserveCapacity(name.count + 4)
        var previousWasLowerOrDigit = false
        for character in name {
            if character == "_" || character == " " || character == "-" {
                if !result.isEmpty, result.last != "-" { result.append("-") }
                previousWasLowerOrDigit = false
            } else if character.isUppercase {
                if previousWasLowerOrDigit, result.last != "-" { result.append("-") }
                result.append(contentsOf: character.lowercased())
                previousWasLowerOrDigit = false
            } else {
                result.append(character)
                previousWasLowerOrDigit = character.isLowercase || character.isNumber
            }
        }
        while result.last == "-" { result.removeLast() }
        return result
    }

    /// The same rules on ASCII bytes (nil when the name is not ASCII).
    private static func normalizeASCII(_ name: UnsafeBufferPointer<UInt8>) -> String? {
        guard name.count <= 120, name.allSatisfy({ $0 < 0x80 }) else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: name.count * 2 + 1) { out in
            var count = 0
            var previousWasLowerOrDigit = false
            for byte in name {
                switch byte {
                case UInt8(ascii: "_"), UInt8(ascii: " "), UInt8(ascii: "-"):
                    if count > 0, out[count - 1] != UInt8(ascii: "-") { out[count] = UInt8(ascii: "-"); count += 1 }
                    previousWasLowerOrDigit = false
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    if previousWasLowerOrDigit, count > 0, out[count - 1] != UInt8(ascii: "-") { out[count] = UInt8(ascii: "-"); count += 1 }
                    out[count] = byte + 32
                    count += 1
                    previousWasLowerOrDigit = false
                default:
                    out[count] = byte
                    count += 1
                    previousWasLowerOrDigit = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                }
            }
            while count > 0, out[count - 1] == UInt8(ascii: "-") { count -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: out[..<count]), as: UTF8.self)
        }
    }
}
