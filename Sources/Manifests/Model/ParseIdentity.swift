import Foundation

/// A number unique to one decoded resource, shared by its copies (and by a cached parse reused for
/// an unchanged blob): a cheap key for work derived from the resource's content.
public struct ParseIdentity: Sendable, Hashable {
    public let value: Int

    private static let lock = NSLock()
    nonisolated(unsafe) private static var last = 0

    /// A new identity, never handed out before in this process.
    public static func next() -> ParseIdentity {
        lock.lock()
        defer { lock.unlock() }
        last += 1
        return ParseIdentity(value: last)
    }

    private init(value: Int) { self.value = value }
}
