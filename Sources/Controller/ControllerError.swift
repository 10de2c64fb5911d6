/// A controller failure shown to the user as one line.
public struct ControllerError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
