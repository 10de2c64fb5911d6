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
        case .target(let m): value = try? CanonicalJSON.value(of: m.spec)
        }
        return value ?? .null
    }

    /// `sha256(JCS(spec))`, lowercase hex: the identity of what a resource asks for. Made once per
    /// decoding: a parse reused for an unchanged blob keeps it. The spec is taken from the canonical
    /// document, which the desired state needs anyway, so the manifest is encoded once.
    public var specHash: String {
        let document = canonicalDocument?.document   // made first: both are made under one lock
        return memoizedSpecHash {
            if case .object(let members)? = document, let spec = members["spec"] {
                return ContentHash.sha256Hex(spec.canonicalBytes)
            }
            return ContentHash.sha256Hex(canonicalSpec.canonicalBytes)
        }
    }

    /// The whole manifest as canonical JSON with its hash (what gets applied and compared), nil
    /// when it does not encode. Made once per decoding.
    public var canonicalDocument: CanonicalDocument? {
        memoizedDocument {
            switch body {
            case .runtimeAdapter(let m): return CanonicalDocument(m)
            case .agentBlueprint(let m): return CanonicalDocument(m)
            case .environment(let m): return CanonicalDocument(m)
            case .deployment(let m): return CanonicalDocument(m)
            case .backupSchedule(let m): return CanonicalDocument(m)
            case .target(let m): return CanonicalDocument(m)
            }
        }
    }
}
