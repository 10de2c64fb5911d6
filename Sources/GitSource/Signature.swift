import Foundation

/// The author or committer of a commit: name, email and when.
public struct Signature: Sendable, Hashable, Codable {
    /// The person's name as recorded in the commit.
    public let name: String
    /// The person's email as recorded in the commit.
    public let email: String
    /// When, to the second (Git records seconds since the epoch).
    public let time: Date

    /// Makes a signature from its parts.
    public init(name: String, email: String, time: Date) {
        self.name = name
        self.email = email
        self.time = time
    }
}
