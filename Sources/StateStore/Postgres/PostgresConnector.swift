import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connection settings and the first, bounded connection attempt that turns failures into one clear line.
enum PostgresConnector {
    /// Seconds allowed for the TCP connect.
    static let connectTimeout = 5
    /// Seconds allowed for a whole connection attempt (TCP, TLS, authentication).
    static let attemptTimeout = 10.0
    /// Seconds a query may wait for a pooled connection.
    static let leaseTimeout = 10.0

    /// Session settings sent at connect: a lock wait or a transaction left idle (a frozen
    /// replica) fails after a bound instead of blocking every other writer.
    /// Server-side TCP keepalives find a leader whose host died, so its advisory lock is freed.
    /// `application_name` names this replica, so a takeover can end a frozen leader's sessions.
    static let sessionSettings = [
        ("application_name", ReplicaIdentity.applicationName), ("lock_timeout", "30s"),
        ("idle_in_transaction_session_timeout", "30s"),
        ("tcp_keepalives_idle", "5"), ("tcp_keepalives_interval", "2"), ("tcp_keepalives_count", "3"),
    ]

    /// The pool's configuration.
    static func clientConfiguration(_ url: PostgresURL) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: url.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.connectTimeout = .seconds(connectTimeout)
        configuration.options.maximumConnections = 8
        configuration.options.additionalStartupParameters = sessionSettings
        return configuration
    }

    /// The error to give up an operation on `connection` with, once it has been closed for a second
    /// (a statement failing on the closed connection answers by itself within it; one PostgresNIO
    /// lost never does, see `Deadline`); nil before. `since` remembers when it was first seen closed.
    static func closedTooLong(_ connection: PostgresConnection, since: inout ContinuousClock.Instant?, url: PostgresURL) -> StoreError? {
        guard connection.isClosed else { return nil }
        let first = since ?? ContinuousClock.now
        since = first
        return ContinuousClock.now - first < .seconds(1) ? nil
            : StoreError(.unreachable, "the connection to PostgreSQL at \(url.endpoint) closed during the operation (store.url \(url))")
    }

    /// Runs `operation` on `connection`, ending with an error when the connection closes under it or
    /// after `seconds`.
    static func bounded<T: Sendable>(_ connection: PostgresConnection, seconds: Double, url: PostgresURL,
                                     _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let closedSince = LockedBox<ContinuousClock.Instant?>(nil)
        return try await Deadline.watched(poll: 0.25, operation) {
            if let error = closedSince.withLock({ closedTooLong(connection, since: &$0, url: url) }) { return error }
            return ContinuousClock.now < deadline ? nil
                : StoreError(.unreachable, "PostgreSQL at \(url.endpoint) did not answer within \(Int(seconds)) s (store.url \(url))")
        }
    }

    /// Connects once, outside the pool: a refused port, an unknown host, a wrong password or a
    /// missing database fails here with its own message instead of a pool that retries forever.
    static func connect(_ url: PostgresURL, logger: Logger) async throws -> PostgresConnection {
        var settings = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database,
            tls: url.requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        settings.options.connectTimeout = .seconds(Int64(connectTimeout))
        settings.options.additionalStartupParameters = sessionSettings
        let configuration = settings
        let timeout = StoreError(.unreachable, "timed out after \(Int(attemptTimeout)) s connecting to PostgreSQL at \(url.endpoint) (store.url \(url))")
        do {
            return try await Deadline.run(seconds: attemptTimeout, timeoutError: timeout, discard: { try? await $0.close() }) {
                try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            }
        } catch {
            throw storeError(error, url: url, connecting: true)
        }
    }

    /// Checks that the server accepts us, then closes the connection.
    static func probe(_ url: PostgresURL, logger: Logger) async throws {
        let connection = try await connect(url, logger: logger)
        try? await connection.close()
    }

    /// Runs one statement on a fresh connection (administrative work such as `CREATE DATABASE`).
    static func execute(_ sql: String, url: PostgresURL, logger: Logger) async throws {
        let connection = try await connect(url, logger: logger)
        do {
            try await PostgresSession(connection: connection, logger: logger).run(sql)
        } catch {
            try? await connection.close()
            throw storeError(error, url: url, connecting: false)
        }
        try? await connection.close()
    }

    /// Any error as a `StoreError`: one line, the URL without its password.
    static func storeError(_ error: any Error, url: PostgresURL, connecting: Bool) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PostgresTransactionError,
           let inner = error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError {
            return storeError(inner, url: url, connecting: connecting)
        }
        let (code, reason) = describe(error)
        if connecting || code != .database {
            let verb = code == .authentication ? "PostgreSQL at \(url.endpoint) refused user \"\(url.username)\"" : "cannot connect to PostgreSQL at \(url.endpoint)"
            return StoreError(code, "\(verb) (store.url \(url)): \(reason)")
        }
        return StoreError(code, "PostgreSQL store \(url.endpoint)/\(url.database): \(reason)")
    }

    /// A short reason and its kind, never the password.
    static func describe(_ error: any Error) -> (StoreError.Code, String) {
        switch error {
        case let error as PSQLError:
            if error.code == .server, let info = error.serverInfo {
                let state = info[.sqlState] ?? ""
                var text = info[.message] ?? "server error"
                if let detail = info[.detail], detail.count <= 200, !detail.hasPrefix("Failing row") { text += " (\(detail))" }
                if !state.isEmpty { text += " [SQLSTATE \(state)]" }
                let code: StoreError.Code = state.hasPrefix("28") ? .authentication : state == "3D000" ? .unreachable : .database
                return (code, text)
            }
            if let underlying = error.underlying { return describe(underlying) }
            switch error.code {
            case .sslUnsupported: return (.unreachable, "the server does not support TLS (sslmode=require)")
            case .serverClosedConnection, .uncleanShutdown: return (.unreachable, "the server closed the connection")
            case .authMechanismRequiresPassword: return (.authentication, "the server asks for a password and store.url has none")
            case .poolClosed, .clientClosedConnection: return (.closed, "the connection pool is closed")
            default: return (.database, "\(error.code)")
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil { return (.unreachable, "cannot resolve host \"\(error.host)\"") }
            if let first = error.connectionErrors.first { return describe(first.error) }
            return (.unreachable, "connection failed")
        case let error as IOError:
            return (.unreachable, String(cString: strerror(error.errnoCode)).lowercased())
        case let error as ChannelError:
            if case .connectTimeout = error { return (.unreachable, "connection timed out after \(connectTimeout) s") }
            return (.unreachable, "\(error)")
        case let error as StoreError:
            return (error.code, error.message)
        default:
            return (.database, "\(error)")
        }
    }
}
