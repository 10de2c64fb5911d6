/// A position in a source file, 1-based line and column.
public struct SourcePosition: Sendable, Hashable, Codable, Comparable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// One problem found in the manifests: where it is, which resource and field, and what was expected.
public struct ValidationError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file, relative to the manifests root (or the repository root for a git source).
    public var file: String
    public var line: Int
    public var column: Int
    /// `Kind/name` (`AgentBlueprint/name@version`), or nil when the error is not tied to a resource.
    public var resource: String?
    /// The field path (`spec.driver.root`), or nil for whole-document errors.
    public var field: String?
    public var message: String

    public init(file: String, position: SourcePosition, resource: String? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = position.line
        self.column = position.column
        self.resource = resource
        self.field = field
        self.message = message
    }

    public var position: SourcePosition { SourcePosition(line: line, column: column) }

    /// A problem of a whole commit rather than of a place in a file (no file, line 0).
    public static func commitProblem(_ message: String) -> ValidationError {
        ValidationError(file: "", position: SourcePosition(line: 0, column: 0), message: message)
    }

    /// `file:line:col: kind/name: field: message`, segments left out when unknown (a problem of a
    /// whole commit, such as its signature, has no file: `commit.problem(_:)`).
    public var description: String {
        var text = file.isEmpty ? "" : "\(file):\(line):\(column): "
        if let resource { text += "\(resource): " }
        if let field, !field.isEmpty { text += "\(field): " }
        return text + message
    }

    /// Orders errors by file, then position, then message, for stable output.
    public static func sortedForDisplay(_ errors: [ValidationError]) -> [ValidationError] {
        errors.sorted {
            ($0.file, $0.line, $0.column, $0.message) < ($1.file, $1.line, $1.column, $1.message)
        }
    }
}

extension ValidationError {
    /// Explicit nulls in JSON so the documented shape always carries every key.
    private enum CodingKeys: String, CodingKey { case file, line, column, resource, field, message }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(line, forKey: .line)
        try container.encode(column, forKey: .column)
        try container.encode(resource, forKey: .resource)
        try container.encode(field, forKey: .field)
        try container.encode(message, forKey: .message)
    }
}
