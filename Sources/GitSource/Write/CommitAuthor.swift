/// Who a commit Steward writes is by: author and committer alike.
public struct CommitAuthor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name recorded in the commit.
    public var name: String
    /// The email recorded in the commit.
    public var email: String

    /// Makes an author from a name and an email.
    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// `Name <email>`, as Git shows it.
    public var description: String { "\(name) <\(email)>" }
}
