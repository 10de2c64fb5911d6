import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Why a console request got no HTTP answer, told apart by the error's type (AsyncHTTPClient's
/// `HTTPClientError`, NIO's `ChannelError`, `IOError` and `NIOConnectionError`).
enum ConsoleTransportProblem: Error, Sendable, Hashable {
    /// No answer within the driver's `requestTimeout`.
    case timedOut
    /// The connection was refused, reset or closed, or the host did not resolve: retried with backoff.
    case connection(String)
    /// The answer is larger than the driver reads: not retried.
    case answerTooLarge
    /// The request cannot be sent as configured: not retried.
    case invalidRequest(String)

    /// Whether the driver tries again (timeouts and connection errors).
    var isRetried: Bool {
        switch self {
        case .timedOut, .connection: return true
        case .answerTooLarge, .invalidRequest: return false
        }
    }

    /// Classifies an error thrown while sending a request or reading its answer.
    init(classifying error: any Error) {
        switch error {
        case let problem as ConsoleTransportProblem:
            self = problem
        case let client as HTTPClientError:
            self = Self.classify(client)
        case is NIOTooManyBytesError:
            self = .answerTooLarge
        case let channel as ChannelError:
            if case .connectTimeout = channel { self = .timedOut } else { self = .connection("connection \(channel)") }
        case let io as IOError:
            self = .connection(Self.describe(io))
        case let connect as NIOConnectionError:
            self = Self.classify(connect)
        default:
            // Anything else below HTTP (a TLS alert, a resolver failure) is a connection that did not work.
            self = .connection(String(describing: error))
        }
    }

    private static func classify(_ error: HTTPClientError) -> ConsoleTransportProblem {
        switch error {
        case .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
            return .timedOut
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .traceRequestWithBody:
            return .invalidRequest("\(error)")
        case .remoteConnectionClosed:
            return .connection("the console closed the connection")
        default:
            return .connection("\(error)")
        }
    }

    private static func classify(_ error: NIOConnectionError) -> ConsoleTransportProblem {
        if let first = error.connectionErrors.first {
            if let io = first.error as? IOError { return .connection(describe(io)) }
            if let channel = first.error as? ChannelError, case .connectTimeout = channel { return .timedOut }
            return .connection("\(first.error)")
        }
        if error.dnsAError != nil || error.dnsAAAAError != nil { return .connection("cannot resolve \(error.host)") }
        return .connection("cannot connect to \(error.host):\(error.port)")
    }

    /// "connection refused", "connection reset", ... from the error number.
    private static func describe(_ error: IOError) -> String {
        switch error.errnoCode {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset"
        case ETIMEDOUT: return "connection timed out"
        case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
        case EPIPE: return "connection closed"
        default: return "connection error \(error.errnoCode): \(String(cString: strerror(error.errnoCode)))"
        }
    }
}
