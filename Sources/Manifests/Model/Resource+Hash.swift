extension Resource {
    /// The spec as canonical JSON (RFC 8785).
    public var canonicalSpec: JSONValue {
        let value: JSONValue?
        switch body {
        case .runtimeAdapter(let m): value = try? CanonicalJSON.value(of: m.spec)
        case .agentBlueprint(let m): value = try? CanonicalJSON.value(of: m.spec)
        case .environment(let m): value = try? CanonicalJSON.value(of: m.spec)
        case .deployment(let m): value = try? CanonicalJSON.value(of: m.spec)
        case .backupSchedule(let m): value = try? CanonicalJSON.value(of: m.spec)
        }
        return value ?? .null
    }

    /// `sha256(JCS(spec))`, lowercase hex: the identity of what a resource asks for. Made once per
    /// decoding: a parse reused for an unchanged blob keeps it.
    public var specHash: String { memoizedSpecHash { ContentHash.sha256Hex(canonicalSpec.canonicalBytes) } }
}
