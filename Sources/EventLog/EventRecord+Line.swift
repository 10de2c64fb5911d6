import Foundation
import Manifests

extension EventRecord {
    /// The record a stored line holds, nil when it is not one: read with `JSONParser` (a log of
    /// 44,000 records took `JSONDecoder` ~2 s, most of it `JSONValue`'s type-by-type guessing for
    /// `data`). Accepts and refuses what the `Decodable` conformance does: every string member
    /// present (`commit`, `resource`, `environment` may be null or absent, `data` any JSON, null
    /// or absent), `seq` an integer, other members ignored.
    public init?(line bytes: UnsafeBufferPointer<UInt8>) {
        guard case .object(let members)? = JSONParser.parse(bytes).value,
              case .int(let seq)? = members["seq"], case .string(let time)? = members["time"],
              case .string(let type)? = members["type"], case .string(let reason)? = members["reason"],
              case .string(let message)? = members["message"], case .string(let prev)? = members["prev"],
              case .string(let hash)? = members["hash"],
              case .some(let commit) = Self.optionalString(members["commit"]),
              case .some(let resource) = Self.optionalString(members["resource"]),
              case .some(let environment) = Self.optionalString(members["environment"]) else { return nil }
        let data = members["data"]
        self.init(seq: Int64(seq), time: time, commit: commit, resource: resource, environment: environment, type: type,
                  reason: reason, message: message, data: data == .null ? nil : data, prev: prev, hash: hash)
    }

    /// `init(line:)` over the bytes of `line`.
    public init?<Bytes: ContiguousBytes>(line: Bytes) {
        guard let record = line.withUnsafeBytes({ EventRecord(line: $0.bindMemory(to: UInt8.self)) }) else { return nil }
        self = record
    }

    /// `init(line:)` over the UTF-8 of `text`.
    public init?(line text: String) {
        var text = text
        guard let record = text.withUTF8({ EventRecord(line: $0) }) else { return nil }
        self = record
    }

    /// An optional string member: `.some(nil)` when absent or null, nil when of another type.
    private static func optionalString(_ value: JSONValue?) -> String?? {
        switch value {
        case nil, .null?: return .some(nil)
        case .string(let text)?: return .some(text)
        default: return nil
        }
    }
}
