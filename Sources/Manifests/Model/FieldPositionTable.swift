/// Where each decoded field of a resource is, by field path (`spec.toolAdapters[0].adapterId`).
///
/// The fast decoder records one step per decoded node (its parent step and key), which costs an
/// append; the paths are rendered only when a position is asked for, for an error message.
public struct FieldPositionTable: Sendable, Hashable {
    /// One decoded node: the step of its parent (-1 for the document) and its key under it.
    struct Step: Sendable {
        var parent: Int32
        /// A list position, or -1 for a mapping key (`name`).
        var index: Int32
        var name: String
        var line: Int32
        var column: Int32
    }

    private enum Storage: Sendable {
        case steps([Step])
        case dictionary([String: SourcePosition])
    }

    private let storage: Storage

    init(steps: [Step]) { storage = .steps(steps) }

    public init(_ dictionary: [String: SourcePosition] = [:]) { storage = .dictionary(dictionary) }

    /// Positions by rendered field path; a later step with the same path wins, as when decoding.
    public var dictionary: [String: SourcePosition] {
        switch storage {
        case .dictionary(let dictionary):
            return dictionary
        case .steps(let steps):
            var paths: [String] = []
            paths.reserveCapacity(steps.count)
            var result: [String: SourcePosition] = [:]
            result.reserveCapacity(steps.count)
            for step in steps {
                var text = step.parent >= 0 ? paths[Int(step.parent)] : ""
                if step.index >= 0 {
                    text += "[\(step.index)]"
                } else {
                    if !text.isEmpty { text += "." }
                    text += step.name
                }
                paths.append(text)
                result[text] = SourcePosition(line: Int(step.line), column: Int(step.column))
            }
            return result
        }
    }

    public static func == (lhs: FieldPositionTable, rhs: FieldPositionTable) -> Bool { lhs.dictionary == rhs.dictionary }

    public func hash(into hasher: inout Hasher) { hasher.combine(dictionary) }
}
