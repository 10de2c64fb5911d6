/// A backup step that failed, shown as one line (never holds a secret).
public struct BackupError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
