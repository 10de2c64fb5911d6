/// A state store failure, as one clear line that never contains a password.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure, for callers that retry some and stop on others.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// `store.url` cannot be used as written.
        public static let badURL = Code(rawValue: "badURL")
        /// The database could not be reached (refused, unresolvable, timed out).
        public static let unreachable = Code(rawValue: "unreachable")
        /// The server refused the credentials.
        public static let authentication = Code(rawValue: "authentication")
        /// The store was migrated by a newer Steward.
        public static let schemaTooNew = Code(rawValue: "schemaTooNew")
        /// A read command met a store no `steward run` of this version migrated yet.
        public static let schemaTooOld = Code(rawValue: "schemaTooOld")
        /// A query or transaction failed.
        public static let database = Code(rawValue: "database")
        /// The file event log could not be read or written.
        public static let eventLog = Code(rawValue: "eventLog")
        /// Stored data could not be decoded.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The store was used after `close()`.
        public static let closed = Code(rawValue: "closed")
        /// A write from a replica that no longer leads (its lease epoch is not the store's).
        public static let fenced = Code(rawValue: "fenced")
        /// A replay point (`--at`) the log cannot answer, or cannot be read.
        public static let replayPoint = Code(rawValue: "replayPoint")
    }

    public var code: Code
    /// One line: what went wrong and where.
    public var message: String

    /// An error; line breaks in `message` become spaces, so it always prints as one line.
    public init(_ code: Code = .database, _ message: String) {
        self.code = code
        self.message = message.contains(where: \.isNewline) ? message.split(whereSeparator: \.isNewline).joined(separator: " ") : message
    }

    public var description: String { message }
}
