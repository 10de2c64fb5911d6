import Foundation
import Manifests

/// A resource as Steward last applied it to one environment. Its fields live in one shared box
/// (copy on write): a pass copies thousands of these between maps.
public struct AppliedResource: Sendable, Hashable, Codable {
    private struct Fields: Sendable, Hashable, Codable {
        var key: ResourceKey
        var specHash: String
        var storedSpec: AppliedSpec
        var commit: String
        var version: String?
        var sync: SyncStatus
        var health: HealthStatus
        var message: String?
        var conditions: [Condition]
        var createdAt: Date
        var updatedAt: Date

        enum CodingKeys: String, CodingKey {
            case key, specHash, storedSpec = "spec", commit, version, sync, health, message, conditions, createdAt, updatedAt
        }
    }

    @CopyOnWrite private var fields: Fields

    public var key: ResourceKey { get { fields.key } set { fields.key = newValue } }
    /// `key.kind`, without copying the key.
    public var kind: ResourceKind { fields.key.kind }
    public var specHash: String { get { fields.specHash } set { fields.specHash = newValue } }
    /// The applied spec, canonical JSON.
    public var spec: JSONValue {
        get { fields.storedSpec.value }
        set { fields.storedSpec = AppliedSpec(newValue) }
    }
    /// The spec as the store holds it: read into a value on first use of `spec`.
    public var storedSpec: AppliedSpec { get { fields.storedSpec } set { fields.storedSpec = newValue } }
    /// The commit that last changed this resource.
    public var commit: String { get { fields.commit } set { fields.commit = newValue } }
    /// The blueprint version (deployments and blueprint versions), else nil.
    public var version: String? { get { fields.version } set { fields.version = newValue } }
    public var sync: SyncStatus { get { fields.sync } set { fields.sync = newValue } }
    public var health: HealthStatus { get { fields.health } set { fields.health = newValue } }
    public var message: String? { get { fields.message } set { fields.message = newValue } }
    public var conditions: [Condition] { get { fields.conditions } set { fields.conditions = newValue } }
    public var createdAt: Date { get { fields.createdAt } set { fields.createdAt = newValue } }
    public var updatedAt: Date { get { fields.updatedAt } set { fields.updatedAt = newValue } }

    public init(key: ResourceKey, specHash: String, spec: JSONValue, commit: String, version: String? = nil,
                sync: SyncStatus = .synced, health: HealthStatus = .unknown, message: String? = nil,
                conditions: [Condition] = [], createdAt: Date, updatedAt: Date) {
        self.init(key: key, specHash: specHash, storedSpec: AppliedSpec(spec), commit: commit, version: version, sync: sync,
                  health: health, message: message, conditions: conditions, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// A resource whose spec is what the store holds (see `AppliedSpec`).
    public init(key: ResourceKey, specHash: String, storedSpec: AppliedSpec, commit: String, version: String?,
                sync: SyncStatus, health: HealthStatus, message: String?, conditions: [Condition], createdAt: Date, updatedAt: Date) {
        fields = Fields(key: key, specHash: specHash, storedSpec: storedSpec, commit: commit, version: version,
                        sync: sync, health: health, message: message, conditions: conditions,
                        createdAt: createdAt, updatedAt: updatedAt)
    }

    public static func == (lhs: AppliedResource, rhs: AppliedResource) -> Bool { lhs._fields.shares(with: rhs._fields) || lhs.fields == rhs.fields }
    public func hash(into hasher: inout Hasher) { hasher.combine(fields) }
    public init(from decoder: any Decoder) throws { _fields = CopyOnWrite(wrappedValue: try Fields(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
}
