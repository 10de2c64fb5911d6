/// A manifest file that cannot be edited in place: where, and why, on one line.
public struct ManifestEditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as the caller named it.
    public var file: String
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem (in Unicode scalars, as libyaml counts).
    public var column: Int
    /// What is wrong, without the location.
    public var message: String

    /// Makes an error at a position in `file`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:col: message`.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
