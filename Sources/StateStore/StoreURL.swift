import Foundation

/// A parsed `store.url`: an SQLite file or a PostgreSQL server.
enum StoreURL: Sendable, Hashable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// Parses `sqlite://PATH` (relative to `baseDirectory` unless absolute) or
    /// `postgres://user:pass@host:port/db?sslmode=disable|require`.
    static func parse(_ text: String, baseDirectory: String) throws -> StoreURL {
        let shown = redact(text)
        guard let range = text.range(of: "://") else {
            throw StoreError(.badURL, "store.url \"\(shown)\" is not a URL; use sqlite://PATH or postgres://USER@HOST:PORT/DATABASE")
        }
        let scheme = text[..<range.lowerBound].lowercased()
        let rest = String(text[range.upperBound...])
        switch scheme {
        case "sqlite":
            guard !rest.isEmpty else { throw StoreError(.badURL, "store.url \"\(shown)\" has no file path; use sqlite://PATH") }
            let path = rest.hasPrefix("/") ? rest : (baseDirectory as NSString).appendingPathComponent(rest)
            return .sqlite(path: (path as NSString).standardizingPath)
        case "postgres", "postgresql":
            return .postgres(try PostgresURL.parse(rest, shown: shown))
        default:
            throw StoreError(.badURL, "store.url \"\(shown)\" has an unknown scheme \"\(scheme)\"; use sqlite:// or postgres://")
        }
    }

    /// The URL with any password replaced by `***`.
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        // The user info ends at the last `@` (a password may hold `/`, `?` or `@` itself).
        let rest = text[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}

/// The parts of a `postgres://` URL.
struct PostgresURL: Sendable, Hashable, CustomStringConvertible {
    var username: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    var requireTLS: Bool

    /// Parses what follows `postgres://`; `shown` is the redacted URL for messages.
    static func parse(_ rest: String, shown: String) throws -> PostgresURL {
        var main = Substring(rest)
        var query: Substring = ""
        if let mark = main.firstIndex(of: "?") { query = main[main.index(after: mark)...]; main = main[..<mark] }
        var path: Substring = ""
        if let slash = main.firstIndex(of: "/") { path = main[main.index(after: slash)...]; main = main[..<slash] }
        var hostPort = main
        var username = "", password: String?
        if let at = main.lastIndex(of: "@") {
            let userInfo = main[..<at]
            hostPort = main[main.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = decode(userInfo[..<colon])
                password = decode(userInfo[userInfo.index(after: colon)...])
            } else {
                username = decode(userInfo)
            }
        }
        guard !username.isEmpty else { throw StoreError(.badURL, "store.url \"\(shown)\" has no user name; use postgres://USER@HOST:PORT/DATABASE") }
        var host = hostPort, portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw StoreError(.badURL, "store.url \"\(shown)\" has an unclosed [ in its host") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw StoreError(.badURL, "store.url \"\(shown)\" has text after its host")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        }
        guard !host.isEmpty else { throw StoreError(.badURL, "store.url \"\(shown)\" has no host; use postgres://USER@HOST:PORT/DATABASE") }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw StoreError(.badURL, "store.url \"\(shown)\" has a bad port \"\(portText)\"; expected a number from 1 to 65535")
            }
            port = value
        }
        let database = path.isEmpty ? username : decode(path)
        var requireTLS = false
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]), value = parts.count > 1 ? decode(parts[1]) : ""
            guard name == "sslmode" else {
                throw StoreError(.badURL, "store.url \"\(shown)\" has an unknown option \"\(name)\"; only sslmode=disable|require is read")
            }
            switch value {
            case "disable": requireTLS = false
            case "require": requireTLS = true
            default: throw StoreError(.badURL, "store.url \"\(shown)\" has sslmode=\(value); expected disable or require")
            }
        }
        return PostgresURL(username: username, password: password, host: String(host), port: port, database: database, requireTLS: requireTLS)
    }

    /// Percent-decodes a URL part (left as written when it is not valid percent-encoding).
    private static func decode(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }

    /// `host:port`, for messages.
    var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The URL with the password shown as `***`.
    var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(endpoint)/\(database)\(requireTLS ? "?sslmode=require" : "")"
    }
}
