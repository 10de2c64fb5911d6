/// A decoder that can decode a whole document node as one type (the tree decoder and the fast one).
protocol SelfDecoding {
    func decodeSelf<T: Decodable>(_ type: T.Type) throws -> T
}

extension NodeDecoder: SelfDecoding {}
extension FastNodeDecoder: SelfDecoding {}

extension ResourceBody {
    /// The body of a document of `kind`, decoded by either decoder.
    static func decode(_ kind: ResourceKind, with decoder: some SelfDecoding) throws -> ResourceBody {
        switch kind {
        case .runtimeAdapter: .runtimeAdapter(try decoder.decodeSelf(RuntimeAdapter.self))
        case .agentBlueprint: .agentBlueprint(try decoder.decodeSelf(AgentBlueprint.self))
        case .environment: .environment(try decoder.decodeSelf(Environment.self))
        case .deployment: .deployment(try decoder.decodeSelf(Deployment.self))
        case .backupSchedule: .backupSchedule(try decoder.decodeSelf(BackupSchedule.self))
        case .target: .target(try decoder.decodeSelf(Target.self))
        }
    }
}
