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
        if let made = madeSpecHash { return made }   // made, or seeded: the document is not needed
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

/// A Deployment's version and runtime adapter as resolution filled them in (what its applied
/// document says, where its manifest left them out).
public struct Resolution: Hashable, Sendable {
    public var version: String?
    public var runtimeAdapter: String?

    public init(version: String?, runtimeAdapter: String?) {
        (self.version, self.runtimeAdapter) = (version, runtimeAdapter)
    }
}

extension Resource {
    /// The hashes of a decoding, as made so far or recorded by an earlier process for the same
    /// content (a saved memo): `specHash`, `canonicalDocument`'s hash, and the hashes of resolved
    /// documents (a Deployment with its version or adapter filled in).
    public struct KnownHashes: Sendable, Equatable {
        public var specHash: String?
        public var document: String?
        public var resolved: [Resolution: String]

        public init(specHash: String? = nil, document: String? = nil, resolved: [Resolution: String] = [:]) {
            (self.specHash, self.document, self.resolved) = (specHash, document, resolved)
        }
    }

    /// Takes `known` (recorded for this content by a process that made them) where this decoding
    /// made nothing yet: `specHash` and `canonicalDocument` then answer with them, and the
    /// document is encoded only when asked for. The hashes must be of this very content.
    public func seed(_ known: KnownHashes) {
        let document: (() -> CanonicalDocument)? = known.document.map { hash in { self.lazyDocument(hash: hash) } }
        seed(specHash: known.specHash, document: document, resolved: known.resolved)
    }

    private func lazyDocument(hash: String) -> CanonicalDocument {
        switch body {
        case .runtimeAdapter(let m): return CanonicalDocument(hash: hash, encoding: m)
        case .agentBlueprint(let m): return CanonicalDocument(hash: hash, encoding: m)
        case .environment(let m): return CanonicalDocument(hash: hash, encoding: m)
        case .deployment(let m): return CanonicalDocument(hash: hash, encoding: m)
        case .backupSchedule(let m): return CanonicalDocument(hash: hash, encoding: m)
        case .target(let m): return CanonicalDocument(hash: hash, encoding: m)
        }
    }
}
