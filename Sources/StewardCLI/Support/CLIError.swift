/// A failure reported to the user as one line on stderr, with the exit code of DESIGN §7.
public struct CLIError: Error, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Exit 1 with nothing more printed (the command already reported).
    public static let silentFailure = CLIError("", exitCode: 1)

    public var description: String { message }
}
