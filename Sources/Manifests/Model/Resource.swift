import Foundation

/// The decoded body of one manifest document.
public enum ResourceBody: Sendable, Hashable {
    case runtimeAdapter(RuntimeAdapter)
    case agentBlueprint(AgentBlueprint)
    case environment(Environment)
    case deployment(Deployment)
    case backupSchedule(BackupSchedule)
    case target(Target)

    public var kind: ResourceKind {
        switch self {
        case .runtimeAdapter: return .runtimeAdapter
        case .agentBlueprint: return .agentBlueprint
        case .environment: return .environment
        case .deployment: return .deployment
        case .backupSchedule: return .backupSchedule
        case .target: return .target
        }
    }

    public var metadata: ObjectMeta {
        switch self {
        case .runtimeAdapter(let m): return m.metadata
        case .agentBlueprint(let m): return m.metadata
        case .environment(let m): return m.metadata
        case .deployment(let m): return m.metadata
        case .backupSchedule(let m): return m.metadata
        case .target(let m): return m.metadata
        }
    }
}

/// A decoded manifest with where it came from, so later checks can point at file:line:col.
/// Its fields live in one shared box: copying a resource (into tables, lists, resolved
/// deployments) is one reference count, not one per field.
public struct Resource: Sendable, Hashable {
    private final class Storage: @unchecked Sendable {
        let body: ResourceBody
        let file: String
        let position: SourcePosition
        let positionTable: FieldPositionTable
        let identity: ParseIdentity
        /// `specHash` and `canonicalDocument`, each made once (under `lock`) for every copy and
        /// every later pass over this parse.
        private var specHash: String?
        private var document: CanonicalDocument??
        /// Hashes of this manifest's documents with another version or adapter filled in, recorded
        /// by an earlier process (`seed`).
        private var resolved: [Resolution: String] = [:]
        private let lock = NSLock()

        /// Takes hashes an earlier process recorded for this content, where nothing is made yet;
        /// `document` makes the document with the hash when it is first asked for.
        func seed(specHash seededSpec: String?, document seededDocument: (() -> CanonicalDocument)?, resolved seededResolved: [Resolution: String]) {
            lock.lock()
            defer { lock.unlock() }
            if specHash == nil { specHash = seededSpec }
            if document == nil, let seededDocument { document = .some(seededDocument()) }
            resolved.merge(seededResolved) { mine, _ in mine }
        }

        /// The hashes made or seeded so far (nothing is made).
        var known: Resource.KnownHashes {
            lock.lock()
            defer { lock.unlock() }
            return Resource.KnownHashes(specHash: specHash, document: document??.hash, resolved: resolved)
        }

        var madeSpecHash: String? {
            lock.lock()
            defer { lock.unlock() }
            return specHash
        }

        func resolvedHash(_ resolution: Resolution) -> String? {
            lock.lock()
            defer { lock.unlock() }
            return resolved[resolution]
        }

        func specHash(_ make: () -> String) -> String {
            lock.lock()
            defer { lock.unlock() }
            if let specHash { return specHash }
            let made = make()
            specHash = made
            return made
        }

        func document(_ make: () -> CanonicalDocument?) -> CanonicalDocument? {
            lock.lock()
            defer { lock.unlock() }
            if let document { return document }
            let made = make()
            document = .some(made)
            return made
        }

        /// The same decoding at another path, with what was made from it so far.
        func moved(to file: String) -> Storage {
            let moved = Storage(body: body, file: file, position: position, positionTable: positionTable, identity: identity)
            lock.lock()
            defer { lock.unlock() }
            (moved.specHash, moved.document, moved.resolved) = (specHash, document, resolved)
            return moved
        }

        init(body: ResourceBody, file: String, position: SourcePosition, positionTable: FieldPositionTable, identity: ParseIdentity) {
            self.body = body
            self.file = file
            self.position = position
            self.positionTable = positionTable
            self.identity = identity
        }
    }

    private let storage: Storage

    public var body: ResourceBody { storage.body }
    /// File path relative to the manifests root.
    public var file: String { storage.file }
    /// Where the document starts.
    public var position: SourcePosition { storage.position }
    /// Positions of the fields seen while decoding (kept compact; rendered when asked for).
    public var positionTable: FieldPositionTable { storage.positionTable }
    /// Positions of the fields seen while decoding, keyed by field path (`spec.driver.root`).
    public var fieldPositions: [String: SourcePosition] { positionTable.dictionary }
    /// This decoding (not part of equality): equal identities mean equal content.
    public var identity: ParseIdentity { storage.identity }

    /// A value derived from the spec, made once per decoding (see `specHash`).
    func memoizedSpecHash(_ make: () -> String) -> String { storage.specHash(make) }
    /// The canonical document, made once per decoding (see `canonicalDocument`).
    func memoizedDocument(_ make: () -> CanonicalDocument?) -> CanonicalDocument? { storage.document(make) }
    func seed(specHash: String?, document: (() -> CanonicalDocument)?, resolved: [Resolution: String]) {
        storage.seed(specHash: specHash, document: document, resolved: resolved)
    }
    /// The hash of this manifest's document with `resolution` filled in, when an earlier process
    /// recorded it (`seed(_:)`).
    public func resolvedHash(_ resolution: Resolution) -> String? { storage.resolvedHash(resolution) }
    /// `specHash` when it was made or seeded already.
    var madeSpecHash: String? { storage.madeSpecHash }
    /// The hashes made (or seeded) for this decoding so far; makes nothing.
    public var knownHashes: KnownHashes { storage.known }

    public init(body: ResourceBody, file: String, position: SourcePosition, fieldPositions: [String: SourcePosition] = [:]) {
        self.init(body: body, file: file, position: position, positionTable: FieldPositionTable(fieldPositions))
    }

    public init(body: ResourceBody, file: String, position: SourcePosition, positionTable: FieldPositionTable) {
        self.init(body: body, file: file, position: position, positionTable: positionTable, identity: .next())
    }

    private init(body: ResourceBody, file: String, position: SourcePosition, positionTable: FieldPositionTable, identity: ParseIdentity) {
        storage = Storage(body: body, file: file, position: position, positionTable: positionTable, identity: identity)
    }

    private init(storage: Storage) { self.storage = storage }

    /// The same resource read from another path (a renamed file with unchanged content).
    public func moved(to file: String) -> Resource {
        file == self.file ? self : Resource(storage: storage.moved(to: file))
    }

    public static func == (lhs: Resource, rhs: Resource) -> Bool {
        lhs.storage === rhs.storage || lhs.body == rhs.body && lhs.file == rhs.file && lhs.position == rhs.position && lhs.positionTable == rhs.positionTable
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(body)
        hasher.combine(file)
        hasher.combine(position)
        hasher.combine(positionTable)
    }

    public var kind: ResourceKind { body.kind }
    public var name: String { body.metadata.name }

    /// `Kind/name`, or `AgentBlueprint/name@version` for blueprint versions.
    public var id: String {
        if case .agentBlueprint(let blueprint) = body { return "\(kind.rawValue)/\(name)@\(blueprint.spec.version)" }
        return "\(kind.rawValue)/\(name)"
    }

    /// The position of `field`, or of its nearest ancestor that was seen, or of the document.
    public func position(of field: String) -> SourcePosition {
        let fieldPositions = fieldPositions
        var path = Substring(field)
        while !path.isEmpty {
            if let found = fieldPositions[String(path)] { return found }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return position
    }

    /// A validation error about `field` of this resource.
    public func error(_ field: String, _ message: String) -> ValidationError {
        ValidationError(file: file, position: position(of: field), resource: id, field: field, message: message)
    }
}
